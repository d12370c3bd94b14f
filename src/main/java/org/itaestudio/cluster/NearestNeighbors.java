package org.itaestudio.cluster;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * Exact k nearest neighbours (squared Euclidean) by blocked brute force.
 *
 * <p>Why not a vantage-point tree: on 384-D embeddings a VP-tree's triangle-inequality pruning
 * removes little, because distances concentrate; brute force over SIMD-friendly dot-product
 * blocks ({@link DotBlocks}) does the same exact search with no data-dependent worst case.
 * Candidates are ranked by float-accumulated distances, the chosen k are then recomputed exactly
 * in double. Rows are independent, so blocks of rows run in parallel deterministically.
 */
final class NearestNeighbors {
    /** Neighbour indices, n x k, nearest first (ties: lower index first). */
    final int[][] indices;
    /** Squared Euclidean distances matching {@link #indices}, recomputed exactly (not via the dot trick). */
    final double[][] squaredDistances;

    private NearestNeighbors(int[][] indices, double[][] squaredDistances) {
        this.indices = indices;
        this.squaredDistances = squaredDistances;
    }

    static NearestNeighbors exact(float[][] x, int k, BlockRunner runner, ProgressListener progress,
                                  BooleanSupplier cancelled) {
        int n = x.length;
        if (k < 1 || k > n - 1) throw new IllegalArgumentException("kNN: k must be in [1, n-1], got " + k + " for n=" + n);
        DotBlocks dots = new DotBlocks(x, runner);
        int blocks = dots.blockCount();
        double[][] heapD = new double[n][k];
        int[][] heapI = new int[n][k];
        int[] size = new int[n];
        // Each distance is computed once (tile (I, J) with I <= J feeds the heaps of both blocks).
        // Tiles run in rounds of a round-robin schedule: within a round no two tiles share a block,
        // so they update disjoint heaps in parallel. Keeping the k smallest under the total order
        // (distance, index) makes the result independent of the order candidates arrive in.
        int m = blocks % 2 == 0 ? blocks : blocks + 1; // + a dummy block when odd
        int rounds = m - 1;
        long totalTiles = (long) blocks * (blocks + 1) / 2;
        long doneTiles = 0;
        if (progress != null) progress.onProgress(Progress.of("neighbours", 0, 1000));
        for (int round = -1; round < rounds; round++) {
            if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("kNN cancelled");
            int[][] pairs = round < 0 ? diagonal(blocks) : roundRobin(m, round, blocks);
            runner.run(pairs.length, t -> tile(x, dots, pairs[t][0], pairs[t][1], k, heapD, heapI, size));
            doneTiles += pairs.length;
            if (progress != null) progress.onProgress(Progress.of("neighbours", (int) (1000 * doneTiles / totalTiles), 1000));
        }
        int[][] idx = new int[n][k];
        double[][] dist = new double[n][k];
        runner.run(BlockRunner.blocks(n, 256), b -> {
            for (int i = b * 256, end = Math.min(n, i + 256); i < end; i++) {
                int[] hi = heapI[i];
                // exact distances for the chosen neighbours, then sort by (distance, index)
                double[] exact = new double[k];
                Integer[] pos = new Integer[k];
                for (int t = 0; t < k; t++) {
                    exact[t] = Embeddings.squaredDistance(x[i], x[hi[t]]);
                    pos[t] = t;
                }
                java.util.Arrays.sort(pos, (p, q) -> exact[p] != exact[q] ? Double.compare(exact[p], exact[q])
                        : Integer.compare(hi[p], hi[q]));
                for (int t = 0; t < k; t++) {
                    idx[i][t] = hi[pos[t]];
                    dist[i][t] = exact[pos[t]];
                }
            }
        });
        return new NearestNeighbors(idx, dist);
    }

    private static int[][] diagonal(int blocks) {
        int[][] pairs = new int[blocks][];
        for (int b = 0; b < blocks; b++) pairs[b] = new int[]{b, b};
        return pairs;
    }

