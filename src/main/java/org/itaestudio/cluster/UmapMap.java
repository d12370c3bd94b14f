package org.itaestudio.cluster;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * UMAP (McInnes, Healy, Melville 2018): a low-dimensional layout whose fuzzy neighbour graph
 * matches the data's.
 *
 * <ol>
 *   <li>k nearest neighbours, k = n_neighbors - 1 (the point itself counts as one, as in the
 *       reference implementation): exact blocked search ({@link NearestNeighbors}; at 384-D it
 *       was fast enough at 50,000 points that NN-descent was not needed, see docs/benchmarks.md).</li>
 *   <li>Fuzzy simplicial set: per point, rho = distance to the nearest neighbour at a non-zero
 *       distance, sigma by bisection so that sum_j exp(-(d_ij - rho) / sigma) = log2(n_neighbors);
 *       memberships a_ij = exp(-(d_ij - rho_i) / sigma_i) (1 within rho), then the fuzzy union
 *       w_ij = a_ij + a_ji - a_ij a_ji.</li>
 *   <li>Initialisation: PCA scores (no ARPACK for a spectral one), each axis rescaled to [0, 10]
 *       plus N(0, 1e-4) noise, as the reference implementation does for {@code init="pca"}.</li>
 *   <li>SGD on the cross entropy with the curve 1 / (1 + a d^(2b)), a and b fitted to min_dist and
 *       spread (Levenberg-Marquardt, as scipy's curve_fit in the reference); edges sampled
 *       every max(w) / w_ij epochs, 5 negative samples per positive one, gradients clipped to
 *       +-4, learning rate 1 decaying linearly, 500 epochs up to 10,000 points, else 200.</li>
 * </ol>
 *
 * <p>Determinism for any thread count: the reference's parallel SGD is lock-free ("Hogwild"),
 * so its result depends on thread timing. Here each epoch reads the other endpoints from a
 * snapshot of the previous epoch and a point moves only itself (its attraction counted twice,
 * because in the reference both endpoints of a sampled edge move and the symmetric graph holds
 * each edge in both directions); negative samples come from a random stream per (seed, epoch,
 * point). Each point's update then depends on nothing another thread writes in the same epoch.
 */
public final class UmapMap {
    private final int nNeighbors;
    private final double minDist;
    private final double spread;
    private final int epochs; // 0 = auto
    private final int negativeSampleRate;
    private final long seed;
    private final boolean normalize;
    private final int threads;
    private final int sampleSize;

    /**
     * Above this many points only a seeded sample of this size is laid out by UMAP; every other point is placed from
     * its nearest sample points (see {@link #embed}). 50,000 points take ~1.3 min of CPU (2 threads); placing the rest is
     * linear in their number.
     */
    public static final int DEFAULT_SAMPLE_SIZE = 50_000;
    /** Dimensions of the PCA space in which the other points find their nearest sample points. */
    static final int PLACEMENT_DIMS = 32;

    public UmapMap() {
        this(15, 0.1, 1.0, 0, 5, 42L, true, BlockRunner.defaultThreads(), DEFAULT_SAMPLE_SIZE);
    }

    /** Largest number of points laid out by UMAP itself (default {@link #DEFAULT_SAMPLE_SIZE}); the rest are placed. */
    public UmapMap withSampleSize(int m) {
        if (m < 3) throw new IllegalArgumentException("UMAP: sample size must be >= 3, got " + m);
        return new UmapMap(nNeighbors, minDist, spread, epochs, negativeSampleRate, seed, normalize, threads, m);
    }

    private UmapMap(int nNeighbors, double minDist, double spread, int epochs, int negativeSampleRate, long seed,
                    boolean normalize, int threads, int sampleSize) {
        if (nNeighbors < 2) throw new IllegalArgumentException("UMAP: n_neighbors must be >= 2, got " + nNeighbors);
        if (!(spread > 0)) throw new IllegalArgumentException("UMAP: spread must be > 0, got " + spread);
        if (!(minDist >= 0 && minDist <= spread)) {
            throw new IllegalArgumentException("UMAP: min_dist must be in [0, spread=" + spread + "], got " + minDist);
        }
        if (epochs < 0) throw new IllegalArgumentException("UMAP: epochs must be >= 0 (0 = auto), got " + epochs);
        if (negativeSampleRate < 0) throw new IllegalArgumentException("UMAP: negative sample rate must be >= 0");
        if (threads < 1) throw new IllegalArgumentException("UMAP: threads must be >= 1, got " + threads);
        this.nNeighbors = nNeighbors;
        this.minDist = minDist;
        this.spread = spread;
        this.epochs = epochs;
        this.negativeSampleRate = negativeSampleRate;
        this.seed = seed;
        this.normalize = normalize;
        this.threads = threads;
        this.sampleSize = sampleSize;
    }

    public UmapMap withNeighbors(int k) {
        return new UmapMap(k, minDist, spread, epochs, negativeSampleRate, seed, normalize, threads, sampleSize);
    }

    public UmapMap withMinDist(double d) {
        return new UmapMap(nNeighbors, d, spread, epochs, negativeSampleRate, seed, normalize, threads, sampleSize);
    }

    public UmapMap withSpread(double s) {
        return new UmapMap(nNeighbors, minDist, s, epochs, negativeSampleRate, seed, normalize, threads, sampleSize);
    }

    /** Number of SGD epochs; 0 (default) = 500 up to 10,000 points, else 200. */
    public UmapMap withEpochs(int e) {
        return new UmapMap(nNeighbors, minDist, spread, e, negativeSampleRate, seed, normalize, threads, sampleSize);
    }

    public UmapMap withSeed(long s) {
        return new UmapMap(nNeighbors, minDist, spread, epochs, negativeSampleRate, s, normalize, threads, sampleSize);
    }

    /** Whether rows are L2-normalised first (default true: distances then rank like cosine ones). */
    public UmapMap withNormalize(boolean b) {
        return new UmapMap(nNeighbors, minDist, spread, epochs, negativeSampleRate, seed, b, threads, sampleSize);
    }

    public UmapMap withThreads(int t) {
        return new UmapMap(nNeighbors, minDist, spread, epochs, negativeSampleRate, seed, normalize, t, sampleSize);
    }

    public Map2D compute(float[][] embeddings) {
        return compute(embeddings, null, null);
    }

    /**
     * @param progress  optional, called on this thread with stages "neighbours", "graph", "optimise"
     * @param cancelled optional, polled at least once per epoch
     */
    public Map2D compute(float[][] embeddings, ProgressListener progress, BooleanSupplier cancelled) {
        float[][] y = embed(embeddings, 2, progress, cancelled);
        int n = y.length;
        float[] mx = new float[n], my = new float[n];
        for (int i = 0; i < n; i++) {
            mx[i] = y[i][0];
            my[i] = y[i][1];
        }
        String what = n < 3 ? "PCA(fewer than 3 points, UMAP needs more)" : describe(n)
                + (n > sampleSize ? String.format(Locale.ROOT, " on a %d-point sample, the other %d placed from their %d nearest sample points",
                sampleSize, n - sampleSize, Math.min(nNeighbors, sampleSize) - 1) : "");
        return new Map2D(mx, my, what, Double.NaN);
    }

    String describe(int n) {
        n = Math.min(n, sampleSize);
        double[] ab = fitAB(minDist, spread);
        return String.format(Locale.ROOT, "UMAP(n_neighbors=%d, min_dist=%s, epochs=%d, a=%.4f, b=%.4f, seed=%d%s)",
                Math.min(nNeighbors, n), trim(minDist), epochsFor(n), ab[0], ab[1], seed,
                normalize ? ", l2-normalised" : "");
    }

    private int epochsFor(int n) {
        return epochs > 0 ? epochs : (n <= 10_000 ? 500 : 200);
    }

    /**
     * The rows of {@code embeddings} laid out in {@code dims} dimensions (n x dims). Fewer than 3
     * points get their PCA scores instead (a graph needs at least two neighbours).
     */
    public float[][] embed(float[][] embeddings, int dims, ProgressListener progress, BooleanSupplier cancelled) {
        Embeddings.checkMatrix(embeddings, "UMAP input");
        if (dims < 1) throw new IllegalArgumentException("UMAP: dimensions must be >= 1, got " + dims);
        float[][] x = normalize ? Embeddings.l2Normalized(embeddings) : embeddings;
        int n = x.length;
        if (n > sampleSize) return embedSampled(x, dims, progress, cancelled);
        try (BlockRunner runner = new BlockRunner(threads)) {
            if (n < 3) {
                double[][] s = n == 1 ? new double[1][dims] : PcaMap.scores(x, dims, runner);
                float[][] out = new float[n][dims];
                for (int i = 0; i < n; i++) for (int c = 0; c < dims; c++) out[i][c] = (float) s[i][c];
                return out;
            }
            int k = Math.min(nNeighbors - 1, n - 1);
            NearestNeighbors nn = NearestNeighbors.exact(x, k, runner, progress, cancelled);
            if (progress != null) progress.onProgress(Progress.of("graph", 0, 1));
            Graph g = fuzzyGraph(nn, Math.min(nNeighbors, n), runner);
            if (progress != null) progress.onProgress(Progress.of("graph", 1, 1));
            double[] y = initialLayout(x, dims, runner);
            optimise(g, y, dims, epochsFor(n), runner, progress, cancelled);
            float[][] out = new float[n][dims];
            for (int i = 0; i < n; i++) for (int c = 0; c < dims; c++) out[i][c] = (float) y[i * dims + c];
            return out;
        }
    }

    /**
     * Large inputs: UMAP on a seeded sample of {@link #sampleSize} rows; every other row finds its n_neighbors - 1
     * nearest sample rows in the top {@link #PLACEMENT_DIMS} principal components (of the sample) and sits at their
     * average position weighted by the same smooth-kNN memberships UMAP's graph uses (the reference's transform starts
     * from this point; it then refines it by SGD, which is left out here). Deterministic: rows are independent.
     */
    private float[][] embedSampled(float[][] x, int dims, ProgressListener progress, BooleanSupplier cancelled) {
        int n = x.length, m = sampleSize;
        int[] sample = new SplitMix64(seed ^ 0x5A3D1E5L).sampleWithoutReplacement(n, m);
        float[][] xs = new float[m][];
        for (int t = 0; t < m; t++) xs[t] = x[sample[t]];
        float[][] ys = new UmapMap(nNeighbors, minDist, spread, epochs, negativeSampleRate, seed, false, threads, m)
                .embed(xs, dims, progress, cancelled);
        float[][] out = new float[n][];
        boolean[] inSample = new boolean[n];
        for (int t = 0; t < m; t++) {
            out[sample[t]] = ys[t];
            inSample[sample[t]] = true;
        }
        int k = Math.min(nNeighbors, m) - 1;
        double target = Math.log(k + 1) / Math.log(2);
        try (BlockRunner runner = new BlockRunner(threads)) {
            int p = Math.min(PLACEMENT_DIMS, x[0].length);
            // the sample's principal axes (no sign convention needed: both sides use the same axes)
            int d = x[0].length;
            double[] mean = new double[d];
            for (float[] row : xs) for (int j = 0; j < d; j++) mean[j] += row[j];
            for (int j = 0; j < d; j++) mean[j] /= m;
            double[][] comps = PcaMap.topEigenvectors(PcaMap.covariance(xs, mean, runner), p);
            float[][] sp = new float[m][];
            runner.run(BlockRunner.blocks(m, 1024), b -> {
                for (int t = b * 1024, e = Math.min(m, t + 1024); t < e; t++) sp[t] = project(xs[t], comps, mean);
            });
            DotBlocks dots = new DotBlocks(sp, runner);
            int blocks = dots.blockCount();
            int[] rest = new int[n - m];
            for (int i = 0, r = 0; i < n; i++) if (!inSample[i]) rest[r++] = i;
            final int chunk = 64; // rows per task, in fours
            int chunks = BlockRunner.blocks(rest.length, chunk);
            final int group = 64; // tasks between cancellation checks
            if (progress != null) progress.onProgress(Progress.of("placing", 0, rest.length));
            for (int g0 = 0; g0 < chunks; g0 += group) {
                if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("UMAP cancelled");
                int gStart = g0, gEnd = Math.min(chunks, g0 + group);
                runner.run(gEnd - gStart, task -> {
                    float[][] acc = DotBlocks.newAccumulators();
                    double[][] hd = new double[4][k];
                    int[][] hi = new int[4][k];
                    int[] size = new int[4];
                    float[][] q = new float[4][];
                    float[] qn = new float[4];
                    int from = (gStart + task) * chunk, to = Math.min(rest.length, from + chunk);
                    for (int r0 = from; r0 < to; r0 += 4) {
                        int rows = Math.min(4, to - r0);
                        for (int t = 0; t < 4; t++) {
                            q[t] = project(x[rest[r0 + Math.min(t, rows - 1)]], comps, mean);
                            double sq = 0;
                            for (float v : q[t]) sq += (double) v * v;
                            qn[t] = (float) sq;
                            size[t] = 0;
                        }
                        for (int b = 0; b < blocks; b++) {
                            dots.distancesToBlock(q[0], q[1], q[2], q[3], qn[0], qn[1], qn[2], qn[3], rows, b, acc);
                            int cols = Math.min(DotBlocks.WIDTH, m - b * DotBlocks.WIDTH);
                            for (int t = 0; t < rows; t++) offer(hd[t], hi[t], size, t, k, acc[t], cols, b * DotBlocks.WIDTH);
                        }
                        for (int t = 0; t < rows; t++) out[rest[r0 + t]] = place(ys, hd[t], hi[t], size[t], dims, target);
                    }
                });
                if (progress != null) progress.onProgress(Progress.of("placing", Math.min(rest.length, (long) gEnd * chunk), rest.length));
            }
        }
        return out;
    }

    private static float[] project(float[] row, double[][] comps, double[] mean) {
        float[] out = new float[comps.length];
        for (int c = 0; c < comps.length; c++) {
            double s = 0;
            double[] u = comps[c];
            for (int j = 0; j < row.length; j++) s += (row[j] - mean[j]) * u[j];
            out[c] = (float) s;
        }
        return out;
    }

    /** Keeps the k smallest (distance, index) candidates of one row in a max-heap (root = the worst kept). */
    private static void offer(double[] hd, int[] hi, int[] size, int row, int k, float[] d, int count, int base) {
        for (int t = 0; t < count; t++) {
            double v = d[t];
            int j = base + t;
            if (size[row] < k) {
                int pos = size[row]++;
                while (pos > 0) {
                    int parent = (pos - 1) >>> 1;
                    if (!(v > hd[parent] || v == hd[parent] && j > hi[parent])) break;
                    hd[pos] = hd[parent];
                    hi[pos] = hi[parent];
                    pos = parent;
                }
                hd[pos] = v;
                hi[pos] = j;
            } else if (v < hd[0] || v == hd[0] && j < hi[0]) {
                int pos = 0;
                while (true) {
                    int c = 2 * pos + 1;
                    if (c >= k) break;
                    if (c + 1 < k && (hd[c + 1] > hd[c] || hd[c + 1] == hd[c] && hi[c + 1] > hi[c])) c++;
                    if (!(hd[c] > v || hd[c] == v && hi[c] > j)) break;
                    hd[pos] = hd[c];
                    hi[pos] = hi[c];
                    pos = c;
                }
                hd[pos] = v;
                hi[pos] = j;
            }
        }
    }

    /**
     * Weighted mean of the neighbours' layout positions, weights exp(-(d - rho) / sigma) with rho and sigma found as
     * in {@link #fuzzyGraph} (the heap holds squared distances, hence the square roots).
     */
    private static float[] place(float[][] ys, double[] hd, int[] hi, int count, int dims, double target) {
        double[] d = new double[count];
        double rho = Double.POSITIVE_INFINITY;
        for (int t = 0; t < count; t++) {
            d[t] = Math.sqrt(Math.max(0, hd[t]));
            if (d[t] > 0) rho = Math.min(rho, d[t]);
        }
        if (rho == Double.POSITIVE_INFINITY) rho = 0;
        double lo = 0, hiS = Double.POSITIVE_INFINITY, mid = 1;
        for (int it = 0; it < 64; it++) {
            double psum = 0;
            for (int t = 0; t < count; t++) psum += d[t] - rho > 0 ? Math.exp(-(d[t] - rho) / mid) : 1.0;
            if (Math.abs(psum - target) < 1e-5) break;
            if (psum > target) {
                hiS = mid;
                mid = (lo + hiS) / 2;
            } else {
                lo = mid;
                mid = hiS == Double.POSITIVE_INFINITY ? mid * 2 : (lo + hiS) / 2;
            }
        }
        double[] acc = new double[dims];
        double total = 0;
        for (int t = 0; t < count; t++) {
            double w = d[t] - rho > 0 ? Math.exp(-(d[t] - rho) / mid) : 1.0;
            total += w;
            for (int c = 0; c < dims; c++) acc[c] += w * ys[hi[t]][c];
        }
        float[] out = new float[dims];
        for (int c = 0; c < dims; c++) out[c] = (float) (acc[c] / total);
        return out;
    }

    /** Symmetric fuzzy graph in CSR form: row i's neighbours are col[rowStart[i] .. rowStart[i+1]). */
    record Graph(int[] rowStart, int[] col, double[] weight) {
        int n() {
            return rowStart.length - 1;
        }
    }

    /**
     * Smooth kNN distances and the fuzzy union (see the class comment). {@code kTarget} is
     * n_neighbors including the point itself, as in the reference.
     */
    static Graph fuzzyGraph(NearestNeighbors nn, int kTarget, BlockRunner runner) {
        int n = nn.indices.length, k = nn.indices[0].length;
        double target = Math.log(kTarget) / Math.log(2);
        double[][] memb = new double[n][k];
        double[] globalMean = {0};
        for (double[] row : nn.squaredDistances) for (double v : row) globalMean[0] += Math.sqrt(v);
        globalMean[0] /= (double) n * (k + 1); // the reference's mean includes each point's zero self-distance
        runner.run(BlockRunner.blocks(n, 512), b -> {
            double[] d = new double[k];
            for (int i = b * 512, end = Math.min(n, i + 512); i < end; i++) {
                double sum = 0;
                double rho = 0;
                for (int t = 0; t < k; t++) {
                    d[t] = Math.sqrt(nn.squaredDistances[i][t]);
                    sum += d[t];
                    if (rho == 0 && d[t] > 0) rho = d[t];
                }
                double lo = 0, hi = Double.POSITIVE_INFINITY, mid = 1;
                for (int it = 0; it < 64; it++) {
                    double psum = 0;
                    for (int t = 0; t < k; t++) {
                        double e = d[t] - rho;
                        psum += e > 0 ? Math.exp(-e / mid) : 1.0;
                    }
                    if (Math.abs(psum - target) < 1e-5) break;
                    if (psum > target) {
                        hi = mid;
                        mid = (lo + hi) / 2;
                    } else {
                        lo = mid;
                        mid = hi == Double.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2;
                    }
                }
                double floor = 1e-3 * (rho > 0 ? sum / (k + 1) : globalMean[0]);
                double sigma = Math.max(mid, floor);
                for (int t = 0; t < k; t++) {
                    double e = d[t] - rho;
                    memb[i][t] = e <= 0 || sigma == 0 ? 1.0 : Math.exp(-e / sigma);
                }
            }
        });
        // forward rows sorted by column, and the transpose by counting sort (rows visited in order,
        // so each transposed row comes out sorted by its source point)
        int[][] fc = new int[n][];
        double[][] fw = new double[n][];
        int[] inCount = new int[n + 1];
        for (int i = 0; i < n; i++) {
            int[] idx = nn.indices[i];
            Integer[] order = new Integer[k];
            for (int t = 0; t < k; t++) order[t] = t;
            Arrays.sort(order, (p, q) -> Integer.compare(idx[p], idx[q]));
            fc[i] = new int[k];
            fw[i] = new double[k];
            for (int t = 0; t < k; t++) {
                fc[i][t] = idx[order[t]];
                fw[i][t] = memb[i][order[t]];
                inCount[idx[order[t]] + 1]++;
            }
        }
        for (int j = 0; j < n; j++) inCount[j + 1] += inCount[j];
        int[] tc = new int[n * k];
        double[] tw = new double[n * k];
        int[] fill = Arrays.copyOf(inCount, n);
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < k; t++) {
                int j = fc[i][t];
                tc[fill[j]] = i;
                tw[fill[j]++] = fw[i][t];
            }
        }
        // merge: w_ij = a + b - a b over the union of the two sorted lists
        int[] rowStart = new int[n + 1];
        int[] col = new int[2 * n * k];
        double[] w = new double[2 * n * k];
        int m = 0;
        for (int i = 0; i < n; i++) {
            rowStart[i] = m;
            int p = 0, q = inCount[i], qEnd = inCount[i + 1];
            while (p < k || q < qEnd) {
                int cp = p < k ? fc[i][p] : Integer.MAX_VALUE;
                int cq = q < qEnd ? tc[q] : Integer.MAX_VALUE;
                double a = 0, bb = 0;
                int c;
                if (cp <= cq) {
                    c = cp;
                    a = fw[i][p++];
                    if (cq == cp) bb = tw[q++];
                } else {
                    c = cq;
                    bb = tw[q++];
                }
                double v = a + bb - a * bb;
                if (v > 0) {
                    col[m] = c;
                    w[m++] = v;
                }
            }
        }
        rowStart[n] = m;
        return new Graph(rowStart, Arrays.copyOf(col, m), Arrays.copyOf(w, m));
    }

    /** PCA scores, each axis min-max scaled to [0, 10], plus N(0, 1e-4) noise; interleaved n x dims. */
    private double[] initialLayout(float[][] x, int dims, BlockRunner runner) {
        int n = x.length;
        double[][] s = PcaMap.scores(x, dims, runner);
        double[] y = new double[n * dims];
        SplitMix64 rng = new SplitMix64(seed);
        for (int c = 0; c < dims; c++) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double[] r : s) {
                lo = Math.min(lo, r[c]);
                hi = Math.max(hi, r[c]);
            }
            double scale = hi > lo ? 10 / (hi - lo) : 0;
            for (int i = 0; i < n; i++) y[i * dims + c] = (s[i][c] - lo) * scale;
        }
        for (int t = 0; t < y.length; t++) y[t] += 1e-4 * rng.nextGaussian();
        return y;
    }

    private void optimise(Graph g, double[] y, int dims, int nEpochs, BlockRunner runner, ProgressListener progress,
                          BooleanSupplier cancelled) {
        int n = g.n();
        double[] ab = fitAB(minDist, spread);
        double a = ab[0], b = ab[1];
        double maxW = 0;
        for (double v : g.weight()) maxW = Math.max(maxW, v);
        int edges = g.col().length;
        // edges below max/epochs would be sampled less than once: the reference drops them
        double[] perSample = new double[edges];
        for (int e = 0; e < edges; e++) {
            double w = g.weight()[e];
            perSample[e] = w >= maxW / nEpochs ? maxW / w : -1;
        }
        double[] nextSample = perSample.clone();
        double[] perNegative = new double[edges];
        for (int e = 0; e < edges; e++) perNegative[e] = perSample[e] / negativeSampleRate;
        double[] nextNegative = perNegative.clone();
        double[] prev = new double[y.length];
        final int block = 1024;
        if (progress != null) progress.onProgress(Progress.of("optimise", 0, nEpochs));
        for (int epoch = 0; epoch < nEpochs; epoch++) {
            if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("UMAP cancelled");
            System.arraycopy(y, 0, prev, 0, y.length);
            double alpha = 1.0 - (double) epoch / nEpochs;
            int ep = epoch;
            runner.run(BlockRunner.blocks(n, block), blk -> {
                double[] cur = new double[dims];
                for (int i = blk * block, end = Math.min(n, i + block); i < end; i++) {
                    SplitMix64 rng = null;
                    int base = i * dims;
                    for (int c = 0; c < dims; c++) cur[c] = y[base + c];
                    for (int e = g.rowStart()[i], eEnd = g.rowStart()[i + 1]; e < eEnd; e++) {
                        if (perSample[e] < 0 || nextSample[e] > ep) continue;
                        int j = g.col()[e];
                        int ob = j * dims;
                        double d2 = 0;
                        for (int c = 0; c < dims; c++) {
                            double t = cur[c] - prev[ob + c];
                            d2 += t * t;
                        }
                        if (d2 > 0) {
                            double pb = Math.pow(d2, b);
                            double coeff = -2.0 * a * b * (pb / d2) / (a * pb + 1.0);
                            for (int c = 0; c < dims; c++) {
                                cur[c] += 2 * alpha * clip(coeff * (cur[c] - prev[ob + c]));
                            }
                        }
                        nextSample[e] += perSample[e];
                        int negatives = (int) ((ep - nextNegative[e]) / perNegative[e]);
                        if (negatives > 0 && rng == null) rng = SplitMix64.forStream(seed, (long) ep * n + i);
                        for (int p = 0; p < negatives; p++) {
                            int kk = rng.nextInt(n);
                            if (kk == i) continue;
                            int kb = kk * dims;
                            double q2 = 0;
                            for (int c = 0; c < dims; c++) {
                                double t = cur[c] - prev[kb + c];
                                q2 += t * t;
                            }
                            if (q2 <= 0) continue;
                            double coeff = 2.0 * b / ((0.001 + q2) * (a * Math.pow(q2, b) + 1.0));
                            for (int c = 0; c < dims; c++) cur[c] += alpha * clip(coeff * (cur[c] - prev[kb + c]));
                        }
                        nextNegative[e] += negatives * perNegative[e];
                    }
                    for (int c = 0; c < dims; c++) y[base + c] = cur[c];
                }
            });
            if (progress != null) progress.onProgress(Progress.of("optimise", epoch + 1, nEpochs));
        }
    }

    private static double clip(double v) {
        return v > 4 ? 4 : (v < -4 ? -4 : v);
    }

    /**
     * a and b of 1 / (1 + a x^(2b)) fitted by least squares to 1 for x < min_dist and
     * exp(-(x - min_dist) / spread) beyond, on 300 points of [0, 3 spread] (the reference's grid),
     * by Levenberg-Marquardt from (1, 1).
     */
    static double[] fitAB(double minDist, double spread) {
        int m = 300;
        double[] xs = new double[m], ys = new double[m];
        for (int t = 0; t < m; t++) {
            xs[t] = 3 * spread * t / (m - 1);
            ys[t] = xs[t] < minDist ? 1.0 : Math.exp(-(xs[t] - minDist) / spread);
        }
        double a = 1, b = 1, lambda = 1e-3;
        double cost = abCost(xs, ys, a, b);
        for (int it = 0; it < 500; it++) {
            // J^T J and J^T r for r = f(x) - y, f = 1 / (1 + a x^(2b))
            double h00 = 0, h01 = 0, h11 = 0, g0 = 0, g1 = 0;
            for (int t = 0; t < m; t++) {
                double x = xs[t];
                if (x <= 0) {
                    g0 += 0;
                    continue; // f(0) = 1 for any a, b: no gradient
                }
                double p = Math.pow(x, 2 * b);
                double den = 1 + a * p;
                double f = 1 / den;
                double r = f - ys[t];
                double da = -p / (den * den);
                double db = -a * p * 2 * Math.log(x) / (den * den);
                h00 += da * da;
                h01 += da * db;
                h11 += db * db;
                g0 += da * r;
                g1 += db * r;
            }
            boolean improved = false;
            while (lambda < 1e12) {
                double a00 = h00 * (1 + lambda), a11 = h11 * (1 + lambda);
                double det = a00 * a11 - h01 * h01;
                double stepA = -(a11 * g0 - h01 * g1) / det;
                double stepB = -(a00 * g1 - h01 * g0) / det;
                double na = a + stepA, nb = b + stepB;
                double nc = abCost(xs, ys, na, nb);
                if (nc < cost && na > 0 && nb > 0) {
                    boolean converged = Math.abs(stepA) < 1e-12 * (1 + Math.abs(a)) && Math.abs(stepB) < 1e-12 * (1 + Math.abs(b));
                    a = na;
                    b = nb;
                    cost = nc;
                    lambda = Math.max(lambda / 10, 1e-12);
                    improved = true;
                    if (converged) return new double[]{a, b};
                    break;
                }
                lambda *= 10;
            }
            if (!improved) break;
        }
        return new double[]{a, b};
    }

    private static double abCost(double[] xs, double[] ys, double a, double b) {
        double s = 0;
        for (int t = 0; t < xs.length; t++) {
            double f = 1 / (1 + a * Math.pow(xs[t], 2 * b));
            s += (f - ys[t]) * (f - ys[t]);
        }
        return s;
    }

    private static String trim(double v) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.6g", v)).stripTrailingZeros().toPlainString();
    }
}
