package org.itaestudio.cluster;

import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * k-means with greedy k-means++ seeding and several restarts, keeping the restart with the
 * lowest inertia.
 *
 * <p>Why not Smile's {@code KMeans}: it draws its seeds from {@code smile.math.MathEx}'s
 * JVM-global, thread-local generator, so reproducibility would depend on every other Smile call
 * made on the same thread (and {@code MathEx.setSeed} mutates global state). Here every restart
 * has its own {@link SplitMix64} stream derived from (seed, restart index), all reductions run in a
 * fixed order, and Lloyd iterations use Hamerly's bounds to skip most distance computations. The
 * result is bit-for-bit reproducible for a given seed, whatever the thread count.
 *
 * <p>Instances are immutable; configure with the {@code with*} methods.
 */
public final class KMeansClusterer {
    public static final int DEFAULT_RESTARTS = 10;
    public static final int DEFAULT_MAX_ITERATIONS = 300;
    public static final long DEFAULT_SEED = 42L;

    /** Point block size; equal to the SIMD kernel width so a block of points is one {@link DotBlocks} block. */
    private static final int BLOCK = DotBlocks.WIDTH;
    /** A block takes the SIMD path when more than this many of its points need a full rescan. */
    private static final int SIMD_RESCAN_THRESHOLD = 24;

    private final int restarts;
    private final int maxIterations;
    private final long seed;
    private final boolean normalize;
    private final int threads;

    public KMeansClusterer() {
        this(DEFAULT_RESTARTS, DEFAULT_MAX_ITERATIONS, DEFAULT_SEED, true, BlockRunner.defaultThreads());
    }

    private KMeansClusterer(int restarts, int maxIterations, long seed, boolean normalize, int threads) {
        if (restarts < 1) throw new IllegalArgumentException("k-means: restarts must be >= 1, got " + restarts);
        if (maxIterations < 1) throw new IllegalArgumentException("k-means: maxIterations must be >= 1, got " + maxIterations);
        if (threads < 1) throw new IllegalArgumentException("k-means: threads must be >= 1, got " + threads);
        this.restarts = restarts;
        this.maxIterations = maxIterations;
        this.seed = seed;
        this.normalize = normalize;
        this.threads = threads;
    }

    public KMeansClusterer withRestarts(int restarts) {
        return new KMeansClusterer(restarts, maxIterations, seed, normalize, threads);
    }

    public KMeansClusterer withSeed(long seed) {
        return new KMeansClusterer(restarts, maxIterations, seed, normalize, threads);
    }

    /** Whether rows are L2-normalised before clustering (default true). */
    public KMeansClusterer withNormalize(boolean normalize) {
        return new KMeansClusterer(restarts, maxIterations, seed, normalize, threads);
    }

    public KMeansClusterer withThreads(int threads) {
        return new KMeansClusterer(restarts, maxIterations, seed, normalize, threads);
    }

    public int restarts() {
        return restarts;
    }

    public long seed() {
        return seed;
    }

    public boolean normalize() {
        return normalize;
    }

    public int threads() {
        return threads;
    }

    /** Clusters the rows of {@code embeddings} (n x d) into {@code k} clusters. */
    public Clustering cluster(float[][] embeddings, int k) {
        return cluster(embeddings, k, null);
    }

    /**
     * As {@link #cluster(float[][], int)}; {@code cancelled} (may be null) is polled between
     * iterations and a {@link CancellationException} is thrown once it returns true.
     */
    public Clustering cluster(float[][] embeddings, int k, BooleanSupplier cancelled) {
        Embeddings.checkMatrix(embeddings, "k-means input");
        float[][] x = normalize ? Embeddings.l2Normalized(embeddings) : embeddings;
        return clusterPrepared(x, k, cancelled);
    }

