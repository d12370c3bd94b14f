package org.itaestudio.cluster;

import java.util.Arrays;

/**
 * Point-region quadtree over 2-D points for Barnes-Hut repulsion.
 *
 * <p>Flat arrays, no object per node, so one build per iteration is cheap: per node, centre of
 * mass, squared cell side and point count in {@code nd}, and in {@code ni} either the first child
 * and child count (children are stored contiguously) or, for a leaf, its range in {@link #order}.
 * Cells are squares split at their centres; cells with at most {@link #LEAF_SIZE} points, or whose
 * points all coincide, are leaves.
 */
final class QuadTree {
    private static final int MAX_DEPTH = 60;
    /** Cells with at most this many points are leaves; near a leaf, its points are visited one by one. */
    private static final int LEAF_SIZE = 8;

    /** Point indices in tree (Z-like) order; leaves own contiguous ranges of it. */
    final int[] order;
    /** Position of each point in {@link #order}. */
    private final int[] position;
    private int nodes;
    private double[] nd; // per node: comX, comY, side^2, count
    private int[] ni;    // per node: inner: firstChild, childCount; leaf: -1 - start, end
    private final double[] y;
    private final int[] scratch;

    /** Coordinates permuted along with {@link #order}, so the build reads memory sequentially. */
    private final double[] px;
    private final double[] py;
    private final double[] spx;
    private final double[] spy;
    private final byte[] quad;

    /** @param y interleaved coordinates x0, y0, x1, y1, ... */
    QuadTree(double[] y) {
        this.y = y;
        int n = y.length / 2;
        order = new int[n];
        position = new int[n];
        scratch = new int[n];
        px = new double[n];
        py = new double[n];
        spx = new double[n];
        spy = new double[n];
        quad = new byte[n];
        double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            order[i] = i;
            double a = y[2 * i], b = y[2 * i + 1];
            px[i] = a;
            py[i] = b;
            if (a < minX) minX = a;
            if (a > maxX) maxX = a;
            if (b < minY) minY = b;
            if (b > maxY) maxY = b;
        }
        double side = Math.max(maxX - minX, maxY - minY);
        side = side * (1 + 1e-9) + Double.MIN_NORMAL;
        nd = new double[4 * (2 * n + 1)]; // typical trees have < 2n nodes; allocate() grows if not
        ni = new int[2 * (2 * n + 1)];
        allocate(1);
        build(0, 0, n, (minX + maxX) / 2, (minY + maxY) / 2, side, 0);
        for (int t = 0; t < n; t++) position[order[t]] = t;
    }

    /** Reserves {@code count} consecutive node ids and returns the first. */
    private int allocate(int count) {
        int first = nodes;
        nodes += count;
        if (4 * nodes > nd.length) {
            int cap = Math.max(2 * nodes, 64);
            nd = Arrays.copyOf(nd, 4 * cap);
            ni = Arrays.copyOf(ni, 2 * cap);
        }
        return first;
    }

    private void build(int node, int start, int end, double cx, double cy, double side, int depth) {
        double sx = 0, sy = 0;
        double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        int c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        for (int t = start; t < end; t++) {
            double a = px[t], b = py[t];
            sx += a;
            sy += b;
            if (a < minX) minX = a;
            if (a > maxX) maxX = a;
            if (b < minY) minY = b;
            if (b > maxY) maxY = b;
            int q = (a >= cx ? 1 : 0) | (b >= cy ? 2 : 0);
            quad[t] = (byte) q;
            switch (q) {
                case 0 -> c0++;
                case 1 -> c1++;
                case 2 -> c2++;
                default -> c3++;
            }
        }
        int m = end - start;
        nd[4 * node] = sx / m;
        nd[4 * node + 1] = sy / m;
        nd[4 * node + 2] = side * side;
        nd[4 * node + 3] = m;
        if (m <= LEAF_SIZE || depth >= MAX_DEPTH || (minX == maxX && minY == maxY)) {
            ni[2 * node] = -1 - start;
            ni[2 * node + 1] = end;
            return;
        }
        // stable counting sort of the range into quadrants: 0 = (x<cx, y<cy), 1 = (x>=cx, y<cy), 2, 3
        int f0 = start, f1 = f0 + c0, f2 = f1 + c1, f3 = f2 + c2;
        for (int t = start; t < end; t++) {
            int dst;
            switch (quad[t]) {
                case 0 -> dst = f0++;
                case 1 -> dst = f1++;
                case 2 -> dst = f2++;
                default -> dst = f3++;
            }
            scratch[dst] = order[t];
            spx[dst] = px[t];
            spy[dst] = py[t];
        }
        System.arraycopy(scratch, start, order, start, m);
        System.arraycopy(spx, start, px, start, m);
        System.arraycopy(spy, start, py, start, m);
        int children = (c0 > 0 ? 1 : 0) + (c1 > 0 ? 1 : 0) + (c2 > 0 ? 1 : 0) + (c3 > 0 ? 1 : 0);
        int first = allocate(children);
        ni[2 * node] = first;
        ni[2 * node + 1] = children;
        double h = side / 4, half = side / 2;
        int c = first, s = start;
        if (c0 > 0) build(c++, s, s + c0, cx - h, cy - h, half, depth + 1);
        s += c0;
        if (c1 > 0) build(c++, s, s + c1, cx + h, cy - h, half, depth + 1);
        s += c1;
        if (c2 > 0) build(c++, s, s + c2, cx - h, cy + h, half, depth + 1);
        s += c2;
        if (c3 > 0) build(c, s, s + c3, cx + h, cy + h, half, depth + 1);
    }

    /**
     * Barnes-Hut repulsion on point i: adds sum_j q_ij^2 (y_i - y_j) (unnormalised, q = 1/(1+d^2))
     * to {@code force[0..1]} and returns sum_{j != i} q_ij. A cell is summarised by its centre of
     * mass when side^2 < theta^2 * distance^2 (scikit-learn's criterion); otherwise a leaf's points
     * are visited one by one (leaving out point i itself).
     *
     * @param stack scratch array of length {@link #stackSize()}
     */
    double repulsion(int i, double theta2, double[] force, int[] stack) {
        final double[] nd = this.nd;
        final int[] ni = this.ni;
        double yx = y[2 * i], yy = y[2 * i + 1];
        int pos = position[i];
        double z = 0, fx = 0, fy = 0;
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            int node = stack[--sp];
            int a = ni[2 * node], b = ni[2 * node + 1];
            double dx = yx - nd[4 * node], dy = yy - nd[4 * node + 1];
            double d2 = dx * dx + dy * dy;
            // far enough (and, for a leaf, not holding the point itself): the node's centre of mass stands for it
            if (nd[4 * node + 2] < theta2 * d2 && (a >= 0 || pos < -1 - a || pos >= b)) {
                double q = 1 / (1 + d2);
                double cnt = nd[4 * node + 3];
                z += cnt * q;
                double qq = cnt * q * q;
                fx += qq * dx;
                fy += qq * dy;
            } else if (a < 0) { // leaf: points [start, end) of the tree order
                int start = -1 - a;
                for (int t = start; t < b; t++) {
                    if (t == pos) continue;
                    double ex = yx - px[t], ey = yy - py[t];
                    double q = 1 / (1 + ex * ex + ey * ey);
                    z += q;
                    double qq = q * q;
                    fx += qq * ex;
                    fy += qq * ey;
                }
            } else {
                for (int c = a + b - 1; c >= a; c--) stack[sp++] = c;
            }
        }
        force[0] += fx;
        force[1] += fy;
        return z;
    }

    static int stackSize() {
        return 3 * MAX_DEPTH + 8;
    }
}
