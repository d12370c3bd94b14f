package org.itaestudio.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * HDBSCAN (Campello, Moulavi, Sander 2013; McInnes, Healy 2017) with excess-of-mass selection.
 *
 * <ol>
 *   <li>Reduction (default {@link Reduction#UMAP_10}): clustering runs on a UMAP layout in 10
 *       dimensions (n_neighbors 15, min_dist 0), as practitioners do with image embeddings, where
 *       densities in 384-D are flat; or on 50 principal components; or on the rows as given.</li>
 *   <li>Core distance of a point: Euclidean distance to its min_samples-th nearest point,
 *       counting the point itself (so min_samples = 1 gives 0), as in both papers and
 *       scikit-learn. Mutual reachability: max(core(a), core(b), d(a, b)).</li>
 *   <li>Minimum spanning tree of the mutual reachability graph by dense Prim (O(n^2) distance
 *       evaluations, no n x n matrix; exact).</li>
 *   <li>Single-linkage hierarchy with ties resolved as the papers define it: all MST edges of
 *       one weight are merged at once, so a component may split into more than two children at
 *       one level (threshold components are unique, whichever MST was found; a binary merge
 *       order would make the result depend on the order equal edges are visited).</li>
 *   <li>Condensed tree, top-down with lambda = 1 / distance: at a split, children with at least
 *       min_cluster_size points become new clusters when there are two or more of them; a single
 *       such child continues its parent; smaller children's points fall out of the parent at that
 *       lambda. Stability of a cluster: sum over its rows of (lambda - lambda_birth) * size.</li>
 *   <li>Excess of mass: bottom-up, a cluster is kept unless its children's summed selected
 *       stability is strictly larger; the root is never selected (one cluster for everything is
 *       not an answer). A point belongs to the selected cluster it fell from or that contains the
 *       cluster it fell from; otherwise it is noise (-1).</li>
 * </ol>
 *
 * <p>tools/hdbscan_reference.py is an independent numpy/scipy implementation of the same
 * definitions (all pairs, Kruskal, no MST shortcut); HdbscanTest compares partitions on fixtures
 * with ties, duplicates and noise.
 */
public final class Hdbscan {
    /** The space HDBSCAN runs in. */
    public enum Reduction {
        /** UMAP to 10 dimensions (default). */
        UMAP_10,
        /** The top 50 principal components. */
        PCA_50,
        /** The (L2-normalised, by default) embeddings themselves. */
        NONE
    }

    /**
     * The user-facing settings, as analysis settings keep them.
     *
     * @param minClusterSize smallest group called a cluster (>= 2)
     * @param minSamples     neighbourhood size of the core distance, the point included; 0 = minClusterSize
     * @param reduction      the space the clustering runs in
     */
    public record Settings(int minClusterSize, int minSamples, Reduction reduction) {
        public static final Settings DEFAULTS = new Settings(10, 0, Reduction.UMAP_10);

        public Settings {
            if (minClusterSize < 2) throw new IllegalArgumentException("HDBSCAN: min cluster size must be >= 2, got " + minClusterSize);
            if (minSamples < 0) throw new IllegalArgumentException("HDBSCAN: min samples must be >= 1, got " + minSamples);
            if (reduction == null) throw new IllegalArgumentException("HDBSCAN: reduction is required");
        }
    }

    private final int minClusterSize;
    private final int minSamples; // 0 = minClusterSize
    private final Reduction reduction;
    private final long seed;
    private final boolean normalize;
    private final int threads;

    public Hdbscan() {
        this(10, 0, Reduction.UMAP_10, 42L, true, BlockRunner.defaultThreads());
    }

    private Hdbscan(int minClusterSize, int minSamples, Reduction reduction, long seed, boolean normalize, int threads) {
        if (minClusterSize < 2) throw new IllegalArgumentException("HDBSCAN: min cluster size must be >= 2, got " + minClusterSize);
        if (minSamples < 0) throw new IllegalArgumentException("HDBSCAN: min samples must be >= 1, got " + minSamples);
        if (reduction == null) throw new IllegalArgumentException("HDBSCAN: reduction is required");
        if (threads < 1) throw new IllegalArgumentException("HDBSCAN: threads must be >= 1, got " + threads);
        this.minClusterSize = minClusterSize;
        this.minSamples = minSamples;
        this.reduction = reduction;
        this.seed = seed;
        this.normalize = normalize;
        this.threads = threads;
    }

    public Hdbscan with(Settings s) {
        return new Hdbscan(s.minClusterSize(), s.minSamples(), s.reduction(), seed, normalize, threads);
    }

    public Hdbscan withMinClusterSize(int m) {
        return new Hdbscan(m, minSamples, reduction, seed, normalize, threads);
    }

    /** min_samples (including the point itself); 0 = the min cluster size (the default). */
    public Hdbscan withMinSamples(int m) {
        if (m < 0) throw new IllegalArgumentException("HDBSCAN: min samples must be >= 1, got " + m);
        return new Hdbscan(minClusterSize, m, reduction, seed, normalize, threads);
    }

    public Hdbscan withReduction(Reduction r) {
        return new Hdbscan(minClusterSize, minSamples, r, seed, normalize, threads);
    }

    public Hdbscan withSeed(long s) {
        return new Hdbscan(minClusterSize, minSamples, reduction, s, normalize, threads);
    }

    public Hdbscan withNormalize(boolean b) {
        return new Hdbscan(minClusterSize, minSamples, reduction, seed, b, threads);
    }

    public Hdbscan withThreads(int t) {
        return new Hdbscan(minClusterSize, minSamples, reduction, seed, normalize, t);
    }

    public HdbscanClustering cluster(float[][] embeddings) {
        return cluster(embeddings, null, null);
    }

    /**
     * @param progress  optional: the reduction's stages, then "core distances", "spanning tree"
     * @param cancelled optional, polled during the reduction and every 1,024 tree steps
     */
    public HdbscanClustering cluster(float[][] embeddings, ProgressListener progress, BooleanSupplier cancelled) {
        Embeddings.checkMatrix(embeddings, "HDBSCAN input");
        float[][] x = normalize ? Embeddings.l2Normalized(embeddings) : embeddings;
        int n = x.length;
        String space;
        float[][] z;
        if (reduction == Reduction.UMAP_10 && x[0].length > 10 && n > 10) {
            z = new UmapMap().withMinDist(0).withSeed(seed).withNormalize(false).withThreads(threads)
                    .embed(x, 10, progress, cancelled);
            space = "UMAP-10";
        } else if (reduction == Reduction.PCA_50 && x[0].length > 50) {
            try (BlockRunner runner = new BlockRunner(threads)) {
                double[][] s = PcaMap.scores(x, 50, runner);
                z = new float[n][50];
                for (int i = 0; i < n; i++) for (int c = 0; c < 50; c++) z[i][c] = (float) s[i][c];
            }
            space = "PCA-50";
        } else {
            z = x;
            space = x[0].length + "-D input";
        }
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            p[i] = new double[z[i].length];
            for (int c = 0; c < z[i].length; c++) p[i][c] = z[i][c];
        }
        int ms = Math.min(n, minSamples == 0 ? minClusterSize : minSamples);
        int[] labels;
        try (BlockRunner runner = new BlockRunner(threads)) {
            labels = labels(p, minClusterSize, ms, runner, progress, cancelled);
        }
        int k = 0;
        for (int l : labels) k = Math.max(k, l + 1);
        return new HdbscanClustering(labels, k, String.format(Locale.ROOT,
                "HDBSCAN(min_cluster_size=%d, min_samples=%d, on %s%s)", minClusterSize, ms, space,
                normalize ? ", l2-normalised" : ""));
    }

    /** Canonical labels (clusters by decreasing size, ties by lowest member; noise -1) of points {@code p}. */
    static int[] labels(double[][] p, int minClusterSize, int minSamples, BlockRunner runner, ProgressListener progress,
                        BooleanSupplier cancelled) {
        int n = p.length;
        if (n == 1) return new int[]{HdbscanClustering.NOISE};
        if (progress != null) progress.onProgress(Progress.of("core distances", 0, 1));
        double[] core2 = coreDistancesSquared(p, minSamples, runner);
        if (progress != null) progress.onProgress(Progress.of("core distances", 1, 1));
        int[] from = new int[n - 1], to = new int[n - 1];
        double[] w2 = new double[n - 1];
        spanningTree(p, core2, runner, from, to, w2, progress, cancelled);
        double[] w = new double[n - 1];
        for (int e = 0; e < n - 1; e++) w[e] = Math.sqrt(w2[e]);
        Hierarchy h = Hierarchy.of(n, from, to, w);
        return canonical(select(h, minClusterSize));
    }

    /** Squared distance to the min_samples-th nearest point (the point itself first). */
    static double[] coreDistancesSquared(double[][] p, int minSamples, BlockRunner runner) {
        int n = p.length, k = minSamples - 1;
        double[] core = new double[n];
        if (k == 0) return core;
        runner.run(BlockRunner.blocks(n, 64), b -> {
            double[] heap = new double[k]; // max-heap of the k smallest distances to other points
            for (int i = b * 64, end = Math.min(n, i + 64); i < end; i++) {
                int size = 0;
                for (int j = 0; j < n; j++) {
                    if (j == i) continue;
                    double d = sq(p[i], p[j]);
                    if (size < k) {
                        int pos = size++;
                        while (pos > 0 && heap[(pos - 1) >>> 1] < d) {
                            heap[pos] = heap[(pos - 1) >>> 1];
                            pos = (pos - 1) >>> 1;
                        }
                        heap[pos] = d;
                    } else if (d < heap[0]) {
                        int pos = 0;
                        while (true) {
                            int c = 2 * pos + 1;
                            if (c >= k) break;
                            if (c + 1 < k && heap[c + 1] > heap[c]) c++;
                            if (heap[c] <= d) break;
                            heap[pos] = heap[c];
                            pos = c;
                        }
                        heap[pos] = d;
                    }
                }
                core[i] = heap[0];
            }
        });
        return core;
    }

    private static double sq(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            double t = a[c] - b[c];
            s += t * t;
        }
        return s;
    }

    /** Dense Prim on squared mutual reachability from point 0; ties go to the lower index. */
    private static void spanningTree(double[][] p, double[] core2, BlockRunner runner, int[] from, int[] to, double[] w2,
                                     ProgressListener progress, BooleanSupplier cancelled) {
        int n = p.length;
        final int block = 2048;
        int blocks = BlockRunner.blocks(n, block);
        double[] best = new double[n];
        int[] parent = new int[n];
        boolean[] inTree = new boolean[n];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        double[] blockBest = new double[blocks];
        int[] blockArg = new int[blocks];
        int v = 0;
        inTree[0] = true;
        for (int step = 0; step < n - 1; step++) {
            if ((step & 1023) == 0) {
                if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("HDBSCAN cancelled");
                if (progress != null) progress.onProgress(Progress.of("spanning tree", step, n - 1));
            }
            int cur = v;
            double[] pv = p[cur];
            double cv = core2[cur];
            runner.run(blocks, b -> {
                double bb = Double.POSITIVE_INFINITY;
                int arg = -1;
                for (int j = b * block, end = Math.min(n, j + block); j < end; j++) {
                    if (inTree[j]) continue;
                    double m = Math.max(Math.max(cv, core2[j]), sq(pv, p[j]));
                    if (m < best[j]) {
                        best[j] = m;
                        parent[j] = cur;
                    }
                    if (best[j] < bb) {
                        bb = best[j];
                        arg = j;
                    }
                }
                blockBest[b] = bb;
                blockArg[b] = arg;
            });
            int next = -1;
            double nb = Double.POSITIVE_INFINITY;
            for (int b = 0; b < blocks; b++) {
                if (blockArg[b] >= 0 && (next < 0 || blockBest[b] < nb)) {
                    nb = blockBest[b];
                    next = blockArg[b];
                }
            }
            inTree[next] = true;
            from[step] = parent[next];
            to[step] = next;
            w2[step] = nb;
            v = next;
        }
    }

    /**
     * Single-linkage hierarchy: leaves 0..n-1, internal nodes n.. with their merge distance and
     * (two or more) children; the last node is the root.
     */
    record Hierarchy(int n, List<int[]> children, double[] distance, int[] size) {
        static Hierarchy of(int n, int[] from, int[] to, double[] w) {
            Integer[] order = new Integer[w.length];
            for (int e = 0; e < w.length; e++) order[e] = e;
            Arrays.sort(order, (a, b) -> Double.compare(w[a], w[b]));
            int[] uf = new int[n];
            for (int i = 0; i < n; i++) uf[i] = i;
            int[] node = new int[n]; // hierarchy node of each union-find root
            for (int i = 0; i < n; i++) node[i] = i;
            List<int[]> children = new ArrayList<>();
            List<Double> dist = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            int[] leafSize = new int[n];
            Arrays.fill(leafSize, 1);
            int[] rootSize = leafSize.clone();
            for (int s = 0; s < order.length; ) {
                int e = s;
                double level = w[order[s]];
                while (e < order.length && w[order[e]] == level) e++;
                // roots touched by this level, with their nodes before merging
                List<int[]> before = new ArrayList<>();
                for (int t = s; t < e; t++) {
                    for (int end : new int[]{from[order[t]], to[order[t]]}) {
                        int r = find(uf, end);
                        before.add(new int[]{r, node[r], rootSize[r]});
                    }
                }
                for (int t = s; t < e; t++) {
                    int a = find(uf, from[order[t]]), b = find(uf, to[order[t]]);
                    if (a != b) {
                        if (a < b) uf[b] = a;
                        else uf[a] = b;
                    }
                }
                // group the old nodes by their new root
                before.sort((x, y) -> x[1] != y[1] ? Integer.compare(x[1], y[1]) : 0);
                java.util.Map<Integer, List<int[]>> byRoot = new java.util.TreeMap<>();
                int lastNode = -1;
                for (int[] r : before) {
                    if (r[1] == lastNode) continue;
                    lastNode = r[1];
                    byRoot.computeIfAbsent(find(uf, r[0]), q -> new ArrayList<>()).add(r);
                }
                for (var entry : byRoot.entrySet()) {
                    List<int[]> parts = entry.getValue();
                    int[] kids = new int[parts.size()];
                    int total = 0;
                    for (int q = 0; q < kids.length; q++) {
                        kids[q] = parts.get(q)[1];
                        total += parts.get(q)[2];
                    }
                    int id = n + children.size();
                    children.add(kids);
                    dist.add(level);
                    sizes.add(total);
                    node[entry.getKey()] = id;
                    rootSize[entry.getKey()] = total;
                }
                s = e;
            }
            double[] d = new double[dist.size()];
            int[] sz = new int[sizes.size()];
            for (int q = 0; q < d.length; q++) {
                d[q] = dist.get(q);
                sz[q] = sizes.get(q);
            }
            return new Hierarchy(n, children, d, sz);
        }

        int sizeOf(int node) {
            return node < n ? 1 : size[node - n];
        }

        int root() {
            return n + children.size() - 1;
        }
    }

    private static int find(int[] uf, int a) {
        while (uf[a] != a) {
            uf[a] = uf[uf[a]];
            a = uf[a];
        }
        return a;
    }

    /** Condensed tree, stabilities, excess-of-mass selection: raw labels (selected cluster id or -1). */
    static int[] select(Hierarchy h, int minClusterSize) {
        int n = h.n();
        int[] label = new int[n];
        Arrays.fill(label, -1);
        if (h.children().isEmpty()) return label;
        List<Integer> clusterParent = new ArrayList<>();
        List<Double> birth = new ArrayList<>();
        List<double[]> stability = new ArrayList<>(); // one-element holders
        List<List<Integer>> clusterChildren = new ArrayList<>();
        int[] fellFrom = new int[n];
        clusterParent.add(-1);
        birth.add(0.0);
        stability.add(new double[1]);
        clusterChildren.add(new ArrayList<>());
        // explicit stack of (hierarchy node, cluster it belongs to)
        List<int[]> stack = new ArrayList<>();
        stack.add(new int[]{h.root(), 0});
        while (!stack.isEmpty()) {
            int[] top = stack.remove(stack.size() - 1);
            int node = top[0], cl = top[1];
            int[] kids = h.children().get(node - n);
            double dist = h.distance()[node - n];
            double lambda = dist > 0 ? 1 / dist : Double.POSITIVE_INFINITY;
            double rel = lambda - birth.get(cl);
            int big = 0;
            for (int c : kids) if (h.sizeOf(c) >= minClusterSize) big++;
            for (int c : kids) {
                int sz = h.sizeOf(c);
                if (sz >= minClusterSize && big >= 2) {
                    int id = clusterParent.size();
                    clusterParent.add(cl);
                    birth.add(lambda);
                    stability.add(new double[1]);
                    clusterChildren.add(new ArrayList<>());
                    clusterChildren.get(cl).add(id);
                    stability.get(cl)[0] += rel * sz;
                    stack.add(new int[]{c, id});
                } else if (sz >= minClusterSize) {
                    stack.add(new int[]{c, cl}); // the one big child continues its parent
                } else {
                    stability.get(cl)[0] += rel * sz;
                    fallOut(h, c, cl, fellFrom);
                }
            }
        }
        int m = clusterParent.size();
        boolean[] selected = new boolean[m];
        double[] value = new double[m];
        // children have larger ids than their parents: descending order is bottom-up
        for (int c = m - 1; c >= 1; c--) {
            double childSum = 0;
            for (int ch : clusterChildren.get(c)) childSum += value[ch];
            double s = stability.get(c)[0];
            if (!clusterChildren.get(c).isEmpty() && childSum > s) {
                value[c] = childSum;
            } else {
                value[c] = s;
                selected[c] = true;
                deselectBelow(c, clusterChildren, selected);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int c = fellFrom[i]; c > 0; c = clusterParent.get(c)) {
                if (selected[c]) {
                    label[i] = c;
                    break;
                }
            }
        }
        return label;
    }

    private static void deselectBelow(int c, List<List<Integer>> children, boolean[] selected) {
        List<Integer> todo = new ArrayList<>(children.get(c));
        while (!todo.isEmpty()) {
            int d = todo.remove(todo.size() - 1);
            selected[d] = false;
            todo.addAll(children.get(d));
        }
    }

    private static void fallOut(Hierarchy h, int node, int cluster, int[] fellFrom) {
        List<Integer> todo = new ArrayList<>();
        todo.add(node);
        while (!todo.isEmpty()) {
            int v = todo.remove(todo.size() - 1);
            if (v < h.n()) {
                fellFrom[v] = cluster;
            } else {
                for (int c : h.children().get(v - h.n())) todo.add(c);
            }
        }
    }

    /** Renumbers raw cluster ids 0..k-1 by decreasing size, ties by lowest member index; -1 stays. */
    static int[] canonical(int[] raw) {
        java.util.Map<Integer, int[]> stats = new java.util.HashMap<>(); // id -> {size, first}
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < 0) continue;
            int idx = i;
            stats.computeIfAbsent(raw[i], q -> new int[]{0, idx})[0]++;
        }
        List<Integer> ids = new ArrayList<>(stats.keySet());
        ids.sort((a, b) -> stats.get(a)[0] != stats.get(b)[0] ? Integer.compare(stats.get(b)[0], stats.get(a)[0])
                : Integer.compare(stats.get(a)[1], stats.get(b)[1]));
        java.util.Map<Integer, Integer> to = new java.util.HashMap<>();
        for (int q = 0; q < ids.size(); q++) to.put(ids.get(q), q);
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) out[i] = raw[i] < 0 ? -1 : to.get(raw[i]);
        return out;
    }
}
