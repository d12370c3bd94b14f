package org.itaestudio.cluster;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcaMapTest {

    /** Scores against sklearn PCA(2, svd_solver='full') with the same sign rule; 1e-8 absolute (scores are O(10)). */
    @Test
    void scoresMatchSklearn() {
        JsonObject f = Fixtures.load("/cluster/pca.json");
        float[][] x = Fixtures.floatMatrix(f.get("x"));
        double[][] expected = Fixtures.doubleMatrix(f.get("scores"));
        try (BlockRunner runner = new BlockRunner(2)) {
            double[][] scores = PcaMap.scores(x, 2, runner);
            for (int i = 0; i < x.length; i++) {
                assertEquals(expected[i][0], scores[i][0], 1e-8, "PC1 of point " + i);
                assertEquals(expected[i][1], scores[i][1], 1e-8, "PC2 of point " + i);
            }
        }
        Map2D map = new PcaMap().withNormalize(false).compute(x);
        for (int i = 0; i < x.length; i++) {
            assertEquals((float) expected[i][0], map.x()[i], 1e-5f);
            assertEquals((float) expected[i][1], map.y()[i], 1e-5f);
        }
        assertTrue(Double.isNaN(map.klDivergence()));
    }

    @Test
    void signConventionMakesTheLargestCoordinatePositive() {
        JsonObject f = Fixtures.load("/cluster/pca.json");
        float[][] x = Fixtures.floatMatrix(f.get("x"));
        float[][] flipped = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            flipped[i] = x[i].clone();
            for (int j = 0; j < flipped[i].length; j++) flipped[i][j] = -flipped[i][j];
        }
        Map2D a = new PcaMap().withNormalize(false).compute(x);
        Map2D b = new PcaMap().withNormalize(false).compute(flipped);
        // negating the data flips every component; the convention flips it back
        for (int i = 0; i < x.length; i++) {
            assertEquals(a.x()[i], b.x()[i], 1e-4f);
            assertEquals(a.y()[i], b.y()[i], 1e-4f);
        }
        float maxAbs = 0, atMax = 0;
        for (float v : a.x()) if (Math.abs(v) > maxAbs) { maxAbs = Math.abs(v); atMax = v; }
        assertTrue(atMax > 0);
    }

    @Test
    void deterministicAcrossThreadCountsAndRuns() {
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(2000, 384, 8, 4);
        Map2D one = new PcaMap().withThreads(1).compute(b.x);
        Map2D two = new PcaMap().withThreads(2).compute(b.x);
        assertArrayEquals(one.x(), two.x());
        assertArrayEquals(one.y(), two.y());
    }

    @Test
    void lowRankAndOneDimensionalInputs() {
        // points on a line in 3-D: second component is zero
        float[][] line = new float[10][];
        for (int i = 0; i < 10; i++) line[i] = new float[]{i, 2 * i, -i};
        Map2D m = new PcaMap().withNormalize(false).compute(line);
        double norm = Math.sqrt(6);
        for (int i = 0; i < 10; i++) {
            assertEquals(Math.abs((i - 4.5) * norm), Math.abs(m.x()[i]), 1e-4);
            assertEquals(0, m.y()[i], 1e-4);
        }
        float[][] oneDim = {{1}, {3}, {2}};
        Map2D o = new PcaMap().withNormalize(false).compute(oneDim);
        // centred -1, 1, 0: a tie for the largest |value|, the lowest index (point 0) gets the positive sign
        assertArrayEquals(new float[]{1, -1, 0}, o.x(), 1e-6f);
        assertArrayEquals(new float[]{0, 0, 0}, o.y(), 0f);
    }
}
