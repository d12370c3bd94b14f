package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.FolderAnalysis;
import org.junit.jupiter.api.Test;

/** Merge, split, the undo stack and the "most unusual first" order of the cluster model. */
class ClusterEditingTest {

    /**
     * Eight images: cluster 0 holds two well separated blobs (images 0-2 near (1, 0), images 3-4 near (0, 1)),
     * cluster 1 holds images 5-7 near (-1, 0).
     */
    static FolderAnalysis analysis() {
        float[][] e = {{1, 0.02f}, {1, -0.03f}, {1, 0.01f}, {0.02f, 1}, {-0.01f, 1}, {-1, 0.05f}, {-1, 0}, {-1, -0.04f}};
        int[] labels = {0, 0, 0, 0, 0, 1, 1, 1};
        double[] dist = {0.1, 0.2, 0.3, 0.4, 0.5, 0.1, 0.2, 0.3};
        List<String> paths = java.util.stream.IntStream.range(0, 8).mapToObj(i -> "img" + i + ".png").toList();
        return new FolderAnalysis(Path.of("/photos"), paths, e, labels, 2, dist, new double[8][2], List.of(),
                AnalysisSettings.defaults("stand-in"));
    }

    final ClusterModel m = new ClusterModel();

    @Test
    void mergeEmptiesTheSecondClusterAndKeepsTheFirstsName() {
        m.reset(analysis(), null, false);
        m.rename(0, "Cats");
        m.rename(1, "Dogs");
        int v = m.versionProperty().get();
        m.merge(0, 1);
        assertTrue(m.versionProperty().get() > v, "views hear about the edit");
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 0}, m.labels());
        assertArrayEquals(new int[] {0}, m.nonEmptyClusters());
        assertEquals("Cats", m.name(0));
        assertEquals("Cluster 1", m.name(1), "the emptied cluster loses its name");
        assertThrows(IllegalArgumentException.class, () -> m.merge(0, 0));
        assertThrows(IllegalArgumentException.class, () -> m.merge(0, 5));
    }

    @Test
    void splitSeparatesTheTwoBlobsIntoANewCluster() {
        FolderAnalysis a = analysis();
        m.reset(a, null, false);
        m.rename(0, "Mixed");
        int fresh = m.split(0, a.embeddings(), 42);
        assertEquals(2, fresh, "a new cluster number");
        assertEquals(3, m.clusterCount());
        assertArrayEquals(new int[] {0, 0, 0, 2, 2, 1, 1, 1}, m.labels(), "the part with the first representative stays");
        assertEquals("Mixed", m.name(0));
        // distances are to the new parts' centres: every member of a tight blob is close to it
        for (int i : m.members(2)) {
            assertTrue(m.members(2).length == 2 && i >= 3 && i <= 4);
        }
        assertThrows(IllegalArgumentException.class, () -> m.split(2, new float[][] {{1, 0}, {1, 0}, {1, 0}, {1, 0},
                {1, 0}, {1, 0}, {1, 0}, {1, 0}}, 42), "identical images cannot be split");
        m.move(new int[] {0, 1, 2}, 1);
        assertThrows(IllegalArgumentException.class, () -> m.split(0, a.embeddings(), 42), "an empty cluster");
    }

    @Test
    void everyEditIsUndoneInReverseOrder() {
        FolderAnalysis a = analysis();
        m.reset(a, null, false);
        int[] start = m.labels();
        assertFalse(m.canUndoProperty().get());
        m.rename(1, "Dogs");
        m.move(new int[] {0}, 1);
        int fresh = m.newCluster();
        m.move(new int[] {5}, fresh);
        m.merge(0, 1);
        m.split(0, a.embeddings(), 7);
        assertTrue(m.canUndoProperty().get());
        assertEquals("Undo split", m.undoTextProperty().get());
        assertTrue(m.undo());
        assertEquals("Undo merge", m.undoTextProperty().get());
        assertTrue(m.undo());
        assertArrayEquals(new int[] {1, 0, 0, 0, 0, 2, 1, 1}, m.labels());
        assertEquals("Dogs", m.name(1));
        assertTrue(m.undo()); // move 5
        assertTrue(m.undo()); // new cluster
        assertEquals(2, m.clusterCount());
        assertTrue(m.undo()); // move 0
        assertTrue(m.undo()); // rename
        assertEquals("Cluster 1", m.name(1));
        assertArrayEquals(start, m.labels());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, m.members(0), "distances restored: representatives order");
        assertFalse(m.undo(), "nothing left to undo");
        assertFalse(m.canUndoProperty().get());
    }

    /** Undo then redo walks the same states both ways; a new edit after an undo drops what could be redone. */
    @Test
    void undoneEditsAreRedoneUntilTheNextEdit() {
        FolderAnalysis a = analysis();
        m.reset(a, null, false);
        assertFalse(m.canRedoProperty().get());
        assertEquals("Redo", m.redoTextProperty().get());
        m.rename(1, "Dogs");
        int[] s1 = m.labels();
        m.move(new int[] {0}, 1);
        int[] s2 = m.labels();
        m.merge(0, 1);
        int[] s3 = m.labels();
        int fresh = m.split(0, a.embeddings(), 7);
        int[] s4 = m.labels();
        assertFalse(m.redo(), "nothing undone yet");
        assertTrue(m.undo());
        assertTrue(m.undo());
        assertArrayEquals(s2, m.labels());
        assertEquals("Redo merge", m.redoTextProperty().get());
        assertEquals("Undo move", m.undoTextProperty().get());
        assertTrue(m.redo());
        assertArrayEquals(s3, m.labels());
        assertEquals("Redo split", m.redoTextProperty().get());
        assertEquals("Undo merge", m.undoTextProperty().get());
        assertTrue(m.redo());
        assertArrayEquals(s4, m.labels());
        assertEquals(fresh + 1, m.clusterCount(), "the split's new cluster is back");
        assertFalse(m.canRedoProperty().get());
        // all the way back, and forward again
        while (m.undo()) {
            // undo everything
        }
        assertEquals("Cluster 1", m.name(1));
        assertTrue(m.redo());
        assertEquals("Dogs", m.name(1), "rename redone");
        assertArrayEquals(s1, m.labels());
        assertTrue(m.redo());
        assertArrayEquals(s2, m.labels());
        // a new edit: the merge and split can no longer be redone
        m.rename(0, "Cats");
        assertFalse(m.canRedoProperty().get());
        assertFalse(m.redo());
        assertTrue(m.undo());
        assertEquals("Cluster 0", m.name(0));
        assertTrue(m.redo());
        assertEquals("Cats", m.name(0));
        // a new analysis forgets both stacks
        assertTrue(m.undo());
        m.reset(a, null, false);
        assertFalse(m.canRedoProperty().get() || m.canUndoProperty().get());
    }

    /** A planned split is refused when the cluster's members changed before it was applied. */
    @Test
    void aSplitPlannedOnOldMembersIsRefused() {
        FolderAnalysis a = analysis();
        m.reset(a, null, false);
        ClusterModel.SplitPlan plan = ClusterModel.planSplit(0, m.members(0), m.name(0), a.embeddings(), 7);
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, m.labels(), "planning edits nothing");
        m.move(new int[] {5}, 0);
        assertThrows(IllegalStateException.class, () -> m.applySplit(plan));
        m.undo();
        int fresh = m.applySplit(plan);
        assertArrayEquals(new int[] {3, 4}, java.util.Arrays.stream(m.members(fresh)).sorted().toArray());
    }

    @Test
    void aNewAnalysisStartsANewHistoryAndTheStackIsBounded() {
        FolderAnalysis a = analysis();
        m.reset(a, null, false);
        m.merge(0, 1);
        m.reset(a, null, true);
        assertFalse(m.canUndoProperty().get());
        for (int i = 0; i < ClusterModel.UNDO_LIMIT + 5; i++) {
            m.rename(0, "n" + i);
        }
        int undone = 0;
        while (m.undo()) {
            undone++;
        }
        assertEquals(ClusterModel.UNDO_LIMIT, undone);
        assertEquals("n4", m.name(0), "the oldest edits fell off the stack");
    }

    @Test
    void mostUnusualFirstOrdersMembersByOutlierScore() {
        m.reset(analysis(), null, false);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, m.members(0));
        m.setOrder(ClusterModel.Order.MOST_UNUSUAL_FIRST);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, m.members(0), "no scores yet: representatives first");
        m.setOutlierScores(new double[] {0.1, 0.5, 0.2, 0.9, 0.5, 0, 0, 0});
        assertArrayEquals(new int[] {3, 1, 4, 2, 0}, m.members(0), "highest first, ties by index");
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, m.representatives(0), "the header's representatives stay");
        m.setOrder(ClusterModel.Order.REPRESENTATIVES_FIRST);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, m.members(0));
        assertFalse(m.canUndoProperty().get(), "ordering is not an edit");
        assertThrows(IllegalArgumentException.class, () -> m.setOutlierScores(new double[3]));
    }
}
