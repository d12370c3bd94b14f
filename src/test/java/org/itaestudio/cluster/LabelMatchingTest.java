package org.itaestudio.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        LabelMatching.Change change = LabelMatching.compare(old, 3, neu, 3);
        assertArrayEquals(aligned, change.alignedLabels());
        assertEquals(1, change.changed());
        assertEquals(10, change.compared());
        assertArrayEquals(new boolean[] {false, false, false, false, false, false, false, false, false, true},
                change.changedMask());
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
    void emptyClustersTheUserCreatedCountAsOldClusters() {
        // old cluster 2 exists but is empty (made by a move); a new third cluster must not reuse number 2
        int[] old = {0, 0, 1, 1, 1};
        int[] neu = {0, 0, 1, 1, 2};
        LabelMatching.Change change = LabelMatching.compare(old, 3, neu, 3);
        assertArrayEquals(new int[] {0, 0, 1, 1, 2}, change.alignedLabels());
        assertEquals(1, change.changed());
        assertArrayEquals(new boolean[] {false, false, false, false, true}, change.changedMask());
    }

}
