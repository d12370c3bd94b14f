package org.itaestudio.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * Near-duplicate sets: every pair of rows whose cosine similarity is at least a threshold, grouped transitively
 * (union-find), so a set can hold two members below the threshold that are both close to a third.
 *
 * <p>All pairs are compared exactly, by blocked brute force over {@link DotBlocks} (n^2 / 2 dot products; the
 * float-accumulated distances only pre-select candidates within a small margin of the threshold, whose cosine is
 * then recomputed in double and compared with the threshold). Each group lists its members in row order; the first
 * member (the lowest row, i.e. the first path in sorted order) is the one others are compared with.
 */
public final class NearDuplicates {
    /** Float pre-selection margin in cosine units: float dot products of unit vectors err by ~1e-6 at d = 384. */
    private static final double MARGIN = 1e-4;

    /**
     * One duplicate set.
     *
     * @param members            rows in ascending order (at least two); members[0] is the set's first
     * @param similarityToFirst  cosine similarity of each member to members[0] (1 for the first itself)
     */
    public record Group(int[] members, double[] similarityToFirst) {
        public int size() {
            return members.length;
        }
    }

    private NearDuplicates() {
    }

    /** Checks a similarity threshold: a number in [-1, 1]. */
    public static double checkThreshold(double threshold) {
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in [-1, 1], got " + threshold);
        }
        return threshold;
    }

    /** The groups, ordered by their first member; rows in no pair belong to no group. */
    public static List<Group> find(float[][] x, double threshold) {
        return find(x, threshold, BlockRunner.defaultThreads(), null, null);
    }

    /** As {@link #find(float[][], double, int, ProgressListener, BooleanSupplier)} on the default threads. */
    public static List<Group> find(float[][] x, double threshold, ProgressListener progress, BooleanSupplier cancelled) {
        return find(x, threshold, BlockRunner.defaultThreads(), progress, cancelled);
    }

    /**
     * @param progress  optional: stage "near-duplicates", counted in block pairs compared (row block i against the
     *                  blocks from i on), so the fraction follows the work, rising monotonically to 1
     * @param cancelled optional, polled before every block pair; a cancelled run throws {@link CancellationException}
     */
    public static List<Group> find(float[][] x, double threshold, int threads, ProgressListener progress,
                                   BooleanSupplier cancelled) {
        checkThreshold(threshold);
        Embeddings.checkMatrix(x, "near-duplicates");
        float[][] unit = Embeddings.l2Normalized(x);
        int n = unit.length;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        if (n < 2) return List.of();
        BooleanSupplier stop = cancelled != null ? cancelled : () -> false;
        // squared distance of unit vectors = 2 - 2 cos, so cos >= t  <=>  d2 <= 2 - 2t
        float maxD2 = (float) (2 - 2 * (threshold - MARGIN));
        try (BlockRunner runner = new BlockRunner(Math.max(1, threads))) {
            DotBlocks dots = new DotBlocks(unit, runner);
            int blocks = dots.blockCount();
            long total = (long) blocks * (blocks + 1) / 2;
            long[] done = {0};
            if (progress != null) progress.onProgress(Progress.of("near-duplicates", 0, total));
            runner.run(blocks, bi -> {
                pairsFrom(unit, dots, bi, maxD2, threshold, parent, stop);
                synchronized (done) { // one caller at a time, counts in order
                    done[0] += blocks - bi;
                    if (progress != null) progress.onProgress(Progress.of("near-duplicates", done[0], total));
                }
            });
            if (stop.getAsBoolean()) throw new CancellationException("near-duplicates cancelled");
        }
        // members per root, in row order; a root's group is ordered by its lowest row
        int[] groupOf = new int[n];
        Arrays.fill(groupOf, -1);
        List<List<Integer>> lists = new ArrayList<>();
        int[] count = new int[n];
        for (int i = 0; i < n; i++) count[find(parent, i)]++;
        for (int i = 0; i < n; i++) {
            int r = find(parent, i);
            if (count[r] < 2) continue;
            if (groupOf[r] < 0) {
                groupOf[r] = lists.size();
                lists.add(new ArrayList<>());
            }
            lists.get(groupOf[r]).add(i);
        }
        List<Group> groups = new ArrayList<>(lists.size());
        for (List<Integer> l : lists) {
            int[] m = l.stream().mapToInt(Integer::intValue).toArray();
            double[] s = new double[m.length];
            for (int t = 0; t < m.length; t++) s[t] = t == 0 ? 1.0 : CosineIndex.exactCosine(unit[m[0]], unit[m[t]]);
            groups.add(new Group(m, s));
        }
        return List.copyOf(groups);
    }

    /**
     * Joins every pair (i, j), i < j, i in block bi, j in blocks >= bi, with exact cosine >= threshold. Pairs are
     * buffered and joined under the lock on {@code parent} a batch at a time, so memory stays bounded even when
     * almost every pair qualifies (a threshold near -1); the components do not depend on the order of joins.
     */
    private static void pairsFrom(float[][] unit, DotBlocks dots, int bi, float maxD2, double threshold, int[] parent,
                                  BooleanSupplier cancelled) {
        int n = unit.length, w = DotBlocks.WIDTH;
        int i0 = bi * w, i1 = Math.min(n, i0 + w);
        float[][] acc = DotBlocks.newAccumulators();
        long[] buffer = new long[4096];
        int size = 0;
        for (int bj = bi; bj < dots.blockCount(); bj++) {
            if (cancelled.getAsBoolean()) throw new CancellationException("near-duplicates cancelled");
            int j0 = bj * w, cols = Math.min(w, n - j0);
            for (int r0 = i0; r0 < i1; r0 += 4) {
                dots.distancesToBlock(unit, r0, bj, acc);
                for (int t = 0; t < 4 && r0 + t < i1; t++) {
                    int i = r0 + t;
                    float[] a = acc[t];
                    for (int c = 0; c < cols; c++) {
                        if (a[c] > maxD2) continue;
                        int j = j0 + c;
                        if (j <= i) continue;
                        if (CosineIndex.exactCosine(unit[i], unit[j]) < threshold) continue;
                        buffer[size++] = ((long) i << 32) | j;
                        if (size == buffer.length) {
                            join(parent, buffer, size);
                            size = 0;
                        }
                    }
                }
            }
        }
        join(parent, buffer, size);
    }

    private static void join(int[] parent, long[] pairs, int count) {
        synchronized (parent) {
            for (int p = 0; p < count; p++) union(parent, (int) (pairs[p] >>> 32), (int) pairs[p]);
        }
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** Joins two sets; the smaller root becomes the parent, so a set's root is always its lowest row. */
    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a), rb = find(parent, b);
        if (ra == rb) return;
        if (ra < rb) parent[rb] = ra;
        else parent[ra] = rb;
    }
}
