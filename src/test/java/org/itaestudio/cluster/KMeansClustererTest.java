package org.itaestudio.cluster;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KMeansClustererTest {

    /**
     * Inertia against scikit-learn 1.2.1 KMeans(n_init=10): ours must be at least as good, up to
     * 1e-9 relative (both are local optima from k-means++; on this data both reach the same one).
     */
    @Test
    void inertiaIsAsGoodAsSklearn() {
        JsonObject f = Fixtures.load("/cluster/kmeans.json");
        float[][] x = Fixtures.floatMatrix(f.get("x"));
        int[] ks = Fixtures.ints(f.get("ks"));
        double[] expected = Fixtures.doubles(f.get("inertia"));
        KMeansClusterer km = new KMeansClusterer().withNormalize(false);
        for (int i = 0; i < ks.length; i++) {
            Clustering c = km.cluster(x, ks[i]);
            assertTrue(c.inertia() <= expected[i] * (1 + 1e-9),
                    "k=" + ks[i] + ": inertia " + c.inertia() + " vs sklearn " + expected[i]);
        }
    }

    @Test
    void reproducibleBitForBitForAnyThreadCount() {
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(3000, 64, 7, 21);
        KMeansClusterer base = new KMeansClusterer().withSeed(123);
        Clustering ref = base.withThreads(1).cluster(b.x, 9);
        for (int threads : new int[]{1, 2, 3}) {
            Clustering c = base.withThreads(threads).cluster(b.x, 9);
            assertArrayEquals(ref.labels(), c.labels(), "threads=" + threads);
            assertEquals(Double.doubleToRawLongBits(ref.inertia()), Double.doubleToRawLongBits(c.inertia()));
            for (int k = 0; k < 9; k++) assertArrayEquals(ref.centroids()[k], c.centroids()[k]);
            assertArrayEquals(ref.distances(), c.distances());
        }
        // single restart: the inner loop runs in parallel instead of the restarts
        Clustering single1 = base.withRestarts(1).withThreads(1).cluster(b.x, 9);
        Clustering single2 = base.withRestarts(1).withThreads(2).cluster(b.x, 9);
        assertArrayEquals(single1.labels(), single2.labels());
        assertEquals(single1.inertia(), single2.inertia(), 0.0);
    }

    /** Hamerly's bounds only skip work: the fixed point equals plain Lloyd's from the same seeds. */
    @Test
    void hamerlyMatchesPlainLloyd() {
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(1500, 16, 10, 8);
        // add overlap so that many points move between iterations
        for (float[] row : b.x) for (int j = 0; j < row.length; j++) row[j] *= (j % 3 == 0) ? 0.2f : 1f;
        int k = 12;
        long seed = 99;
        Clustering fast = new KMeansClusterer().withNormalize(false).withSeed(seed).withRestarts(1).cluster(b.x, k);
        double[][] centers;
        try (BlockRunner r = new BlockRunner(1)) {
            centers = KMeansClusterer.seedPlusPlus(b.x, k, SplitMix64.forStream(seed, 0), r);
        }
        int[] labels = new int[b.x.length];
        for (int iter = 0; iter < 300; iter++) {
            boolean changed = false;
            for (int i = 0; i < b.x.length; i++) {
                int best = 0;
                double bestD = Double.POSITIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    double d = Embeddings.squaredDistance(b.x[i], centers[c]);
                    if (d < bestD) {
                        bestD = d;
                        best = c;
                    }
                }
                if (iter == 0 || labels[i] != best) changed = true;
                labels[i] = best;
            }
            if (!changed) break;
            double[][] sums = new double[k][b.x[0].length];
            int[] counts = new int[k];
            for (int i = 0; i < b.x.length; i++) {
                counts[labels[i]]++;
                for (int j = 0; j < b.x[i].length; j++) sums[labels[i]][j] += b.x[i][j];
            }
            for (int c = 0; c < k; c++) {
                assertTrue(counts[c] > 0, "no empty clusters expected in this data");
                for (int j = 0; j < sums[c].length; j++) sums[c][j] /= counts[c];
            }
            centers = sums;
        }
        assertEquals(1.0, Metrics.ari(labels, fast.labels()), 1e-12);
    }

    @Test
    void resultIsCanonicalAndSelfConsistent() {
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(1200, 32, 5, 2);
        Clustering c = new KMeansClusterer().cluster(b.x, 5);
        assertEquals(1.0, Metrics.accuracy(b.labels, c.labels()), 0.0, "separated blobs are recovered exactly");
        int[] sizes = c.clusterSizes();
        for (int i = 1; i < sizes.length; i++) assertTrue(sizes[i - 1] >= sizes[i], Arrays.toString(sizes));
        float[][] xn = Embeddings.l2Normalized(b.x);
        double inertia = 0;
        for (int i = 0; i < xn.length; i++) {
            double d2 = Embeddings.squaredDistance(xn[i], c.centroids()[c.labels()[i]]);
            assertEquals(Math.sqrt(d2), c.distances()[i], 1e-12);
            inertia += d2;
        }
        assertEquals(inertia, c.inertia(), 1e-9 * inertia);
        assertTrue(c.method().startsWith("k-means(k=5, restarts=10, seed=42"), c.method());
    }

    @Test
    void normalisationMakesRowScaleIrrelevant() {
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(600, 16, 4, 6);
        float[][] scaled = new float[b.x.length][];
        for (int i = 0; i < b.x.length; i++) {
            scaled[i] = b.x[i].clone();
            float s = 0.5f + (i % 7);
            for (int j = 0; j < scaled[i].length; j++) scaled[i][j] *= s;
        }
        Clustering a = new KMeansClusterer().cluster(b.x, 4);
        Clustering s = new KMeansClusterer().cluster(scaled, 4);
        assertEquals(1.0, Metrics.ari(a.labels(), s.labels()), 1e-12);
    }

    @Test
    void edgeCases() {
        float[][] x = {{0, 0}, {0, 0}, {1, 1}, {1, 1}, {1, 1}};
        Clustering one = new KMeansClusterer().withNormalize(false).cluster(x, 1);
        assertArrayEquals(new int[5], one.labels());
        assertArrayEquals(new double[]{0.6, 0.6}, one.centroids()[0], 1e-12);
        // more clusters than distinct points: no crash, the extra cluster stays empty
        Clustering three = new KMeansClusterer().withNormalize(false).cluster(x, 3);
        assertEquals(0.0, three.inertia(), 0.0);
        assertArrayEquals(new int[]{3, 2, 0}, three.clusterSizes());
        Clustering each = new KMeansClusterer().withNormalize(false).cluster(new float[][]{{0}, {5}, {9}}, 3);
        assertEquals(0.0, each.inertia(), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KMeansClusterer().cluster(x, 6));
        assertEquals("k-means: k must be in [1, 5] for 5 points, got 6", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KMeansClusterer().cluster(new float[][]{{Float.NaN}}, 1));
        assertThrows(CancellationException.class, () -> new KMeansClusterer().cluster(x, 2, () -> true));
    }
}
