package org.itaestudio.ui;

import java.util.Arrays;

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
        int[] assign = hungarian(cost); // new -> old (or a dummy column >= kOld)
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

    /** Images whose (aligned) cluster differs. */
    public static int countChanged(int[] oldLabels, int[] alignedNewLabels) {
        int changed = 0;
        for (int i = 0; i < oldLabels.length; i++) {
            if (oldLabels[i] != alignedNewLabels[i]) {
                changed++;
            }
        }
        return changed;
    }

    /** Minimum-cost perfect assignment of a square matrix (rows to columns), O(n^3). */
    static int[] hungarian(long[][] a) {
        int n = a.length;
        long inf = Long.MAX_VALUE / 4;
        long[] u = new long[n + 1], v = new long[n + 1];
        int[] p = new int[n + 1], way = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            long[] minv = new long[n + 1];
            Arrays.fill(minv, inf);
            boolean[] usedCol = new boolean[n + 1];
            do {
                usedCol[j0] = true;
                int i0 = p[j0], j1 = 0;
                long delta = inf;
                for (int j = 1; j <= n; j++) {
                    if (!usedCol[j]) {
                        long cur = a[i0 - 1][j - 1] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= n; j++) {
                    if (usedCol[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] rowToCol = new int[n];
        for (int j = 1; j <= n; j++) {
            if (p[j] > 0) {
                rowToCol[p[j] - 1] = j - 1;
            }
        }
        return rowToCol;
    }
}