    /** Clusters rows that are already in the working space (normalised if this clusterer normalises). */
    Clustering clusterPrepared(float[][] x, int k, BooleanSupplier cancelled) {
        int n = x.length;
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k-means: k must be in [1, " + n + "] for " + n + " points, got " + k);
        }
        String method = "k-means(k=" + k + ", restarts=" + restarts + ", seed=" + seed
                + (normalize ? ", l2-normalised" : "") + ")";
        Clustering[] results = new Clustering[restarts];
        if (restarts >= 2 && threads >= 2) {
            // Restarts are independent: run them side by side, each single-threaded.
            try (BlockRunner outer = new BlockRunner(Math.min(threads, restarts));
                 BlockRunner inner = new BlockRunner(1)) {
                DotBlocks dots = new DotBlocks(x, outer);
                outer.run(restarts, r -> results[r] = runOnce(x, dots, k, r, inner, cancelled, method));
            }
        } else {
            try (BlockRunner inner = new BlockRunner(threads)) {
                DotBlocks dots = new DotBlocks(x, inner);
                for (int r = 0; r < restarts; r++) results[r] = runOnce(x, dots, k, r, inner, cancelled, method);
            }
        }
        Clustering best = results[0];
        for (int r = 1; r < restarts; r++) {
            if (results[r].inertia() < best.inertia()) best = results[r];
        }
        return best;
    }

    private static void checkCancelled(BooleanSupplier cancelled) {
        if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("k-means cancelled");
    }

    private Clustering runOnce(float[][] x, DotBlocks dots, int k, int restart, BlockRunner runner,
                               BooleanSupplier cancelled, String method) {
        checkCancelled(cancelled);
        SplitMix64 rng = SplitMix64.forStream(seed, restart);
        double[][] centers = seedPlusPlus(x, dots, k, rng, runner);
        int[] labels = lloydHamerly(x, dots, centers, runner, cancelled);
        return Clustering.fromLabels(x, labels, k, method);
    }

    /** Greedy k-means++ (as scikit-learn): each new centre is the best of 2 + ln(k) D^2-sampled candidates. */
    static double[][] seedPlusPlus(float[][] x, int k, SplitMix64 rng, BlockRunner runner) {
        return seedPlusPlus(x, new DotBlocks(x, runner), k, rng, runner);
    }

    /**
     * As above with the data's column blocks prepared: candidate-to-point distances come from the
     * SIMD kernel of {@link DotBlocks} (float accuracy, ample for D^2 sampling), four candidates
     * at a time.
     */
    static double[][] seedPlusPlus(float[][] x, DotBlocks dots, int k, SplitMix64 rng, BlockRunner runner) {
        int n = x.length;
        int width = DotBlocks.WIDTH;
        int nBlocks = dots.blockCount();
        int trials = 2 + (int) Math.log(k);
        double[][] centers = new double[k][];
        int firstIndex = rng.nextInt(n);
        centers[0] = toDouble(x[firstIndex]);
        float[] closest = new float[n];
        double[] blockSum = new double[nBlocks];
        runner.run(nBlocks, b -> {
            float[][] acc = DotBlocks.newAccumulators();
            float[] f = x[firstIndex];
            float nf = dots.sqNorms[firstIndex];
            dots.distancesToBlock(f, f, f, f, nf, nf, nf, nf, 1, b, acc);
            double s = 0;
            for (int i = b * width, end = Math.min(n, i + width); i < end; i++) {
                closest[i] = acc[0][i - b * width];
                s += closest[i];
            }
            blockSum[b] = s;
        });
        double potential = sum(blockSum);
        double[] cumulative = new double[n];
        float[][] candidateClosest = new float[trials][n];
        double[][] candidateBlockSum = new double[trials][nBlocks];
        int[] candidates = new int[trials];
        for (int c = 1; c < k; c++) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                acc += closest[i];
                cumulative[i] = acc;
            }
            for (int t = 0; t < trials; t++) {
                double r = rng.nextDouble() * potential;
                candidates[t] = Math.min(n - 1, searchLeft(cumulative, r));
            }
            runner.run(nBlocks, b -> {
                float[][] dist = DotBlocks.newAccumulators();
                int j0 = b * width, j1 = Math.min(n, j0 + width);
                for (int t0 = 0; t0 < trials; t0 += 4) {
                    int rows = Math.min(4, trials - t0);
                    float[][] v = new float[4][];
                    float[] nv = new float[4];
                    for (int r = 0; r < 4; r++) {
                        int idx = candidates[t0 + Math.min(r, rows - 1)];
                        v[r] = x[idx];
                        nv[r] = dots.sqNorms[idx];
                    }
                    dots.distancesToBlock(v[0], v[1], v[2], v[3], nv[0], nv[1], nv[2], nv[3], rows, b, dist);
                    for (int r = 0; r < rows; r++) {
                        float[] out = candidateClosest[t0 + r];
                        float[] dr = dist[r];
                        double s = 0;
                        for (int i = j0; i < j1; i++) {
                            float m = Math.min(closest[i], dr[i - j0]);
                            out[i] = m;
                            s += m;
                        }
                        candidateBlockSum[t0 + r][b] = s;
                    }
                }
            });
            int best = 0;
            double bestPotential = sum(candidateBlockSum[0]);
            for (int t = 1; t < trials; t++) {
                double p = sum(candidateBlockSum[t]);
                if (p < bestPotential) {
                    bestPotential = p;
                    best = t;
                }
            }
            potential = bestPotential;
            System.arraycopy(candidateClosest[best], 0, closest, 0, n);
            centers[c] = toDouble(x[candidates[best]]);
        }
        return centers;
    }

    /** First index i with a[i] >= v (numpy searchsorted, side='left'); a.length if none. */
    private static int searchLeft(double[] a, double v) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /**
     * Lloyd iterations from the given centres, accelerated with Hamerly's bounds (an upper bound
     * on the distance to the own centre, a lower bound on the distance to every other centre).
     * Stops when no label changes or after maxIterations centre updates.
     */
    private int[] lloydHamerly(float[][] x, DotBlocks dots, double[][] centers, BlockRunner runner,
                               BooleanSupplier cancelled) {
        int n = x.length, d = x[0].length, k = centers.length;
        int nBlocks = BlockRunner.blocks(n, BLOCK);
        int[] label = new int[n];
        double[] upper = new double[n];
        double[] lower = new double[n];
        double[] halfGap = new double[k];
        int[] changedPerBlock = new int[nBlocks];

        Arrays.fill(upper, Double.POSITIVE_INFINITY);
        Arrays.fill(label, -1);
        assign(x, dots, centers, label, upper, lower, halfGap, runner, nBlocks, changedPerBlock);

        double[][] blockSums = new double[nBlocks * k][];
        int[][] blockCounts = new int[nBlocks][k];
        double[] movement = new double[k];
        for (int iter = 0; iter < maxIterations; iter++) {
            checkCancelled(cancelled);
            double[][] newCenters = means(x, label, k, d, runner, nBlocks, blockSums, blockCounts);
            int[] counts = totalCounts(blockCounts, k);
            boolean relocated = relocateEmpty(x, label, counts, centers);
            if (relocated) {
                newCenters = means(x, label, k, d, runner, nBlocks, blockSums, blockCounts);
                counts = totalCounts(blockCounts, k);
            }
            for (int c = 0; c < k; c++) {
                if (counts[c] == 0) newCenters[c] = centers[c].clone(); // keep an empty cluster where it was
            }

            int far = -1;
            double farMove = 0, secondMove = 0;
            for (int c = 0; c < k; c++) {
                movement[c] = Math.sqrt(Embeddings.squaredDistance(centers[c], newCenters[c]));
                if (far < 0 || movement[c] > farMove) {
                    secondMove = far < 0 ? 0 : farMove;
                    farMove = movement[c];
                    far = c;
                } else if (movement[c] > secondMove) {
                    secondMove = movement[c];
                }
                centers[c] = newCenters[c];
            }
            for (int i = 0; i < n; i++) {
                if (relocated) {
                    upper[i] = Double.POSITIVE_INFINITY;
                    lower[i] = 0;
                } else {
                    upper[i] += movement[label[i]];
                    lower[i] -= label[i] == far ? secondMove : farMove;
                }
            }
            int changed = assign(x, dots, centers, label, upper, lower, halfGap, runner, nBlocks, changedPerBlock);
            if (changed == 0 && !relocated) break;
        }
        return label;
    }

    /**
     * One Hamerly assignment pass; returns the number of points whose label changed.
     *
     * <p>Points whose bounds cannot rule out a change are rescanned against all centres. When many
     * points of a block need that (always in the first pass), the block's distances to all centres
     * come from the SIMD kernel in float precision; the bounds are then set conservatively: the
     * upper bound is the exact (double) distance to the chosen centre and the lower bound is
     * widened by the kernel's worst-case rounding error, so later passes stay correct.
     *
     * <p>A hot loop kept in one piece: it runs once per k-means iteration over every point, and its per-block state
     * (bounds, the SIMD tile, counts) would otherwise travel through parameters of several methods.
     */
    private static int assign(float[][] x, DotBlocks dots, double[][] centers, int[] label, double[] upper,
                              double[] lower, double[] halfGap, BlockRunner runner, int nBlocks, int[] changedPerBlock) {
        int n = x.length, k = centers.length, d = x[0].length;
        for (int c = 0; c < k; c++) {
            double m = Double.POSITIVE_INFINITY;
            for (int o = 0; o < k; o++) {
                if (o != c) m = Math.min(m, Embeddings.squaredDistance(centers[c], centers[o]));
            }
            halfGap[c] = 0.5 * Math.sqrt(m);
        }
        float[][] fc = new float[k][d];
        float[] fcNorm = new float[k];
        for (int c = 0; c < k; c++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                fc[c][j] = (float) centers[c][j];
                s += (double) fc[c][j] * fc[c][j];
            }
            fcNorm[c] = (float) s;
        }
        runner.run(nBlocks, b -> {
            int changed = 0;
            int start = b * BLOCK, end = Math.min(n, start + BLOCK);
            boolean[] rescan = new boolean[end - start];
            int rescans = 0;
            for (int i = start; i < end; i++) {
                int a = label[i];
                if (a >= 0) {
                    double bound = Math.max(halfGap[a], lower[i]);
                    if (upper[i] <= bound) continue;
                    upper[i] = Math.sqrt(Embeddings.squaredDistance(x[i], centers[a]));
                    if (upper[i] <= bound) continue;
                }
                rescan[i - start] = true;
                rescans++;
            }
            if (rescans > SIMD_RESCAN_THRESHOLD) {
                float[][] dist = new float[k][];
                float[][] acc = DotBlocks.newAccumulators();
                for (int c0 = 0; c0 < k; c0 += 4) {
                    int rows = Math.min(4, k - c0);
                    int c1 = c0 + Math.min(1, rows - 1), c2 = c0 + Math.min(2, rows - 1), c3 = c0 + Math.min(3, rows - 1);
                    dots.distancesToBlock(fc[c0], fc[c1], fc[c2], fc[c3], fcNorm[c0], fcNorm[c1], fcNorm[c2], fcNorm[c3],
                            rows, b, acc);
                    for (int r = 0; r < rows; r++) dist[c0 + r] = acc[r].clone();
                }
                for (int i = start; i < end; i++) {
                    if (!rescan[i - start]) continue;
                    int jj = i - start;
                    int best = 0;
                    float bestD = dist[0][jj], secondD = Float.POSITIVE_INFINITY;
                    for (int c = 1; c < k; c++) {
                        float dd = dist[c][jj];
                        if (dd < bestD) {
                            secondD = bestD;
                            bestD = dd;
                            best = c;
                        } else if (dd < secondD) {
                            secondD = dd;
                        }
                    }
                    if (best != label[i]) changed++;
                    label[i] = best;
                    upper[i] = Math.sqrt(Embeddings.squaredDistance(x[i], centers[best]));
                    // widen by 1e-5 (|x|^2 + |c|^2), far above the typical float rounding (~sqrt(d) * 6e-8 * |x||c|)
                    double slack = 1e-5 * (dots.sqNorms[i] + fcNorm[best]);
                    lower[i] = Math.sqrt(Math.max(0, secondD - slack));
                }
            } else if (rescans > 0) {
                // the double-precision twin of the loop above (few rescans: exact distances, no SIMD tile)
                for (int i = start; i < end; i++) {
                    if (!rescan[i - start]) continue;
                    int best = -1;
                    double bestD = Double.POSITIVE_INFINITY, secondD = Double.POSITIVE_INFINITY;
                    for (int c = 0; c < k; c++) {
                        double dd = Embeddings.squaredDistance(x[i], centers[c]);
                        if (dd < bestD) {
                            secondD = bestD;
                            bestD = dd;
                            best = c;
                        } else if (dd < secondD) {
                            secondD = dd;
                        }
                    }
                    if (best != label[i]) changed++;
                    label[i] = best;
                    upper[i] = Math.sqrt(bestD);
                    lower[i] = Math.sqrt(secondD);
                }
            }
            changedPerBlock[b] = changed;
        });
        int total = 0;
        for (int c : changedPerBlock) total += c;
        return total;
    }

    /** Cluster means; per-block partial sums are merged in block order so the result is deterministic. */
    private static double[][] means(float[][] x, int[] label, int k, int d, BlockRunner runner, int nBlocks,
                                    double[][] blockSums, int[][] blockCounts) {
        int n = x.length;
        runner.run(nBlocks, b -> {
            int[] count = blockCounts[b];
            Arrays.fill(count, 0);
            for (int c = 0; c < k; c++) {
                double[] s = blockSums[b * k + c];
                if (s == null) blockSums[b * k + c] = new double[d];
                else Arrays.fill(s, 0);
            }
            for (int i = b * BLOCK, end = Math.min(n, i + BLOCK); i < end; i++) {
                double[] s = blockSums[b * k + label[i]];
                float[] row = x[i];
                for (int j = 0; j < d; j++) s[j] += row[j];
                count[label[i]]++;
            }
        });
        double[][] centers = new double[k][d];
        int[] counts = totalCounts(blockCounts, k);
        for (int c = 0; c < k; c++) {
            double[] m = centers[c];
            for (int b = 0; b < nBlocks; b++) {
                double[] s = blockSums[b * k + c];
                for (int j = 0; j < d; j++) m[j] += s[j];
            }
            if (counts[c] > 0) {
                for (int j = 0; j < d; j++) m[j] /= counts[c];
            }
        }
        return centers;
    }

    private static int[] totalCounts(int[][] blockCounts, int k) {
        int[] counts = new int[k];
        for (int[] bc : blockCounts) for (int c = 0; c < k; c++) counts[c] += bc[c];
        return counts;
    }

    /**
     * Gives every empty cluster the point farthest from its current centre (taken from a
     * cluster with at least two points), as scikit-learn does. Returns whether anything moved.
     */
    private static boolean relocateEmpty(float[][] x, int[] label, int[] counts, double[][] oldCenters) {
        boolean moved = false;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) continue;
            int far = -1;
            double farD = 0;
            for (int i = 0; i < x.length; i++) {
                if (counts[label[i]] < 2) continue;
                double dd = Embeddings.squaredDistance(x[i], oldCenters[label[i]]);
                if (dd > farD) {
                    farD = dd;
                    far = i;
                }
            }
            if (far < 0) continue; // fewer distinct points than clusters: leave it empty
            counts[label[far]]--;
            label[far] = c;
            counts[c] = 1;
            moved = true;
        }
        return moved;
    }

    private static double[] toDouble(float[] row) {
        double[] out = new double[row.length];
        for (int j = 0; j < row.length; j++) out[j] = row[j];
        return out;
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) s += v;
        return s;
    }
}
