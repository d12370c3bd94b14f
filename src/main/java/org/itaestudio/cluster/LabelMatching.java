package org.itaestudio.cluster;

/**
 * Aligns a new clustering with an old one so that "what changed" means something: cluster numbers are arbitrary,
 * so new clusters are renumbered to the old cluster they overlap most (a maximum-overlap assignment, Hungarian
 * algorithm), which also keeps colours stable after a re-cluster.
 */
public final class LabelMatching {

    private LabelMatching() {
    }

    /**
     * For each new cluster, the old cluster number it is matched to; new clusters left without a partner get fresh
     * numbers from max(kOld, ...) upwards. The result is a permutation-like map new -> aligned id, all distinct.
     */
    public static int[] align(int[] oldLabels, int kOld, int[] newLabels, int kNew) {
        if (oldLabels.length != newLabels.length) {
            throw new IllegalArgumentException("labelings differ in length");
        }
        int n = Math.max(kOld, kNew);
        long[][] overlap = new long[n][n]; // [new][old]
        for (int i = 0; i < oldLabels.length; i++) {
            if (oldLabels[i] >= 0 && newLabels[i] >= 0) {
                overlap[newLabels[i]][oldLabels[i]]++;
            }
        }
        long[][] cost = new long[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                cost[a][b] = -overlap[a][b];
            }
        }
        int[] assign = Hungarian.minimize(cost); // new -> old (or a dummy column >= kOld)
        int[] aligned = new int[kNew];
        int next = kOld;
        boolean[] used = new boolean[Math.max(n, 1)];
        for (int c = 0; c < kNew; c++) {
            if (assign[c] < kOld) {
                aligned[c] = assign[c];
                used[assign[c]] = true;
            } else {
                aligned[c] = -1;
            }
        }
        for (int c = 0; c < kNew; c++) {
            if (aligned[c] < 0) {
                aligned[c] = next++;
            }
        }
        return aligned;
    }

    /** Applies a new -> aligned map. */
    public static int[] relabel(int[] labels, int[] map) {
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i] < 0 ? labels[i] : map[labels[i]];
        }
        return out;
    }

    /**
     * What a re-clustering changed: the new labels renumbered to match the old ones, which images ended up in another
     * cluster, and how many.
     */
    public record Change(int[] alignedLabels, boolean[] changedMask, int changed) {
        public int compared() {
            return alignedLabels.length;
        }
    }

    /**
     * Aligns {@code newLabels} to {@code oldLabels} ({@link #align}) and marks the images whose aligned cluster
     * differs. {@code kOld} may exceed the largest old label (clusters the user created and left empty).
     */
    public static Change compare(int[] oldLabels, int kOld, int[] newLabels, int kNew) {
        int[] aligned = relabel(newLabels, align(oldLabels, kOld, newLabels, kNew));
        boolean[] mask = new boolean[aligned.length];
        int changed = 0;
        for (int i = 0; i < aligned.length; i++) {
            if (aligned[i] != oldLabels[i]) {
                mask[i] = true;
                changed++;
            }
        }
        return new Change(aligned, mask, changed);
    }
}
