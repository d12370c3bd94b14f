package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.FolderAnalysis;
import org.junit.jupiter.api.Test;

/** The user's view of a clustering: names, moves, member order. */
class ClusterModelTest {

    /** Six images in two clusters; distances to the centre make 2 and 0 the representatives. */
    static FolderAnalysis analysis(int[] labels, int k) {
        int n = labels.length;
        List<String> paths = java.util.stream.IntStream.range(0, n).mapToObj(i -> "img" + i + ".png").toList();
        double[] dist = new double[n];
        for (int i = 0; i < n; i++) {
            dist[i] = (n - i) % 3;
        }
        return new FolderAnalysis(Path.of("/photos"), paths, new float[n][2], labels, k, dist, new double[n][2],
                List.of(), AnalysisSettings.defaults("stand-in"));
    }

    final ClusterModel m = new ClusterModel();

    @Test
    void membersComeClosestToTheCentreFirst() {
        m.reset(analysis(new int[] {0, 1, 0, 1, 0, 1}, 2), null, false);
        assertEquals(6, m.imageCount());
        assertEquals(2, m.clusterCount());
        // distances (6 - i) % 3: 0 -> 0, 1 -> 2, 2 -> 1, 3 -> 0, 4 -> 2, 5 -> 1
        assertArrayEquals(new int[] {0, 2, 4}, m.members(0));
        assertArrayEquals(new int[] {3, 5, 1}, m.members(1));
        assertArrayEquals(new int[0], m.members(7), "a cluster that does not exist has no members");
    }

    @Test
    void namesAreTrimmedAndTheDefaultNameIsNoName() {
        m.reset(analysis(new int[] {0, 1}, 2), null, false);
        assertEquals("Cluster 1", m.name(1));
        m.rename(1, "  Dogs ");
        assertEquals("Dogs", m.name(1));
        m.rename(1, "Cluster 1");
        assertEquals("Cluster 1", m.name(1));
        m.rename(1, "Dogs");
        m.rename(1, "   ");
        assertEquals("Cluster 1", m.name(1));
        assertThrows(IllegalArgumentException.class, () -> m.rename(2, "x"));
    }

    @Test
    void movedImagesGoAfterTheClustersOwnMembers() {
        m.reset(analysis(new int[] {0, 1, 0, 1, 0, 1}, 2), null, false);
        int before = m.versionProperty().get();
        m.move(new int[] {0, 1}, 1); // 1 is already there: stays where it was
        assertTrue(m.versionProperty().get() > before);
        assertArrayEquals(new int[] {2, 4}, m.members(0));
        assertArrayEquals(new int[] {3, 5, 1, 0}, m.members(1));
        assertArrayEquals(new int[] {1, 1, 0, 1, 0, 1}, m.labels());
    }

    @Test
    void aNewClusterStartsEmptyAndCanReceiveImages() {
        m.reset(analysis(new int[] {0, 1, 0}, 2), null, false);
        int c = m.newCluster();
        assertEquals(2, c);
        assertEquals(3, m.clusterCount());
        assertArrayEquals(new int[] {0, 1}, m.nonEmptyClusters());
        m.move(new int[] {1}, c);
        assertArrayEquals(new int[] {0, 2}, m.nonEmptyClusters());
        assertEquals(0, m.size(1));
    }

    @Test
    void resetKeepsNamesOnlyWhenAskedAndOnlyForClustersThatStillExist() {
        m.reset(analysis(new int[] {0, 1, 2}, 3), null, false);
        m.rename(0, "Cats");
        m.rename(2, "Boats");
        m.reset(analysis(new int[] {0, 1, 1}, 2), null, true);
        assertEquals("Cats", m.name(0));
        assertEquals(2, m.newCluster());
        assertEquals("Cluster 2", m.name(2), "the name of a cluster that went away is not reused");
        m.reset(analysis(new int[] {0, 1, 1}, 2), null, false);
        assertEquals("Cluster 0", m.name(0));
    }

    @Test
    void labelsGivenToResetWinAndMayAddClusters() {
        m.reset(analysis(new int[] {0, 1, 0}, 2), new int[] {0, 3, 0}, true);
        assertEquals(4, m.clusterCount(), "the highest label decides");
        assertEquals(3, m.label(1));
        int[] copy = m.labels();
        copy[0] = 9;
        assertEquals(0, m.label(0), "labels() is a copy");
        m.clear();
        assertEquals(0, m.imageCount());
        assertEquals(0, m.clusterCount());
    }
}
