package org.itaestudio.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "More like this", near-duplicate sets and outlier scores against tools/make_explore_fixtures.py (plain numpy,
 * float64, dense similarity matrix): same indices in the same order (ties by lower index, exercised by two pairs of
 * identical rows), similarities and scores within 1e-5 (our float32 normalised rows vs numpy's float64).
 */
class ExplorationGoldenTest {
    private static final double TOL = 1e-5;
    private static JsonObject golden;
    private static float[][] x;

    @BeforeAll
    static void load() {
        golden = Fixtures.load("/explore/explore.json");
        x = Fixtures.floatMatrix(golden.get("x"));
    }

    @Test
    void nearestRowsMatchTheReferenceIncludingTies() {
        CosineIndex index = new CosineIndex(x);
        for (JsonElement e : golden.getAsJsonArray("knn")) {
            JsonObject q = e.getAsJsonObject();
            int row = q.get("row").getAsInt();
            List<CosineIndex.Neighbor> got = index.nearestTo(row, q.get("k").getAsInt());
            assertArrayEquals(Fixtures.ints(q.get("indices")), got.stream().mapToInt(CosineIndex.Neighbor::index).toArray(),
                    "row " + row);
            double[] sims = Fixtures.doubles(q.get("similarities"));
            for (int t = 0; t < sims.length; t++) assertEquals(sims[t], got.get(t).similarity(), TOL, "row " + row);
        }
    }

    @Test
    void anOutsideQueryExcludesNothing() {
        checkQuery(golden.getAsJsonObject("query"));
    }

    @Test
    void identicalRowsTieAndTheLowerIndexComesFirst() {
        JsonObject q = golden.getAsJsonObject("tie_query");
        int[] idx = Fixtures.ints(q.get("indices"));
        assertTrue(idx[0] < idx[1], "the reference breaks the tie by the lower index");
        checkQuery(q);
    }

    private static void checkQuery(JsonObject q) {
        double[] v = Fixtures.doubles(q.get("vector"));
        float[] query = new float[v.length];
        for (int i = 0; i < v.length; i++) query[i] = (float) v[i];
        List<CosineIndex.Neighbor> got = new CosineIndex(x).nearest(query, q.get("k").getAsInt(), -1);
        assertArrayEquals(Fixtures.ints(q.get("indices")), got.stream().mapToInt(CosineIndex.Neighbor::index).toArray());
        double[] sims = Fixtures.doubles(q.get("similarities"));
        for (int t = 0; t < sims.length; t++) assertEquals(sims[t], got.get(t).similarity(), TOL);
    }

    @Test
    void queriesSpanningSeveralBlocksAgreeWithBruteForce() {
        // 700 rows: three blocks of 256, the last one partial
        float[][] big = new float[700][];
        SplitMix64 rng = new SplitMix64(5);
        for (int i = 0; i < big.length; i++) {
            big[i] = new float[24];
            for (int j = 0; j < 24; j++) big[i][j] = (float) (rng.nextDouble() - 0.5);
        }
        CosineIndex index = new CosineIndex(big);
        float[][] unit = Embeddings.l2Normalized(big);
        for (int row : new int[] {0, 255, 256, 699}) {
            List<CosineIndex.Neighbor> got = index.nearestTo(row, 699);
            double prev = 2;
            for (CosineIndex.Neighbor nb : got) {
                assertTrue(nb.index() != row);
                assertTrue(nb.similarity() <= prev, "sorted, most similar first");
                prev = nb.similarity();
                assertEquals(Embeddings.dot(unit[row], unit[nb.index()]), nb.similarity(), 1e-9);
            }
            assertEquals(699, got.stream().mapToInt(CosineIndex.Neighbor::index).distinct().count());
        }
    }

    @Test
    void badQueriesAreRefused() {
        CosineIndex index = new CosineIndex(x);
        assertThrows(IllegalArgumentException.class, () -> index.nearestTo(0, x.length)); // only n - 1 others
        assertThrows(IllegalArgumentException.class, () -> index.nearestTo(0, 0));
        assertThrows(IllegalArgumentException.class, () -> index.nearest(new float[3], 1, -1));
        assertEquals(x.length, index.nearest(x[0], x.length, -1).size());
    }

    @Test
    void duplicateSetsMatchTheReferenceComponents() {
        double threshold = golden.get("threshold").getAsDouble();
        List<NearDuplicates.Group> got = NearDuplicates.find(x, threshold, 2, null, null);
        JsonArray want = golden.getAsJsonArray("duplicates");
        assertEquals(want.size(), got.size());
        for (int g = 0; g < want.size(); g++) {
            JsonObject w = want.get(g).getAsJsonObject();
            assertArrayEquals(Fixtures.ints(w.get("members")), got.get(g).members(), "group " + g);
            double[] sims = Fixtures.doubles(w.get("similarity_to_first"));
            for (int t = 0; t < sims.length; t++) assertEquals(sims[t], got.get(g).similarityToFirst()[t], TOL);
        }
        // one thread and several threads give the same groups
        List<NearDuplicates.Group> single = NearDuplicates.find(x, threshold, 1, null, null);
        for (int g = 0; g < got.size(); g++) assertArrayEquals(got.get(g).members(), single.get(g).members());
    }

    @Test
    void thresholdsAtTheEndsAndOutsideTheRange() {
        assertEquals(1, NearDuplicates.find(x, -1).size(), "every pair qualifies at -1: one set of everything");
        assertEquals(x.length, NearDuplicates.find(x, -1).get(0).size());
        // at 1 only exact duplicates (cosine 1 up to rounding of the double dot product) remain
        for (NearDuplicates.Group g : NearDuplicates.find(x, 1.0)) {
            for (double s : g.similarityToFirst()) assertEquals(1.0, s, 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> NearDuplicates.find(x, 1.01));
        assertThrows(IllegalArgumentException.class, () -> NearDuplicates.find(x, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> NearDuplicates.find(x, -1.5));
    }

    @Test
    void outlierScoresMatchTheReference() {
        int k = golden.get("outlier_k").getAsInt();
        double[] want = Fixtures.doubles(golden.get("outlier"));
        double[] got = OutlierScores.meanCosineDistance(x, k, 2, null, null);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], TOL, "row " + i);
        int[] order = OutlierScores.mostUnusualFirst(got);
        for (int t = 1; t < order.length; t++) assertTrue(got[order[t - 1]] >= got[order[t]]);
        assertThrows(IllegalArgumentException.class, () -> OutlierScores.meanCosineDistance(x, x.length, 1, null, null));
        assertArrayEquals(new double[1], OutlierScores.meanCosineDistance(new float[][] {{1, 2}}));
    }
}
