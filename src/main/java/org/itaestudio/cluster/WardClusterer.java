package org.itaestudio.cluster;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Agglomerative clustering with Ward linkage, cut by a number of clusters or by a merge height.
 *
 * <p>Why Ward (and not HDBSCAN) for "unknown number of groups": Ward minimises the same
 * within-cluster variance as k-means, so the two views agree; it is deterministic, labels every
 * image (HDBSCAN would leave many as noise, awkward for galleries and exports), and its
 * dendrogram shows at which heights groups merge, which is how a user picks the number of groups.
 * Density estimates in 384+ dimensions, which HDBSCAN depends on, are also unreliable.
 *
 * <p>Algorithm: nearest-neighbour chain with Lance-Williams updates on a condensed float
 * distance matrix: exact Ward, O(n^2) time, n(n-1)/2 floats of memory (10,000 points: 200 MB).
 * Smile's {@code HierarchicalClustering} (FastPair) took 6 s for 5,000 points here; this takes a
 * fraction of that. Above {@link #maxExactPoints()} points (default 10,000, at most 20,000) the
 * tree is built on a seeded uniform subsample of that size, the cut is made there, and every
 * point is then assigned to the nearest resulting centroid; a height threshold is scaled by
 * sqrt(m / n) for a subsample of m of n points (Ward merge costs grow with cluster sizes).
 */
public final class WardClusterer {
    public static final int DEFAULT_MAX_EXACT_POINTS = 10_000;
    public static final int HARD_MAX_EXACT_POINTS = 20_000;

    private final boolean normalize;
    private final int maxExactPoints;
    private final long seed;
    private final int threads;

    public WardClusterer() {
        this(true, DEFAULT_MAX_EXACT_POINTS, 42L, BlockRunner.defaultThreads());
    }

    private WardClusterer(boolean normalize, int maxExactPoints, long seed, int threads) {
        if (maxExactPoints < 2 || maxExactPoints > HARD_MAX_EXACT_POINTS) {
            throw new IllegalArgumentException("ward: maxExactPoints must be in [2, " + HARD_MAX_EXACT_POINTS + "], got " + maxExactPoints);
        }
        if (threads < 1) throw new IllegalArgumentException("ward: threads must be >= 1, got " + threads);
        this.normalize = normalize;
        this.maxExactPoints = maxExactPoints;
        this.seed = seed;
        this.threads = threads;
    }

    /** Whether rows are L2-normalised first (default true). */
    public WardClusterer withNormalize(boolean normalize) {
        return new WardClusterer(normalize, maxExactPoints, seed, threads);
    }

    /** Largest n clustered exactly; larger inputs are subsampled to this many points. */
    public WardClusterer withMaxExactPoints(int maxExactPoints) {
        return new WardClusterer(normalize, maxExactPoints, seed, threads);
    }

    /** Seed of the subsample (only used above {@link #maxExactPoints()}). */
    public WardClusterer withSeed(long seed) {
        return new WardClusterer(normalize, maxExactPoints, seed, threads);
    }

    public WardClusterer withThreads(int threads) {
        return new WardClusterer(normalize, maxExactPoints, seed, threads);
    }

    public int maxExactPoints() {
        return maxExactPoints;
    }

    /** The Ward dendrogram of all points; refuses inputs above {@link #maxExactPoints()}. */
    public Dendrogram dendrogram(float[][] embeddings) {
        return dendrogram(embeddings, null);
    }

    public Dendrogram dendrogram(float[][] embeddings, BooleanSupplier cancelled) {
        Embeddings.checkMatrix(embeddings, "ward input");
        if (embeddings.length > maxExactPoints) {
            throw new IllegalArgumentException("ward: " + embeddings.length + " points exceed the exact limit of "
                    + maxExactPoints + " (n(n-1)/2 distances would need "
                    + ((long) embeddings.length * (embeddings.length - 1) * 2 >> 20) + " MB); cluster() subsamples instead");
        }
        float[][] x = normalize ? Embeddings.l2Normalized(embeddings) : embeddings;
        try (BlockRunner runner = new BlockRunner(threads)) {
            return linkage(x, runner, cancelled);
        }
    }

    /** Ward clustering into k clusters. */
    public Clustering clusterByK(float[][] embeddings, int k) {
        return clusterByK(embeddings, k, null);
    }

    public Clustering clusterByK(float[][] embeddings, int k, BooleanSupplier cancelled) {
        Embeddings.checkMatrix(embeddings, "ward input");
        int n = embeddings.length;
        if (k < 1 || k > n) throw new IllegalArgumentException("ward: k must be in [1, " + n + "] for " + n + " points, got " + k);
        return cluster(embeddings, k, Double.NaN, cancelled);
    }

    /** Ward clustering keeping the merges at height <= threshold (SciPy units, see {@link Dendrogram}). */
    public Clustering clusterByHeight(float[][] embeddings, double threshold) {
        return clusterByHeight(embeddings, threshold, null);
    }

    public Clustering clusterByHeight(float[][] embeddings, double threshold, BooleanSupplier cancelled) {
        Embeddings.checkMatrix(embeddings, "ward input");
        if (!(threshold >= 0)) throw new IllegalArgumentException("ward: height threshold must be >= 0, got " + threshold);
        return cluster(embeddings, -1, threshold, cancelled);
    }

    private Clustering cluster(float[][] embeddings, int k, double threshold, BooleanSupplier cancelled) {
        float[][] x = normalize ? Embeddings.l2Normalized(embeddings) : embeddings;
        int n = x.length;
        String cut = k > 0 ? "k=" + k : "height<=" + threshold;
        String norm = normalize ? ", l2-normalised" : "";
        try (BlockRunner runner = new BlockRunner(threads)) {
            if (n <= maxExactPoints) {
                Dendrogram tree = linkage(x, runner, cancelled);
                int[] labels = k > 0 ? tree.cutByK(k) : tree.cutByHeight(threshold);
                return Clustering.fromLabels(x, labels, max(labels) + 1, "ward(" + cut + norm + ")");
            }
            int m = maxExactPoints;
            int[] sample = SplitMix64.forStream(seed, 0x77A2D).sampleWithoutReplacement(n, m);
            float[][] sub = new float[m][];
            for (int t = 0; t < m; t++) sub[t] = x[sample[t]];
            Dendrogram tree = linkage(sub, runner, cancelled);
            int[] subLabels = k > 0 ? tree.cutByK(Math.min(k, m)) : tree.cutByHeight(threshold * Math.sqrt((double) m / n));
            int kk = max(subLabels) + 1;
            int d = x[0].length;
            double[][] centroids = new double[kk][d];
            int[] counts = new int[kk];
            for (int t = 0; t < m; t++) {
                counts[subLabels[t]]++;
                for (int j = 0; j < d; j++) centroids[subLabels[t]][j] += sub[t][j];
            }
            for (int c = 0; c < kk; c++) for (int j = 0; j < d; j++) centroids[c][j] /= counts[c];
            int[] labels = new int[n];
            runner.run(BlockRunner.blocks(n, 512), b -> {
                for (int i = b * 512, end = Math.min(n, i + 512); i < end; i++) {
                    int best = 0;
                    double bestD = Double.POSITIVE_INFINITY;
                    for (int c = 0; c < kk; c++) {
                        double dd = Embeddings.squaredDistance(x[i], centroids[c]);
                        if (dd < bestD) {
                            bestD = dd;
                            best = c;
                        }
                    }
                    labels[i] = best;
                }
            });
            int used = compact(labels, kk);
            return Clustering.fromLabels(x, labels, used, String.format(Locale.ROOT,
                    "ward(%s%s, tree on a subsample of %d of %d points, rest assigned to nearest centroid)", cut, norm, m, n));
        }
    }

    /** Renumbers labels to 0..used-1 dropping empty ids; returns used. */
    private static int compact(int[] labels, int k) {
        int[] map = new int[k];
        Arrays.fill(map, -1);
        int used = 0;
        for (int l : labels) if (map[l] < 0) map[l] = used++;
        for (int i = 0; i < labels.length; i++) labels[i] = map[labels[i]];
        return used;
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) m = Math.max(m, v);
        return m;
    }

    /** Exact Ward linkage by the nearest-neighbour chain algorithm. */
    static Dendrogram linkage(float[][] x, BlockRunner runner, BooleanSupplier cancelled) {
        int n = x.length;
        if (n == 1) return new Dendrogram(1, new int[0], new int[0], new double[0], new int[0]);
        float[] dist = condensedSquaredDistances(x, runner);
        checkCancelled(cancelled);
        int[] size = new int[n];
        Arrays.fill(size, 1);
        boolean[] active = new boolean[n];
        Arrays.fill(active, true);
        int[] chain = new int[n];
        int chainLength = 0;
        int firstActive = 0;
        int[] mergeA = new int[n - 1], mergeB = new int[n - 1];
        double[] mergeD = new double[n - 1];
        for (int s = 0; s < n - 1; s++) {
            if ((s & 255) == 0) checkCancelled(cancelled);
            if (chainLength == 0) {
                while (!active[firstActive]) firstActive++;
                chain[chainLength++] = firstActive;
            }
            int a, b;
            double dab;
            while (true) {
                a = chain[chainLength - 1];
                int prev = chainLength >= 2 ? chain[chainLength - 2] : -1;
                int best = prev;
                double bestD = prev >= 0 ? dist[index(n, a, prev)] : Double.POSITIVE_INFINITY;
                // scan row a: entries (x, a) for x < a are strided, (a, x) for x > a contiguous
                for (int o = 0; o < a; o++) {
                    if (!active[o] || o == prev) continue;
                    double v = dist[index(n, o, a)];
                    if (v < bestD) {
                        bestD = v;
                        best = o;
                    }
                }
                long rowBase = index(n, a, a + 1) - (a + 1);
                for (int o = a + 1; o < n; o++) {
                    if (!active[o] || o == prev) continue;
                    double v = dist[(int) (rowBase + o)];
                    if (v < bestD) {
                        bestD = v;
                        best = o;
                    }
                }
                if (best == prev) {
                    b = prev;
                    dab = bestD;
                    break;
                }
                chain[chainLength++] = best;
            }
            chainLength -= 2;
            int keep = Math.min(a, b), drop = Math.max(a, b);
            mergeA[s] = keep;
            mergeB[s] = drop;
            mergeD[s] = dab;
            // Lance-Williams update for Ward on squared distances
            int sa = size[keep], sb = size[drop];
            active[drop] = false;
            for (int o = 0; o < n; o++) {
                if (!active[o] || o == keep) continue;
                int so = size[o];
                int ik = index(n, o, keep), id = index(n, o, drop);
                double v = ((sa + so) * (double) dist[ik] + (sb + so) * (double) dist[id] - so * dab) / (sa + sb + so);
                dist[ik] = (float) v;
            }
            size[keep] = sa + sb;
        }
        return toDendrogram(n, mergeA, mergeB, mergeD);
    }

    /** Sorts the chain's merges by height (stable) and names clusters the SciPy way via union-find. */
    private static Dendrogram toDendrogram(int n, int[] mergeA, int[] mergeB, double[] mergeD) {
        int m = n - 1;
        Integer[] order = new Integer[m];
        for (int s = 0; s < m; s++) order[s] = s;
        Arrays.sort(order, (p, q) -> Double.compare(mergeD[p], mergeD[q]));
        int[] parent = new int[n];
        int[] clusterId = new int[n];
        int[] clusterSize = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            clusterId[i] = i;
            clusterSize[i] = 1;
        }
        int[] left = new int[m], right = new int[m], sizes = new int[m];
        double[] heights = new double[m];
        for (int t = 0; t < m; t++) {
            int s = order[t];
            int ra = find(parent, mergeA[s]), rb = find(parent, mergeB[s]);
            int ida = clusterId[ra], idb = clusterId[rb];
            left[t] = Math.min(ida, idb);
            right[t] = Math.max(ida, idb);
            heights[t] = Math.sqrt(Math.max(0, mergeD[s]));
            sizes[t] = clusterSize[ra] + clusterSize[rb];
            parent[rb] = ra;
            clusterId[ra] = n + t;
            clusterSize[ra] = sizes[t];
        }
        return new Dendrogram(n, left, right, heights, sizes);
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** Position of pair (i, j), i != j, in the condensed upper-triangle array. */
    private static int index(int n, int i, int j) {
        if (i > j) {
            int t = i;
            i = j;
            j = t;
        }
        return (int) ((long) i * n - (long) i * (i + 1) / 2 + (j - i - 1));
    }

    /** Squared Euclidean distances, upper triangle row by row, computed in double and stored as float. */
    private static float[] condensedSquaredDistances(float[][] x, BlockRunner runner) {
        int n = x.length;
        float[] out = new float[(int) ((long) n * (n - 1) / 2)];
        DoubleDotBlocks dots = new DoubleDotBlocks(x, runner);
        int rowGroups = BlockRunner.blocks(n, 4);
        runner.run(BlockRunner.blocks(rowGroups, 8), g -> {
            double[][] acc = DoubleDotBlocks.newAccumulators();
            for (int rg = g * 8, rgEnd = Math.min(rowGroups, rg + 8); rg < rgEnd; rg++) {
                int r0 = rg * 4;
                for (int b = r0 / DoubleDotBlocks.WIDTH; b * DoubleDotBlocks.WIDTH < n; b++) {
                    dots.distancesToBlock(x, r0, b, acc);
                    int j0 = b * DoubleDotBlocks.WIDTH, j1 = Math.min(n, j0 + DoubleDotBlocks.WIDTH);
                    for (int t = 0; t < 4 && r0 + t < n; t++) {
                        int i = r0 + t;
                        int from = Math.max(j0, i + 1);
                        if (from >= j1) continue;
                        int base = index(n, i, from) - from;
                        for (int j = from; j < j1; j++) out[base + j] = (float) acc[t][j - j0];
                    }
                }
            }
        });
        return out;
    }

    private static void checkCancelled(BooleanSupplier cancelled) {
        if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("ward cancelled");
    }
}
