package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.itaestudio.cluster.ClusterMethod;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.FolderAnalysis;
import org.junit.jupiter.api.Test;

/** HDBSCAN's noise: the last cluster, named "Unclustered" in the app and written as -1 in exports. */
class UnclusteredGroupTest {

    static FolderAnalysis analysis(int[] labels, int k, ClusterMethod method) {
        int n = labels.length;
        List<String> paths = java.util.stream.IntStream.range(0, n).mapToObj(i -> "img" + i + ".png").toList();
        AnalysisSettings s = AnalysisSettings.defaults("stand-in").with(b -> b.clusterMethod = method);
        return new FolderAnalysis(Path.of("/photos"), paths, new float[n][2], labels, k, new double[n], new double[n][2],
                List.of(), s);
    }

    @Test
    void noiseIsNamedUnclusteredAndExportedAsMinusOne() {
        FolderAnalysis a = analysis(new int[] {0, 2, 1, 2, 0}, 3, ClusterMethod.HDBSCAN);
        assertEquals(2, a.noiseCluster());
        ClusterModel m = new ClusterModel();
        m.reset(a, null, false);
        assertEquals("Cluster 0", m.name(0));
        assertEquals("Cluster 1", m.name(1));
        assertEquals("Unclustered", m.name(2));
        assertArrayEquals(new int[] {0, -1, 1, -1, 0}, a.exportLabels(m.labels()));
        m.move(new int[] {1}, 0); // the user files an unclustered image into cluster 0
        assertArrayEquals(new int[] {0, 0, 1, -1, 0}, a.exportLabels(m.labels()));
        m.rename(2, "Misc");
        assertEquals("Misc", m.name(2));
        m.rename(2, "");
        assertEquals("Unclustered", m.name(2));
    }

    /** One colour rule: the noise cluster is grey through every edit, other clusters keep their palette colour. */
    @Test
    void noiseIsGreyAndOtherClustersKeepTheirColour() {
        FolderAnalysis a = analysis(new int[] {0, 2, 1, 2, 0}, 3, ClusterMethod.HDBSCAN);
        ClusterModel m = new ClusterModel();
        m.reset(a, null, false);
        javafx.scene.paint.Color grey = ClusterPalette.color(-1);
        assertEquals(grey, m.color(2));
        assertEquals(ClusterPalette.color(0), m.color(0));
        assertEquals(ClusterPalette.color(1), m.color(1));
        org.junit.jupiter.api.Assertions.assertNotEquals(grey, ClusterPalette.color(2));
        m.rename(2, "Misc"); // a renamed group still holds the images in no cluster
        assertEquals(grey, m.color(2));
        int fresh = m.newCluster();
        assertEquals(ClusterPalette.color(fresh), m.color(fresh));
        assertEquals(ClusterPalette.UNASSIGNED_RGB, ClusterPalette.rgb(2, 2));
        assertEquals(ClusterPalette.rgb(2), ClusterPalette.rgb(2, -1));
        assertEquals(ClusterPalette.UNASSIGNED_RGB, ClusterPalette.rgb(-1, -1));
        // k-means: cluster 2 is a real cluster
        m.reset(analysis(new int[] {0, 2, 1}, 3, ClusterMethod.KMEANS), null, false);
        assertEquals(ClusterPalette.color(2), m.color(2));
    }

    @Test
    void kMeansHasNoNoiseCluster() {
        FolderAnalysis a = analysis(new int[] {0, 2, 1}, 3, ClusterMethod.KMEANS);
        assertEquals(-1, a.noiseCluster());
        ClusterModel m = new ClusterModel();
        m.reset(a, null, false);
        assertEquals("Cluster 2", m.name(2));
        assertArrayEquals(new int[] {0, 2, 1}, a.exportLabels(m.labels()));
    }
}
