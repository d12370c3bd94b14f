package org.itaestudio.ui;

import java.util.Arrays;

/**
 * A uniform-grid spatial index over 2-D points (data coordinates) for hover, click, box and lasso selection on the
 * map. Built once per data set in O(n); a query touches only the cells its region overlaps, so hovering 50,000
 * points costs microseconds. Immutable and thread-safe.
 */
final class PointIndex {

    private final double[] xs;
    private final double[] ys;
    private final double minX;
    private final double minY;
    private final double cellSize;
    private final int cols;
    private final int rows;
    private final int[] cellStart; // CSR: points of cell c are cellItems[cellStart[c] .. cellStart[c+1])
    private final int[] cellItems;

    public PointIndex(double[] xs, double[] ys) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("x and y differ in length");
        }
        this.xs = xs.clone();
        this.ys = ys.clone();
        int n = xs.length;
        double x0 = Double.POSITIVE_INFINITY, y0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            x0 = Math.min(x0, xs[i]);
            x1 = Math.max(x1, xs[i]);
            y0 = Math.min(y0, ys[i]);
            y1 = Math.max(y1, ys[i]);
        }
        if (n == 0) {
            x0 = y0 = 0;
            x1 = y1 = 1;
        }
        double w = Math.max(x1 - x0, 1e-9);
        double h = Math.max(y1 - y0, 1e-9);
        // about 4 points per cell on average
        double cell = Math.sqrt(w * h * 4.0 / Math.max(1, n));
        cell = Math.max(cell, Math.max(w, h) / 1024);
        this.minX = x0;
        this.minY = y0;
        this.cellSize = cell;
        this.cols = Math.max(1, (int) Math.floor(w / cell) + 1);
        this.rows = Math.max(1, (int) Math.floor(h / cell) + 1);
        int[] counts = new int[cols * rows + 1];
        int[] cellOf = new int[n];
        for (int i = 0; i < n; i++) {
            cellOf[i] = cell(i);
            counts[cellOf[i] + 1]++;
        }
        for (int c = 0; c < cols * rows; c++) {
            counts[c + 1] += counts[c];
        }
        this.cellStart = counts.clone();
        this.cellItems = new int[n];
        int[] fill = Arrays.copyOf(counts, counts.length);
        for (int i = 0; i < n; i++) {
            cellItems[fill[cellOf[i]]++] = i;
        }
    }

    public int size() {
        return xs.length;
    }

    public double x(int i) {
        return xs[i];
    }

    public double y(int i) {
        return ys[i];
    }

    private int cell(int i) {
        return row(ys[i]) * cols + col(xs[i]);
    }

    private int col(double x) {
        return clamp((int) Math.floor((x - minX) / cellSize), cols);
    }

    private int row(double y) {
        return clamp((int) Math.floor((y - minY) / cellSize), rows);
    }

    private static int clamp(int v, int n) {
        return v < 0 ? 0 : Math.min(v, n - 1);
    }

    /** The point nearest to (x, y) within maxDistance (data units), or -1. Ties go to the lower index. */
    public int nearest(double x, double y, double maxDistance) {
        int best = -1;
        double bestD2 = maxDistance * maxDistance;
        int c0 = col(x - maxDistance), c1 = col(x + maxDistance);
        int r0 = row(y - maxDistance), r1 = row(y + maxDistance);
        for (int r = r0; r <= r1; r++) {
            for (int c = c0; c <= c1; c++) {
                int cell = r * cols + c;
                for (int k = cellStart[cell]; k < cellStart[cell + 1]; k++) {
                    int i = cellItems[k];
                    double dx = xs[i] - x, dy = ys[i] - y;
                    double d2 = dx * dx + dy * dy;
                    if (d2 < bestD2 || (d2 == bestD2 && (best < 0 || i < best))) {
                        best = i;
                        bestD2 = d2;
                    }
                }
            }
        }
        return best;
    }

    /** Indices of the points inside the rectangle (inclusive), ascending. */
    public int[] inRect(double x0, double y0, double x1, double y1) {
        double ax = Math.min(x0, x1), bx = Math.max(x0, x1), ay = Math.min(y0, y1), by = Math.max(y0, y1);
        IntBuilder out = new IntBuilder();
        for (int r = row(ay); r <= row(by); r++) {
            for (int c = col(ax); c <= col(bx); c++) {
                int cell = r * cols + c;
                for (int k = cellStart[cell]; k < cellStart[cell + 1]; k++) {
                    int i = cellItems[k];
                    if (xs[i] >= ax && xs[i] <= bx && ys[i] >= ay && ys[i] <= by) {
                        out.add(i);
                    }
                }
            }
        }
        return out.sorted();
    }

    /**
     * Indices of the points inside a closed polygon (even-odd rule), ascending. Grid cells that no edge's bounding box
     * touches are wholly inside or outside, so one test of their centre decides all their points; only the points of
     * cells along the outline are tested one by one (a lasso around hundreds of thousands of points costs about as
     * much as its outline).
     */
    public int[] inPolygon(double[] px, double[] py) {
        if (px.length < 3 || px.length != py.length) {
            return new int[0];
        }
        double ax = Double.POSITIVE_INFINITY, ay = Double.POSITIVE_INFINITY;
        double bx = Double.NEGATIVE_INFINITY, by = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < px.length; i++) {
            ax = Math.min(ax, px[i]);
            bx = Math.max(bx, px[i]);
            ay = Math.min(ay, py[i]);
            by = Math.max(by, py[i]);
        }
        int c0 = col(ax), c1 = col(bx), r0 = row(ay), r1 = row(by);
        int wc = c1 - c0 + 1;
        boolean[] outline = new boolean[wc * (r1 - r0 + 1)];
        for (int i = 0, j = px.length - 1; i < px.length; j = i++) {
            int ec0 = col(Math.min(px[i], px[j])), ec1 = col(Math.max(px[i], px[j]));
            int er0 = row(Math.min(py[i], py[j])), er1 = row(Math.max(py[i], py[j]));
            for (int r = er0; r <= er1; r++) {
                Arrays.fill(outline, (r - r0) * wc + (ec0 - c0), (r - r0) * wc + (ec1 - c0) + 1, true);
            }
        }
        boolean[] hit = new boolean[xs.length];
        int count = 0;
        for (int r = r0; r <= r1; r++) {
            for (int c = c0; c <= c1; c++) {
                int cell = r * cols + c;
                int from = cellStart[cell], to = cellStart[cell + 1];
                if (from == to) {
                    continue;
                }
                if (outline[(r - r0) * wc + (c - c0)]) {
                    for (int k = from; k < to; k++) {
                        int i = cellItems[k];
                        if (contains(px, py, xs[i], ys[i])) {
                            hit[i] = true;
                            count++;
                        }
                    }
                } else if (contains(px, py, minX + (c + 0.5) * cellSize, minY + (r + 0.5) * cellSize)) {
                    for (int k = from; k < to; k++) {
                        hit[cellItems[k]] = true;
                    }
                    count += to - from;
                }
            }
        }
        int[] out = new int[count];
        for (int i = 0, t = 0; t < count; i++) {
            if (hit[i]) {
                out[t++] = i;
            }
        }
        return out;
    }

    static boolean contains(double[] px, double[] py, double x, double y) {
        boolean inside = false;
        for (int i = 0, j = px.length - 1; i < px.length; j = i++) {
            if ((py[i] > y) != (py[j] > y) && x < (px[j] - px[i]) * (y - py[i]) / (py[j] - py[i]) + px[i]) {
                inside = !inside;
            }
        }
        return inside;
    }

    private static final class IntBuilder {
        private int[] a = new int[16];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] sorted() {
            int[] r = Arrays.copyOf(a, n);
            Arrays.sort(r);
            return r;
        }
    }
}
