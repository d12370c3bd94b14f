package org.itaestudio.cluster;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

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

    private static final int ROW_BLOCK = 64;

    static NearestNeighbors exact(float[][] x, int k, BlockRunner runner, ProgressListener progress,
                                  BooleanSupplier cancelled) {
        int n = x.length;
        if (k < 1 || k > n - 1) throw new IllegalArgumentException("kNN: k must be in [1, n-1], got " + k + " for n=" + n);
        DotBlocks dots = new DotBlocks(x, runner);
        int[][] idx = new int[n][k];
        double[][] dist = new double[n][k];
        int nBlocks = BlockRunner.blocks(n, ROW_BLOCK);
        // Process row blocks in slices so the caller thread can report progress and poll cancellation.
        int slice = Math.max(1, Math.min(nBlocks, 16));
        if (progress != null) progress.progress("neighbours", 0, n);
        for (int s = 0; s < nBlocks; s += slice) {
            if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("kNN cancelled");
            int s0 = s, s1 = Math.min(nBlocks, s + slice);
            runner.run(s1 - s0, b -> searchBlock(x, dots, (s0 + b) * ROW_BLOCK, Math.min(n, (s0 + b + 1) * ROW_BLOCK),
                    k, idx, dist));
            if (progress != null) progress.progress("neighbours", Math.min(n, s1 * ROW_BLOCK), n);
        }
        return new NearestNeighbors(idx, dist);
    }

    private static void searchBlock(float[][] x, DotBlocks dots, int i0, int i1, int k, int[][] idx, double[][] dist) {
        int n = x.length;
        int rows = i1 - i0;
        float[][] acc = DotBlocks.newAccumulators();
        // per-row bounded max-heaps
        double[][] heapD = new double[rows][k];
        int[][] heapI = new int[rows][k];
        int[] size = new int[rows];
        for (int b = 0; b < dots.blockCount(); b++) {
            int j0 = b * DotBlocks.WIDTH, j1 = Math.min(n, j0 + DotBlocks.WIDTH);
            for (int r0 = 0; r0 < rows; r0 += 4) {
                dots.distancesToBlock(x, i0 + r0, b, acc);
                for (int t = 0; t < 4 && r0 + t < rows; t++) {
                    int r = r0 + t, i = i0 + r;
                    double[] hd = heapD[r];
                    int[] hi = heapI[r];
                    float[] a = acc[t];
                    if (i >= j0 && i < j1) a[i - j0] = Float.POSITIVE_INFINITY; // not its own neighbour
                    int w = j1 - j0;
                    int jj = 0;
                    while (size[r] < k && jj < w) {
                        if (a[jj] != Float.POSITIVE_INFINITY) siftUp(hd, hi, size[r]++, a[jj], j0 + jj);
                        jj++;
                    }
                    // Common case: a tight scan against the current k-th distance; heap work is rare.
                    float threshold = size[r] < k ? Float.POSITIVE_INFINITY : (float) hd[0];
                    for (; jj < w; jj++) {
                        if (a[jj] < threshold) {
                            siftDown(hd, hi, k, a[jj], j0 + jj);
                            threshold = (float) hd[0];
                        }
                    }
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            int[] hi = heapI[r];
            // exact distances for the chosen neighbours, then sort by (distance, index)
            double[] exact = new double[k];
            Integer[] pos = new Integer[k];
            for (int t = 0; t < k; t++) {
                exact[t] = Embeddings.squaredDistance(x[i], x[hi[t]]);
                pos[t] = t;
            }
            java.util.Arrays.sort(pos, (a, b) -> exact[a] != exact[b] ? Double.compare(exact[a], exact[b])
                    : Integer.compare(hi[a], hi[b]));
            for (int t = 0; t < k; t++) {
                idx[i][t] = hi[pos[t]];
                dist[i][t] = exact[pos[t]];
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
