package org.itaestudio.cluster;

import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import smile.manifold.TSNE;

import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * 2-D t-SNE map of embeddings.
 *
 * <ul>
 *   <li>{@link Method#EXACT}: Smile 2.6's exact O(n^2) t-SNE (fed a precomputed squared-distance
 *       matrix and our PCA initialisation; its schedule is fixed: exaggeration 12 and momentum
 *       0.5 for 250 iterations, then momentum 0.8). Memory ~4 n^2 doubles.</li>
 *   <li>{@link Method#BARNES_HUT}: our Barnes-Hut t-SNE: exact kNN on min(n-1, 3 * perplexity + 1)
 *       neighbours, perplexity-calibrated sparse P, quadtree repulsion with angle theta, the
 *       schedule of scikit-learn 1.2 (see {@link BarnesHutTsne}).</li>
 *   <li>{@link Method#AUTO} (default): EXACT up to {@link #withExactMaxPoints exactMaxPoints} points (default
 *       {@link #DEFAULT_EXACT_MAX_POINTS} = 0, i.e. never: Barnes-Hut was faster and as good at every size measured),
 *       else BARNES_HUT.</li>
 * </ul>
 *
 * <p>Defaults: rows L2-normalised, perplexity 30 (capped at (n-1)/3 for tiny inputs), 1000
 * iterations, early exaggeration 12 for 250 iterations, learning rate "auto" =
 * max(n / exaggeration / 4, 50), theta 0.5, PCA initialisation scaled so the first coordinate
 * has standard deviation 1e-4. PCA initialisation involves no randomness; the seed only drives
 * {@link Init#RANDOM}. Results are deterministic for given options (Barnes-Hut: for any thread
 * count; the exact path runs on Smile's parallel streams, deterministic on a given machine).
 */
public final class TsneMap {
    public enum Method { AUTO, EXACT, BARNES_HUT }

    public enum Init { PCA, RANDOM }

    /**
     * AUTO uses the exact method only up to here; by default never. Measured on 2 cores, 384-D,
     * 20 clusters (TsneCompareBench), Smile exact vs Barnes-Hut: CPU time 3.1 vs 1.5 s at n = 500,
     * 6.6 vs 1.7 s at 1,000, 26 vs 2.7 s at 2,000, with equal or better trustworthiness for
     * Barnes-Hut (0.9924/0.9934, 0.9875/0.9907, 0.9835/0.9862). Smile's t-SNE also logs every
     * bisection step at DEBUG, which with the default logback setup floods stdout.
     */
    public static final int DEFAULT_EXACT_MAX_POINTS = 0;
    /** Above this the exact method is refused (n x n matrices: 4 * 4000^2 * 8 bytes = 512 MB). */
    public static final int EXACT_HARD_LIMIT = 4000;

    private final Method method;
    private final Init init;
    private final double perplexity;
    private final int iterations;
    private final double earlyExaggeration;
    private final int exaggerationIterations;
    private final double learningRate; // NaN = auto
    private final double theta;
    private final long seed;
    private final boolean normalize;
    private final int threads;
    private final int exactMaxPoints;

    public TsneMap() {
        this(Method.AUTO, Init.PCA, 30, 1000, 12, 250, Double.NaN, 0.5, 42L, true,
                BlockRunner.defaultThreads(), DEFAULT_EXACT_MAX_POINTS);
    }

    private TsneMap(Method method, Init init, double perplexity, int iterations, double earlyExaggeration,
                    int exaggerationIterations, double learningRate, double theta, long seed, boolean normalize,
                    int threads, int exactMaxPoints) {
        if (method == null || init == null) throw new IllegalArgumentException("t-SNE: method and init are required");
        if (!(perplexity > 0)) throw new IllegalArgumentException("t-SNE: perplexity must be > 0, got " + perplexity);
        if (iterations < 1) throw new IllegalArgumentException("t-SNE: iterations must be >= 1, got " + iterations);
        if (!(earlyExaggeration >= 1)) throw new IllegalArgumentException("t-SNE: early exaggeration must be >= 1, got " + earlyExaggeration);
        if (exaggerationIterations < 0) throw new IllegalArgumentException("t-SNE: exaggeration iterations must be >= 0");
        if (!Double.isNaN(learningRate) && !(learningRate > 0)) {
            throw new IllegalArgumentException("t-SNE: learning rate must be > 0 (or NaN for auto), got " + learningRate);
        }
        if (!(theta >= 0 && theta <= 1)) throw new IllegalArgumentException("t-SNE: theta must be in [0, 1], got " + theta);
        if (threads < 1) throw new IllegalArgumentException("t-SNE: threads must be >= 1, got " + threads);
        if (exactMaxPoints < 0 || exactMaxPoints > EXACT_HARD_LIMIT) {
            throw new IllegalArgumentException("t-SNE: exactMaxPoints must be in [0, " + EXACT_HARD_LIMIT + "], got " + exactMaxPoints);
        }
        this.method = method;
        this.init = init;
        this.perplexity = perplexity;
        this.iterations = iterations;
        this.earlyExaggeration = earlyExaggeration;
        this.exaggerationIterations = exaggerationIterations;
        this.learningRate = learningRate;
        this.theta = theta;
        this.seed = seed;
        this.normalize = normalize;
        this.threads = threads;
        this.exactMaxPoints = exactMaxPoints;
    }

    private TsneMap copy(Method method, Init init, double perplexity, int iterations, double earlyExaggeration,
                         int exaggerationIterations, double learningRate, double theta, long seed, boolean normalize,
                         int threads, int exactMaxPoints) {
        return new TsneMap(method, init, perplexity, iterations, earlyExaggeration, exaggerationIterations,
                learningRate, theta, seed, normalize, threads, exactMaxPoints);
    }

    public TsneMap withMethod(Method m) {
        return copy(m, init, perplexity, iterations, earlyExaggeration, exaggerationIterations, learningRate, theta, seed, normalize, threads, exactMaxPoints);
    }

    public TsneMap withInit(Init i) {
        return copy(method, i, perplexity, iterations, earlyExaggeration, exaggerationIterations, learningRate, theta, seed, normalize, threads, exactMaxPoints);
    }

    public TsneMap withPerplexity(double p) {
        return copy(method, init, p, iterations, earlyExaggeration, exaggerationIterations, learningRate, theta, seed, normalize, threads, exactMaxPoints);
    }

    public TsneMap withIterations(int n) {
        return copy(method, init, perplexity, n, earlyExaggeration, exaggerationIterations, learningRate, theta, seed, normalize, threads, exactMaxPoints);
    }

    public TsneMap withSeed(long s) {
        return copy(method, init, perplexity, iterations, earlyExaggeration, exaggerationIterations, learningRate, theta, s, normalize, threads, exactMaxPoints);
    }

    public TsneMap withNormalize(boolean b) {
        return copy(method, init, perplexity, iterations, earlyExaggeration, exaggerationIterations, learningRate, theta, seed, b, threads, exactMaxPoints);
    }

    public TsneMap withThreads(int t) {
        return copy(method, init, perplexity, iterations, earlyExaggeration, exaggerationIterations, learningRate, theta, seed, normalize, t, exactMaxPoints);
    }

    /** Largest n for which {@link Method#AUTO} picks the exact method (at most {@link #EXACT_HARD_LIMIT}). */
    public TsneMap withExactMaxPoints(int n) {
        return copy(method, init, perplexity, iterations, earlyExaggeration, exaggerationIterations, learningRate, theta, seed, normalize, threads, n);
    }

    public Map2D compute(float[][] embeddings) {
        return compute(embeddings, null, null);
    }

    /**
     * @param progress  optional, called on this thread with stages "neighbours", "affinities", "optimise"
     * @param cancelled optional, polled at least once per iteration; when it returns true a
     *                  {@link CancellationException} is thrown
     */
    public Map2D compute(float[][] embeddings, ProgressListener progress, BooleanSupplier cancelled) {
        Embeddings.checkMatrix(embeddings, "t-SNE input");
        float[][] x = normalize ? Embeddings.l2Normalized(embeddings) : embeddings;
        int n = x.length;
        if (n == 1) return new Map2D(new float[1], new float[1], "t-SNE(single point)", 0.0);
        if (n <= 3) {
            Map2D pca = new PcaMap().withNormalize(false).withThreads(1).compute(x);
            return new Map2D(pca.x(), pca.y(), "PCA(fewer than 4 points, t-SNE needs more)", Double.NaN);
        }
        double perp = Math.min(perplexity, (n - 1) / 3.0);
        double lr = Double.isNaN(learningRate) ? Math.max(n / earlyExaggeration / 4, 50) : learningRate;
        Method m = method == Method.AUTO ? (n <= exactMaxPoints ? Method.EXACT : Method.BARNES_HUT) : method;
        if (m == Method.EXACT && n > EXACT_HARD_LIMIT) {
            throw new IllegalArgumentException("t-SNE: exact method refused for " + n + " points (limit " + EXACT_HARD_LIMIT
                    + ": it needs ~" + (4L * n * n * 8 >> 20) + " MB); use BARNES_HUT");
        }
        try (BlockRunner runner = new BlockRunner(threads)) {
            double[] y = initialLayout(x, runner);
            String desc = String.format(Locale.ROOT, "perplexity=%s, iterations=%d, learning rate=%s, init=%s%s",
                    trim(perp), iterations, trim(lr), init.name().toLowerCase(Locale.ROOT),
                    normalize ? ", l2-normalised" : "");
            if (m == Method.EXACT) {
                return exact(x, y, perp, lr, runner, progress, cancelled, "t-SNE(exact/Smile, " + desc + ")");
            }
            int k = Math.min(n - 1, (int) (3 * perp + 1));
            NearestNeighbors nn = NearestNeighbors.exact(x, k, runner, progress, cancelled);
            if (progress != null) progress.onProgress(Progress.of("affinities", 0, 1));
            Affinities p = Affinities.symmetric(nn.indices, Affinities.conditional(nn.squaredDistances, perp, runner));
            if (progress != null) progress.onProgress(Progress.of("affinities", 1, 1));
            BarnesHutTsne bh = new BarnesHutTsne(p, theta, runner);
            double kl = bh.optimise(y, new BarnesHutTsne.Schedule(iterations, Math.min(exaggerationIterations, iterations),
                    earlyExaggeration, lr, 0.5, 0.8), progress, cancelled);
            return toMap(y, "t-SNE(barnes-hut, theta=" + trim(theta) + ", " + desc + ")", kl);
        }
    }

    private static String trim(double v) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.6g", v)).stripTrailingZeros().toPlainString();
    }

    /** Interleaved initial coordinates: PCA scaled to std 1e-4 of the first axis, or N(0, 1e-4^2). */
    private double[] initialLayout(float[][] x, BlockRunner runner) {
        int n = x.length;
        double[] y = new double[2 * n];
        if (init == Init.RANDOM) {
            SplitMix64 rng = new SplitMix64(seed);
            for (int t = 0; t < 2 * n; t++) y[t] = 1e-4 * rng.nextGaussian();
            return y;
        }
        double[][] s = PcaMap.scores(x, 2, runner);
        double mean = 0, sq = 0;
        for (double[] r : s) mean += r[0];
        mean /= n;
        for (double[] r : s) sq += (r[0] - mean) * (r[0] - mean);
        double std = Math.sqrt(sq / n);
        double scale = std > 0 ? 1e-4 / std : 0;
        for (int i = 0; i < n; i++) {
            y[2 * i] = s[i][0] * scale;
            y[2 * i + 1] = s[i][1] * scale;
        }
        return y;
    }

    private Map2D exact(float[][] x, double[] y, double perp, double lr, BlockRunner runner, ProgressListener progress,
                        BooleanSupplier cancelled, String desc) {
        int n = x.length;
        // Always pass a distance matrix: Smile treats any square input (n == d) as one.
        double[][] d2 = new double[n][n];
        runner.run(BlockRunner.blocks(n, 64), b -> {
            for (int i = b * 64, end = Math.min(n, i + 64); i < end; i++) {
                for (int j = 0; j < n; j++) d2[i][j] = i == j ? 0 : Embeddings.squaredDistance(x[i], x[j]);
            }
        });
        if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("t-SNE cancelled");
        TSNE tsne = new TSNE(d2, 2, perp, lr, 0);
        for (int i = 0; i < n; i++) {
            tsne.coordinates[i][0] = y[2 * i];
            tsne.coordinates[i][1] = y[2 * i + 1];
        }
        final int chunk = 10;
        if (progress != null) progress.onProgress(Progress.of("optimise", 0, iterations));
        for (int done = 0; done < iterations; ) {
            if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("t-SNE cancelled");
            int step = Math.min(chunk, iterations - done);
            tsne.update(step);
            done += step;
            if (progress != null) progress.onProgress(Progress.of("optimise", done, iterations));
        }
        for (int i = 0; i < n; i++) {
            y[2 * i] = tsne.coordinates[i][0];
            y[2 * i + 1] = tsne.coordinates[i][1];
        }
        return toMap(y, desc, Double.NaN);
    }

    private static Map2D toMap(double[] y, String method, double kl) {
        int n = y.length / 2;
        float[] mx = new float[n], my = new float[n];
        for (int i = 0; i < n; i++) {
            mx[i] = (float) y[2 * i];
            my[i] = (float) y[2 * i + 1];
        }
        return new Map2D(mx, my, method, kl);
    }
}
