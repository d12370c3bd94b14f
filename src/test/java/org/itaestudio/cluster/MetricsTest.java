package org.itaestudio.cluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Metrics against goldens from scikit-learn 1.2.1 / SciPy 1.10.1 (tools/make_metric_fixtures.py).
 * Tolerance 1e-9 absolute throughout.
 */
class MetricsTest {
    private static final double TOL = 1e-9;

    @TestFactory
    List<DynamicTest> accNmiAriMatchSklearn() {
        JsonObject root = Fixtures.load("/metrics/labels.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            int[] truth = Fixtures.ints(c.get("truth"));
            int[] pred = Fixtures.ints(c.get("pred"));
            tests.add(DynamicTest.dynamicTest(name, () -> {
                assertEquals(c.get("acc").getAsDouble(), Metrics.accuracy(truth, pred), TOL, name + " ACC");
                assertEquals(c.get("nmi").getAsDouble(), Metrics.nmi(truth, pred), TOL, name + " NMI");
                assertEquals(c.get("ari").getAsDouble(), Metrics.ari(truth, pred), TOL, name + " ARI");
            }));
        }
        return tests;
    }

    @Test
    void silhouetteMatchesSklearn() {
        JsonObject root = Fixtures.load("/metrics/silhouette.json");
        float[][] x = Fixtures.floatMatrix(root.get("x"));
        int[] labels = Fixtures.ints(root.get("labels"));
        assertEquals(root.get("euclidean").getAsDouble(), Metrics.silhouette(x, labels, Metrics.Distance.EUCLIDEAN), TOL);
        assertEquals(root.get("cosine").getAsDouble(), Metrics.silhouette(x, labels, Metrics.Distance.COSINE), TOL);
    }

    @Test
    void trustworthinessMatchesSklearn() {
        JsonObject root = Fixtures.load("/metrics/trustworthiness.json");
        float[][] high = Fixtures.floatMatrix(root.get("high"));
        double[][] low = Fixtures.doubleMatrix(root.get("low"));
        int[] ks = Fixtures.ints(root.get("k"));
        double[] expected = Fixtures.doubles(root.get("trustworthiness"));
        for (int i = 0; i < ks.length; i++) {
            assertEquals(expected[i], Metrics.trustworthiness(high, low, ks[i]), TOL, "k=" + ks[i]);
        }
    }

    /** The Hungarian solver against exhaustive search over all assignments, square and rectangular. */
    @Test
    void hungarianFindsTheOptimumOfExhaustiveSearch() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 300; trial++) {
            int rows = 1 + rnd.nextInt(6), cols = 1 + rnd.nextInt(6);
            long[][] cost = new long[rows][cols];
            for (long[] r : cost) for (int j = 0; j < cols; j++) r[j] = rnd.nextInt(trial % 2 == 0 ? 5 : 1000) - 100;
            int[] match = Hungarian.minimize(cost);
            assertEquals(rows, match.length);
            boolean[] usedCol = new boolean[cols];
            long total = 0;
            int assigned = 0;
            for (int i = 0; i < rows; i++) {
                if (match[i] < 0) continue;
                assertEquals(false, usedCol[match[i]], "column used twice");
                usedCol[match[i]] = true;
                total += cost[i][match[i]];
                assigned++;
            }
            assertEquals(Math.min(rows, cols), assigned, "every row (or column) of the smaller side is matched");
            assertEquals(bruteForce(cost, 0, new boolean[cols], Math.min(rows, cols)), total, "trial " + trial);
        }
    }

    /** Minimum over assignments that match min(rows, cols) pairs, rows skipped only when rows > cols. */
    private static long bruteForce(long[][] cost, int row, boolean[] used, int toMatch) {
        if (toMatch == 0) return 0;
        if (cost.length - row < toMatch) return Long.MAX_VALUE / 4;
        long best = bruteForce(cost, row + 1, used, toMatch); // leave this row unmatched
        for (int j = 0; j < used.length; j++) {
            if (used[j]) continue;
            used[j] = true;
            long rest = bruteForce(cost, row + 1, used, toMatch - 1);
            used[j] = false;
            if (rest < Long.MAX_VALUE / 4) best = Math.min(best, cost[row][j] + rest);
        }
        return best;
    }

    @Test
    void rectangularAccuracyCountsUnmatchedClustersAsWrong() {
        int[] truth = {0, 0, 0, 1, 1, 1};
        int[] pred = {0, 0, 1, 2, 2, 3};
        // best matching: class 0 -> cluster 0 (2), class 1 -> cluster 2 (2): 4 of 6
        assertEquals(4.0 / 6, Metrics.accuracy(truth, pred), TOL);
        assertEquals(4.0 / 6, Metrics.accuracy(pred, truth), TOL);
    }

    @Test
    void mismatchedLengthsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.nmi(new int[]{0, 1}, new int[]{0}));
        assertEquals("metrics: 2 true labels but 1 predicted", e.getMessage());
    }

    @Test
    void encodeNumbersStringsByFirstAppearance() {
        assertArrayEquals(new int[]{0, 1, 0, 2}, Metrics.encode(List.of("cat", "dog", "cat", "a,b")));
    }
}
