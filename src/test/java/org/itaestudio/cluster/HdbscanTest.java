package org.itaestudio.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class HdbscanTest {

    /**
     * Identical partitions (same labels after the canonical numbering, noise included) to the
     * independent reference tools/hdbscan_reference.py on its fixtures: blobs of different
     * densities with background noise, integer lattices with many equal distances and duplicate
     * points, a three-way split at one level, nested 5-D clusters, and a min cluster size no
     * cluster reaches (everything noise).
     */
    @Test
    void partitionsMatchTheReference() {
        JsonObject f = Fixtures.load("/cluster/hdbscan.json");
        int cases = 0;
        for (JsonElement e : f.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            float[][] x = Fixtures.floatMatrix(c.get("x"));
            int[] expected = Fixtures.ints(c.get("labels"));
            HdbscanClustering got = new Hdbscan().withReduction(Hdbscan.Reduction.NONE).withNormalize(false)
                    .withMinClusterSize(c.get("min_cluster_size").getAsInt())
                    .withMinSamples(c.get("min_samples").getAsInt()).withThreads(2).cluster(x);
            assertArrayEquals(expected, got.labels(), name);
            cases++;
        }
        assertEquals(7, cases);
    }

    @Test
    void sameLabelsOnAnyThreadCount() {
        float[][] x = UmapMapTest.blobs(5000, 12, 8, 4.0, 9);
        Hdbscan h = new Hdbscan().withReduction(Hdbscan.Reduction.NONE).withMinClusterSize(15);
        int[] one = h.withThreads(1).cluster(x).labels();
        assertArrayEquals(one, h.withThreads(3).cluster(x).labels());
        assertTrue(new HdbscanClustering(one, 12, "").k() >= 2);
    }

    @Test
    void findsBlobsThroughTheUmapReduction() {
        int per = 80, blobs = 6;
        float[][] x = UmapMapTest.blobs(per * blobs, blobs, 64, 3.0, 21);
        HdbscanClustering c = new Hdbscan().withMinClusterSize(20).cluster(x);
        assertTrue(c.method().contains("UMAP-10"), c.method());
        int[] truth = new int[x.length];
        for (int i = 0; i < x.length; i++) truth[i] = i / per;
        assertEquals(blobs, c.k(), c.method());
        assertTrue(c.noiseCount() < x.length / 10, "noise " + c.noiseCount());
        int[] clustered = java.util.Arrays.stream(c.labels()).filter(l -> l >= 0).toArray();
        int[] truthClustered = new int[clustered.length];
        for (int i = 0, t = 0; i < x.length; i++) if (c.labels()[i] >= 0) truthClustered[t++] = truth[i];
        assertEquals(1.0, Metrics.ari(truthClustered, clustered), 1e-12, "clustered points in their own blob");
    }

    @Test
    void edgeCasesAndBadSettings() {
        HdbscanClustering one = new Hdbscan().cluster(new float[][]{{1, 2}});
        assertArrayEquals(new int[]{-1}, one.labels());
        assertEquals(0, one.k());
        // fewer points than the min cluster size: all noise, min_samples clamped to n
        HdbscanClustering few = new Hdbscan().withMinClusterSize(10).cluster(UmapMapTest.blobs(6, 1, 3, 1, 1));
        assertEquals(6, few.noiseCount());
        assertTrue(few.method().contains("min_samples=6"), few.method());
        assertThrows(IllegalArgumentException.class, () -> new Hdbscan().withMinClusterSize(1));
        assertThrows(IllegalArgumentException.class, () -> new Hdbscan().withMinSamples(-1));
        assertThrows(IllegalArgumentException.class, () -> new HdbscanClustering(new int[]{0, 2}, 2, ""));
    }

    @Test
    void cancellationStopsTheTree() {
        float[][] x = UmapMapTest.blobs(3000, 3, 4, 3.0, 2);
        assertThrows(CancellationException.class, () -> new Hdbscan().withReduction(Hdbscan.Reduction.NONE)
                .cluster(x, null, () -> true));
    }
}