    /** Round {@code round} of the circle method over m (even) slots; pairs with the dummy slot (>= blocks) are dropped. */
    private static int[][] roundRobin(int m, int round, int blocks) {
        java.util.List<int[]> pairs = new java.util.ArrayList<>();
        int last = m - 1;
        addPair(pairs, last, round, blocks);
        for (int t = 1; t < m / 2; t++) addPair(pairs, (round + t) % last, (round - t + last) % last, blocks);
        return pairs.toArray(new int[0][]);
    }

    private static void addPair(java.util.List<int[]> pairs, int a, int b, int blocks) {
        if (a >= blocks || b >= blocks) return;
        pairs.add(new int[]{Math.min(a, b), Math.max(a, b)});
    }

    /** Distances between blocks I <= J; offers them to the heaps of the rows of I and (if I != J) of J. */
    private static void tile(float[][] x, DotBlocks dots, int bi, int bj, int k, double[][] heapD, int[][] heapI,
                             int[] size) {
        int n = x.length, w = DotBlocks.WIDTH;
        int i0 = bi * w, i1 = Math.min(n, i0 + w);
        int j0 = bj * w, j1 = Math.min(n, j0 + w);
        int rows = i1 - i0, cols = j1 - j0;
        float[][] acc = DotBlocks.newAccumulators();
        float[] tile = new float[rows * w];
        for (int r0 = 0; r0 < rows; r0 += 4) {
            dots.distancesToBlock(x, i0 + r0, bj, acc);
            for (int t = 0; t < 4 && r0 + t < rows; t++) System.arraycopy(acc[t], 0, tile, (r0 + t) * w, cols);
        }
        float[] line = new float[Math.max(rows, cols)];
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            System.arraycopy(tile, r * w, line, 0, cols);
            if (bi == bj) line[r] = Float.POSITIVE_INFINITY; // not its own neighbour
            offer(heapD[i], heapI[i], size, i, k, line, cols, j0);
        }
        if (bi == bj) return;
        for (int c = 0; c < cols; c++) {
            int j = j0 + c;
            for (int r = 0; r < rows; r++) line[r] = tile[r * w + c];
            offer(heapD[j], heapI[j], size, j, k, line, rows, i0);
        }
    }

    /** Offers candidates {@code base + t} at distances {@code d[t]} (t < count) to row {@code row}'s heap. */
    private static void offer(double[] hd, int[] hi, int[] size, int row, int k, float[] d, int count, int base) {
        int t = 0;
        while (size[row] < k && t < count) {
            if (d[t] != Float.POSITIVE_INFINITY) siftUp(hd, hi, size[row]++, d[t], base + t);
            t++;
        }
        if (size[row] < k) return;
        // Common case: a tight scan against the current k-th distance; heap work is rare.
        float threshold = (float) hd[0];
        for (; t < count; t++) {
            float v = d[t];
            if (v < threshold || (v == threshold && base + t < hi[0])) {
                siftDown(hd, hi, k, v, base + t);
                threshold = (float) hd[0];
            }
        }
    }

    /** Max-heap keyed by (distance, index): larger distance, or equal distance and larger index, is "bigger". */
    private static boolean bigger(double d1, int i1, double d2, int i2) {
        return d1 > d2 || (d1 == d2 && i1 > i2);
    }

    private static void siftUp(double[] hd, int[] hi, int pos, double d, int j) {
        while (pos > 0) {
            int parent = (pos - 1) >>> 1;
            if (!bigger(d, j, hd[parent], hi[parent])) break;
            hd[pos] = hd[parent];
            hi[pos] = hi[parent];
            pos = parent;
        }
        hd[pos] = d;
        hi[pos] = j;
    }

    /** Replaces the root with (d, j) and restores the heap. */
    private static void siftDown(double[] hd, int[] hi, int size, double d, int j) {
        int pos = 0;
        while (true) {
            int c = 2 * pos + 1;
            if (c >= size) break;
            if (c + 1 < size && bigger(hd[c + 1], hi[c + 1], hd[c], hi[c])) c++;
            if (!bigger(hd[c], hi[c], d, j)) break;
            hd[pos] = hd[c];
            hi[pos] = hi[c];
            pos = c;
        }
        hd[pos] = d;
        hi[pos] = j;
    }
}
