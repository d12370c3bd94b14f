package org.itaestudio.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WardClustererTest {

    /**
     * Against scipy.cluster.hierarchy.linkage(method='ward') (tools/make_cluster_fixtures.py):
     * merge heights within 1e-5 relative (distances are stored as float), and every cut by k and
     * by height gives the same partition (ARI exactly 1).
     */
    @Test
    void matchesScipyWard() {
        JsonObject f = Fixtures.load("/cluster/ward.json");
        float[][] x = Fixtures.floatMatrix(f.get("x"));
        double[] heights = Fixtures.doubles(f.get("heights"));
        WardClusterer ward = new WardClusterer().withNormalize(false);
        Dendrogram tree = ward.dendrogram(x);
        assertEquals(heights.length, tree.heights().length);
        for (int s = 0; s < heights.length; s++) {
            assertEquals(heights[s], tree.heights()[s], 1e-5 * heights[s] + 1e-9, "height of merge " + s);
        }
        assertEquals(x.length, tree.sizes()[tree.sizes().length - 1]);
        int[] ks = Fixtures.ints(f.get("ks"));
        JsonArray byK = f.getAsJsonArray("cuts_by_k");
        for (int i = 0; i < ks.length; i++) {
            int[] expected = Fixtures.ints(byK.get(i));
            assertEquals(1.0, Metrics.ari(expected, tree.cutByK(ks[i])), 0.0, "k=" + ks[i]);
            Clustering c = ward.clusterByK(x, ks[i]);
            assertEquals(ks[i], c.k());
            assertEquals(1.0, Metrics.ari(expected, c.labels()), 0.0, "clusterByK k=" + ks[i]);
        }
        double[] thresholds = Fixtures.doubles(f.get("thresholds"));
        JsonArray byT = f.getAsJsonArray("cuts_by_threshold");
        for (int i = 0; i < thresholds.length; i++) {
            int[] expected = Fixtures.ints(byT.get(i));
            Clustering c = ward.clusterByHeight(x, thresholds[i]);
            assertEquals(java.util.Arrays.stream(expected).distinct().count(), c.k(), "t=" + thresholds[i]);
            assertEquals(1.0, Metrics.ari(expected, c.labels()), 0.0, "t=" + thresholds[i]);
        }
    }

    @Test
    void recoversBlobsAndIsThreadIndependent() {
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(1500, 64, 6, 12);
        Clustering one = new WardClusterer().withThreads(1).clusterByK(b.x, 6);
        Clustering two = new WardClusterer().withThreads(2).clusterByK(b.x, 6);
        assertEquals(1.0, Metrics.accuracy(b.labels, one.labels()), 0.0);
        assertArrayEquals(one.labels(), two.labels());
        assertTrue(one.method().startsWith("ward(k=6"), one.method());
    }

    /** Above the exact limit: subsample, cut, assign to nearest centroid; separated blobs still come out exactly. */
    @Test
    void largeInputsAreSubsampledAndAssigned() {
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(3000, 32, 5, 4);
        WardClusterer ward = new WardClusterer().withMaxExactPoints(600);
        Clustering c = ward.clusterByK(b.x, 5);
        assertEquals(3000, c.size());
        assertEquals(1.0, Metrics.accuracy(b.labels, c.labels()), 0.0);
        assertTrue(c.method().contains("subsample of 600 of 3000"), c.method());
        assertArrayEquals(c.labels(), ward.clusterByK(b.x, 5).labels(), "seeded subsample");
        // a height cut on the subsample scaled to the full data gives the same 5 groups
        Dendrogram full = new WardClusterer().withMaxExactPoints(3000).dendrogram(b.x);
        double h = (full.heights()[full.heights().length - 5] + full.heights()[full.heights().length - 4]) / 2;
        assertEquals(5, full.clustersAtHeight(h));
        Clustering byHeight = ward.clusterByHeight(b.x, h);
        assertEquals(5, byHeight.k());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ward.dendrogram(b.x));
        assertTrue(e.getMessage().startsWith("ward: 3000 points exceed the exact limit of 600"), e.getMessage());
    }

    @Test
    void edgeCasesAndCancellation() {
        Clustering single = new WardClusterer().clusterByK(new float[][]{{1, 0}}, 1);
        assertArrayEquals(new int[]{0}, single.labels());
        float[][] dup = {{1, 1}, {1, 1}, {1, 1}, {5, 5}};
        Clustering c = new WardClusterer().withNormalize(false).clusterByK(dup, 2);
        assertArrayEquals(new int[]{0, 0, 0, 1}, c.labels());
        assertThrows(IllegalArgumentException.class, () -> new WardClusterer().clusterByK(dup, 5));
        assertThrows(IllegalArgumentException.class, () -> new WardClusterer().withMaxExactPoints(20_001));
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(500, 8, 3, 1);
        assertThrows(CancellationException.class, () -> new WardClusterer().clusterByK(b.x, 3, () -> true));
    }
}
