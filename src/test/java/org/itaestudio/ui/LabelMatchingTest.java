package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LabelMatchingTest {

    @Test
    void recoversAPermutationAndCountsRealMoves() {
        int[] old = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2};
        // same grouping renamed 0->2, 1->0, 2->1, and image 9 moved to the first group
        int[] neu = {2, 2, 2, 0, 0, 0, 1, 1, 1, 2};
        int[] map = LabelMatching.align(old, 3, neu, 3);
        assertArrayEquals(new int[] {1, 2, 0}, map);
        int[] aligned = LabelMatching.relabel(neu, map);
        assertEquals(1, LabelMatching.countChanged(old, aligned));
    }

    @Test
    void moreNewClustersGetFreshNumbers() {
        int[] old = {0, 0, 1, 1};
        int[] neu = {1, 2, 0, 0};
        int[] map = LabelMatching.align(old, 2, neu, 3);
        assertEquals(1, map[0]);
        assertEquals(0, map[1] == 0 ? 0 : map[2] == 0 ? 0 : -1); // one of 1/2 takes old 0
        assertEquals(2, Math.max(map[1], map[2])); // the other gets a fresh number
    }

    @Test
    void hungarianIsOptimalOnRandomMatrices() {
        SplittableRandom r = new SplittableRandom(5);
        for (int t = 0; t < 200; t++) {
            int n = 1 + r.nextInt(6);
            long[][] a = new long[n][n];
            for (long[] row : a) {
                for (int j = 0; j < n; j++) {
                    row[j] = r.nextInt(50) - 25;
                }
            }
            int[] assign = LabelMatching.hungarian(a);
            long got = 0;
            for (int i = 0; i < n; i++) {
                got += a[i][assign[i]];
            }
            assertEquals(bruteMin(a, 0, new boolean[n]), got);
        }
    }

    private static long bruteMin(long[][] a, int row, boolean[] used) {
        if (row == a.length) {
            return 0;
        }
        long best = Long.MAX_VALUE;
        for (int j = 0; j < a.length; j++) {
            if (!used[j]) {
                used[j] = true;
                best = Math.min(best, a[row][j] + bruteMin(a, row + 1, used));
                used[j] = false;
            }
        }
        return best;
    }
}
