package org.itaestudio.cluster;

import java.util.Arrays;
import java.util.List;

/**
 * "More like this": exact k nearest neighbours of one query by cosine similarity, over a fixed set of embeddings.
 *
 * <p>The rows are L2-normalised once and stored as column blocks transposed (d x {@link #WIDTH}), like
 * {@link DotBlocks}: the dot products of a query with a block are then element-wise multiply-adds over the block's
 * width, a loop HotSpot compiles to SIMD instructions. One query reads the whole matrix once (n * d floats), so the
 * cost is memory bandwidth: ~77 MB for 50,000 x 384. Candidates are ranked by the float dot products; the best
 * {@code k + }{@link #MARGIN} are then recomputed in double and the top k returned, so the answer is exact unless
 * more than {@link #MARGIN} rows tie with the k-th within float rounding (~1e-6).
 *
 * <p>Immutable after construction and safe to query from several threads.
 */
public final class CosineIndex {
    static final int WIDTH = 256;
    /** Extra candidates recomputed exactly, so float rounding cannot push a true neighbour out. */
    static final int MARGIN = 8;

    /** A neighbour: row index and cosine similarity in [-1, 1]. */
    public record Neighbor(int index, double similarity) {
    }

    private final int n;
    private final int d;
    /** The rows, unit length (all-zero rows stay zero). */
    private final float[][] unit;
    /** blocks[b][q][jj] = unit[b * WIDTH + jj][q] (zero past n). */
    private final float[][][] blocks;

    /** Builds the index over {@code x} (n x d, finite; copied and normalised). */
    public CosineIndex(float[][] x) {
        this.d = Embeddings.checkMatrix(x, "cosine index");
        this.n = x.length;
        this.unit = Embeddings.l2Normalized(x);
        int nb = BlockRunner.blocks(n, WIDTH);
        this.blocks = new float[nb][][];
        for (int b = 0; b < nb; b++) {
            float[][] t = new float[d][WIDTH];
            for (int j = b * WIDTH, end = Math.min(n, j + WIDTH); j < end; j++) {
                float[] row = unit[j];
                for (int q = 0; q < d; q++) t[q][j - b * WIDTH] = row[q];
            }
            blocks[b] = t;
        }
    }

    public int size() {
        return n;
    }

    public int dimension() {
        return d;
    }

    /** The k rows most similar to row {@code row}, the row itself excluded; most similar first. */
    public List<Neighbor> nearestTo(int row, int k) {
        if (row < 0 || row >= n) throw new IllegalArgumentException("no row " + row + " (there are " + n + ")");
        return nearest(unit[row], k, row);
    }

    /**
     * The k rows most similar to {@code query} (any length-d vector; it is normalised here), most similar first,
     * ties by lower index; {@code exclude} (or -1) is left out.
     *
     * @throws IllegalArgumentException if k is not in [1, rows available] or the query is malformed
     */
    public List<Neighbor> nearest(float[] query, int k, int exclude) {
        if (query == null || query.length != d) {
            throw new IllegalArgumentException("query has length " + (query == null ? "null" : query.length) + ", expected " + d);
        }
        int available = n - (exclude >= 0 && exclude < n ? 1 : 0);
        if (k < 1 || k > available) {
            throw new IllegalArgumentException("k must be in [1, " + available + "], got " + k);
        }
        float[] q = Embeddings.l2Normalized(new float[][] {query})[0];
        for (float v : q) {
            if (!Float.isFinite(v)) throw new IllegalArgumentException("query has a non-finite value");
        }
        int keep = Math.min(available, k + MARGIN);
        // min-heap of the best `keep` candidates by (float similarity, -index)
        float[] heapS = new float[keep];
        int[] heapI = new int[keep];
        int size = 0;
        float[] acc = new float[WIDTH];
        for (int b = 0; b < blocks.length; b++) {
            dotBlock(q, blocks[b], acc);
            int j0 = b * WIDTH, cols = Math.min(WIDTH, n - j0);
            for (int c = 0; c < cols; c++) {
                int j = j0 + c;
                if (j == exclude) continue;
                float s = acc[c];
                if (size < keep) {
                    siftUp(heapS, heapI, size++, s, j);
                } else if (better(s, j, heapS[0], heapI[0])) {
                    siftDown(heapS, heapI, keep, s, j);
                }
            }
        }
        Neighbor[] cand = new Neighbor[size];
        for (int t = 0; t < size; t++) cand[t] = new Neighbor(heapI[t], exactCosine(q, unit[heapI[t]]));
        Arrays.sort(cand, (a, c) -> a.similarity() != c.similarity() ? Double.compare(c.similarity(), a.similarity())
                : Integer.compare(a.index(), c.index()));
        return List.of(Arrays.copyOf(cand, k));
    }

    /** Cosine similarity of rows i and j, in double. */
    public double similarity(int i, int j) {
        return exactCosine(unit[i], unit[j]);
    }

    /** acc[jj] = dot(q, column jj of the block). */
    private void dotBlock(float[] q, float[][] t, float[] acc) {
        Arrays.fill(acc, 0);
        for (int k = 0; k < d; k++) {
            float s = q[k];
            float[] col = t[k];
            for (int jj = 0; jj < WIDTH; jj++) acc[jj] += s * col[jj];
        }
    }

    /** Exact cosine of two unit (or zero) vectors, accumulated in double, clamped to [-1, 1]. */
    static double exactCosine(float[] a, float[] b) {
        double s = Embeddings.dot(a, b);
        return Math.max(-1, Math.min(1, s));
    }

    /** Similarity s at index j ranks above (t, i): higher similarity, or equal and lower index. */
    private static boolean better(float s, int j, float t, int i) {
        return s > t || (s == t && j < i);
    }

    /** Min-heap on "better": the root is the worst kept candidate. */
    private static void siftUp(float[] hs, int[] hi, int pos, float s, int j) {
        while (pos > 0) {
            int parent = (pos - 1) >>> 1;
            if (!better(hs[parent], hi[parent], s, j)) break;
            hs[pos] = hs[parent];
            hi[pos] = hi[parent];
            pos = parent;
        }
        hs[pos] = s;
        hi[pos] = j;
    }

    private static void siftDown(float[] hs, int[] hi, int size, float s, int j) {
        int pos = 0;
        while (true) {
            int c = 2 * pos + 1;
            if (c >= size) break;
            if (c + 1 < size && better(hs[c], hi[c], hs[c + 1], hi[c + 1])) c++;
            if (!better(s, j, hs[c], hi[c])) break;
            hs[pos] = hs[c];
            hi[pos] = hi[c];
            pos = c;
        }
        hs[pos] = s;
        hi[pos] = j;
    }
}
