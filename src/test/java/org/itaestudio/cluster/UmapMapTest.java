package org.itaestudio.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class UmapMapTest {

    /**
     * a, b of the output curve against scipy 1.10's curve_fit on the reference's grid
     * (tools/umap_reference.py prints them); tolerance 1e-6 (both are least-squares optima of the
     * same smooth cost, found by different iterations).
     */
    @Test
    void curveParametersMatchScipy() {
        double[][] cases = {
                {0.1, 1.0, 1.5769434602697652, 0.8950608778515733},
                {0.0, 1.0, 1.93280839734315, 0.7904949732233831},
                {0.5, 1.0, 0.5830300203414425, 1.3341669924314914},
                {0.25, 2.0, 0.41627349667013186, 0.9218551324072873},
        };
        for (double[] c : cases) {
            double[] ab = UmapMap.fitAB(c[0], c[1]);
            assertEquals(c[2], ab[0], 1e-6, "a for min_dist=" + c[0] + ", spread=" + c[1]);
            assertEquals(c[3], ab[1], 1e-6, "b for min_dist=" + c[0] + ", spread=" + c[1]);
        }
    }

    /** The fuzzy union is symmetric, in (0, 1], and every point keeps its nearest neighbour at weight 1. */
    @Test
    void fuzzyGraphIsSymmetricWithUnitNearestNeighbour() {
        float[][] x = blobs(200, 6, 20, 3.0, 11);
        try (BlockRunner runner = new BlockRunner(2)) {
            NearestNeighbors nn = NearestNeighbors.exact(x, 14, runner, null, null);
            UmapMap.Graph g = UmapMap.fuzzyGraph(nn, 15, runner);
            for (int i = 0; i < x.length; i++) {
                boolean nearest = false;
                for (int e = g.rowStart()[i]; e < g.rowStart()[i + 1]; e++) {
                    int j = g.col()[e];
                    double w = g.weight()[e];
                    assertTrue(w > 0 && w <= 1, "weight in (0, 1]");
                    assertEquals(w, weight(g, j, i), 1e-15, "w(" + i + "," + j + ") == w(" + j + "," + i + ")");
                    if (j == nn.indices[i][0]) {
                        nearest = true;
                        assertEquals(1.0, w, 1e-15, "nearest neighbour has membership 1");
                    }
                }
                assertTrue(nearest, "row " + i + " holds its nearest neighbour");
            }
        }
    }

    private static double weight(UmapMap.Graph g, int i, int j) {
        for (int e = g.rowStart()[i]; e < g.rowStart()[i + 1]; e++) if (g.col()[e] == j) return g.weight()[e];
        return 0;
    }

    @Test
    void sameResultOnOneTwoAndFiveThreads() {
        float[][] x = blobs(700, 5, 32, 2.0, 3);
        UmapMap u = new UmapMap().withEpochs(60).withSeed(7);
        Map2D one = u.withThreads(1).compute(x);
        Map2D two = u.withThreads(2).compute(x);
        Map2D five = u.withThreads(5).compute(x);
        assertArrayEquals(one.x(), two.x());
        assertArrayEquals(one.y(), two.y());
        assertArrayEquals(one.x(), five.x());
        assertArrayEquals(one.y(), five.y());
        Map2D otherSeed = u.withSeed(8).withThreads(2).compute(x);
        assertTrue(!java.util.Arrays.equals(one.x(), otherSeed.x()), "the seed changes the layout");
    }

    /**
     * 20 Gaussian blobs in 60-D: in the map, over 99% of each point's 10 nearest neighbours are
     * from its own blob and the trustworthiness at k = 10 is above 0.9, while the PCA start
     * (one epoch) mixes blobs (under 95%): the test measures what the optimisation does.
     */
    @Test
    void blobsKeepTheirNeighbourhoods() {
        int perBlob = 30, blobsCount = 20;
        float[][] x = blobs(perBlob * blobsCount, blobsCount, 60, 2.5, 5);
        Map2D m = new UmapMap().withSeed(1).compute(x);
        double[][] p = m.toPoints();
        double purity = purity(p, perBlob);
        assertTrue(purity > 0.99, "map neighbours from the same blob: " + purity);
        double trust = Metrics.trustworthiness(x, p, 10);
        assertTrue(trust > 0.9, "trustworthiness " + trust);
        // the PCA start alone does not pass: the test measures the optimisation
        Map2D start = new UmapMap().withSeed(1).withEpochs(1).compute(x);
        double startPurity = purity(start.toPoints(), perBlob);
        assertTrue(startPurity < 0.95, "optimisation improves on the start: purity " + startPurity + " -> " + purity);
    }

    /** Fraction of the 10 nearest map neighbours (over all points) from the point's own blob. */
    private static double purity(double[][] p, int perBlob) {
        int n = p.length, same = 0;
        for (int i = 0; i < n; i++) {
            double[] d = new double[n];
            Integer[] order = new Integer[n];
            for (int j = 0; j < n; j++) {
                d[j] = j == i ? Double.POSITIVE_INFINITY : Math.hypot(p[i][0] - p[j][0], p[i][1] - p[j][1]);
                order[j] = j;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(d[a], d[b]));
            for (int t = 0; t < 10; t++) if (order[t] / perBlob == i / perBlob) same++;
        }
        return same / (10.0 * n);
    }

    /**
     * Above the sample size, the sample is laid out by UMAP and the rest placed from their nearest sample points:
     * neighbourhoods of all points (placed ones included) still come from their own blob, the result is the same on
     * one and three threads, and the map says how it was made.
     */
    @Test
    void largeInputsAreLaidOutFromASample() {
        int perBlob = 150, blobsCount = 8;
        float[][] x = blobs(perBlob * blobsCount, blobsCount, 40, 3.0, 12);
        UmapMap u = new UmapMap().withSampleSize(300).withSeed(3).withEpochs(150); // sample size kept by later withers
        Map2D one = u.withThreads(1).compute(x);
        Map2D three = u.withThreads(3).compute(x);
        assertArrayEquals(one.x(), three.x());
        assertArrayEquals(one.y(), three.y());
        assertTrue(one.method().contains("on a 300-point sample, the other 900 placed from their 14 nearest sample points"),
                one.method());
        double purity = purity(one.toPoints(), perBlob);
        assertTrue(purity > 0.97, "map neighbours from the same blob: " + purity);
        assertThrows(IllegalArgumentException.class, () -> new UmapMap().withSampleSize(2));
    }

    @Test
    void tinyAndDegenerateInputs() {
        UmapMap u = new UmapMap().withEpochs(50);
        Map2D one = u.compute(new float[][]{{1, 2, 3}});
        assertEquals(1, one.size());
        assertEquals(0f, one.x()[0]);
        Map2D two = u.compute(new float[][]{{1, 0, 0}, {0, 1, 0}});
        assertEquals(2, two.size());
        assertTrue(two.method().startsWith("PCA"), two.method());
        for (int n : new int[]{3, 4, 7, 16}) {
            float[][] x = blobs(n, 2, 5, 1.0, n);
            Map2D m = u.compute(x);
            assertEquals(n, m.size());
            assertTrue(m.method().startsWith("UMAP(n_neighbors=" + Math.min(15, n)), m.method());
            for (int i = 0; i < n; i++) assertTrue(Float.isFinite(m.x()[i]) && Float.isFinite(m.y()[i]), "finite at n=" + n);
        }
        float[][] same = new float[30][4];
        for (float[] r : same) java.util.Arrays.fill(r, 0.5f);
        Map2D s = u.compute(same);
        for (int i = 0; i < 30; i++) assertTrue(Float.isFinite(s.x()[i]) && Float.isFinite(s.y()[i]), "identical points stay finite");
        float[][] ten = u.embed(blobs(50, 2, 20, 3.0, 2), 10, null, null);
        assertEquals(50, ten.length);
        assertEquals(10, ten[0].length);
        assertThrows(IllegalArgumentException.class, () -> new UmapMap().withNeighbors(1));
        assertThrows(IllegalArgumentException.class, () -> new UmapMap().withMinDist(2.0));
        assertThrows(IllegalArgumentException.class, () -> u.compute(new float[0][]));
    }

    @Test
    void cancellationStopsTheOptimisation() {
        float[][] x = blobs(300, 3, 10, 2.0, 4);
        int[] calls = {0};
        assertThrows(CancellationException.class, () -> new UmapMap().compute(x, null, () -> ++calls[0] > 3));
    }

    /** {@code blobs} Gaussian clusters (unit variance) with centres N(0, sep^2) per coordinate. */
    static float[][] blobs(int n, int blobs, int d, double sep, long seed) {
        Random r = new Random(seed);
        double[][] centres = new double[blobs][d];
        for (double[] c : centres) for (int j = 0; j < d; j++) c[j] = sep * r.nextGaussian();
        int per = (n + blobs - 1) / blobs;
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) x[i][j] = (float) (centres[i / per][j] + r.nextGaussian());
        return x;
    }
}
