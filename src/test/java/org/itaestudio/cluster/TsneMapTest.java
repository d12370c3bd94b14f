package org.itaestudio.cluster;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TsneMapTest {

    /**
     * Input affinities against scikit-learn 1.2.1's Barnes-Hut P (tools/make_cluster_fixtures.py):
     * same sparsity pattern; values within 1e-9 relative to the largest entry when fed the same
     * float32-rounded distances sklearn bisects on, and within 1e-4 with our double distances (the
     * bisection stops at an entropy error of 1e-5, so the stopping point moves with the rounding).
     */
    @Test
    void affinitiesMatchSklearn() {
        JsonObject f = Fixtures.load("/cluster/tsne.json");
        float[][] x = Fixtures.floatMatrix(f.get("x"));
        double perplexity = f.get("perplexity").getAsDouble();
        int k = f.get("n_neighbors").getAsInt();
        assertEquals(k, Math.min(x.length - 1, (int) (3 * perplexity + 1)));
        int[] indptr = Fixtures.ints(f.get("p_indptr"));
        int[] indices = Fixtures.ints(f.get("p_indices"));
        double[] data = Fixtures.doubles(f.get("p_data"));
        double max = 0;
        for (double v : data) max = Math.max(max, v);
        try (BlockRunner runner = new BlockRunner(2)) {
            NearestNeighbors nn = NearestNeighbors.exact(x, k, runner, null, null);
            double[][] asFloat32 = new double[x.length][k];
            for (int i = 0; i < x.length; i++) {
                for (int t = 0; t < k; t++) asFloat32[i][t] = (float) nn.squaredDistances[i][t];
            }
            Affinities same = Affinities.symmetric(nn.indices, Affinities.conditional(asFloat32, perplexity, runner));
            Affinities ours = Affinities.symmetric(nn.indices, Affinities.conditional(nn.squaredDistances, perplexity, runner));
            for (Affinities p : List.of(same, ours)) {
                assertArrayEquals(indptr, p.rowStart, "row pointers");
                assertArrayEquals(indices, p.cols, "column indices");
            }
            for (int e = 0; e < data.length; e++) {
                assertEquals(data[e], same.vals[e], 1e-9 * max, "P entry " + e + " (float32 distances)");
                assertEquals(data[e], ours.vals[e], 1e-4 * max, "P entry " + e);
            }
        }
    }

    /** Barnes-Hut with theta = 0 is the exact gradient: matches float64 numpy to 1e-9 relative. */
    @Test
    void exactGradientAndKlMatchNumpy() {
        JsonObject f = Fixtures.load("/cluster/tsne.json");
        Affinities p = goldenP(f);
        double[] y = interleave(Fixtures.doubleMatrix(f.get("y")));
        double[][] expected = Fixtures.doubleMatrix(f.get("grad"));
        double scale = 0;
        for (double[] g : expected) scale = Math.max(scale, Math.max(Math.abs(g[0]), Math.abs(g[1])));
        try (BlockRunner runner = new BlockRunner(2)) {
            BarnesHutTsne bh = new BarnesHutTsne(p, 0.0, runner);
            double[] grad = new double[y.length];
            double z = bh.gradient(y, 1.0, grad);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i][0], grad[2 * i], 1e-9 * scale, "grad x of point " + i);
                assertEquals(expected[i][1], grad[2 * i + 1], 1e-9 * scale, "grad y of point " + i);
            }
            assertEquals(f.get("kl").getAsDouble(), bh.klDivergence(y, z), 1e-9);
        }
    }

    /** theta = 0.5 approximates the exact gradient: relative L2 error below 2 %. */
    @Test
    void barnesHutGradientIsCloseToExact() {
        JsonObject f = Fixtures.load("/cluster/tsne.json");
        Affinities p = goldenP(f);
        double[] y = interleave(Fixtures.doubleMatrix(f.get("y")));
        double[][] expected = Fixtures.doubleMatrix(f.get("grad"));
        try (BlockRunner runner = new BlockRunner(1)) {
            double[] grad = new double[y.length];
            new BarnesHutTsne(p, 0.5, runner).gradient(y, 1.0, grad);
            double err = 0, norm = 0;
            for (int i = 0; i < expected.length; i++) {
                for (int c = 0; c < 2; c++) {
                    double e = grad[2 * i + c] - expected[i][c];
                    err += e * e;
                    norm += expected[i][c] * expected[i][c];
                }
            }
            double rel = Math.sqrt(err / norm);
            assertTrue(rel < 0.02, "relative gradient error " + rel);
            assertTrue(rel > 0, "theta 0.5 should approximate, not be exact");
        }
    }

    /** Duplicate points: the tree must not recurse forever and self-interactions are left out. */
    @Test
    void coincidentPointsAreHandled() {
        double[] y = new double[2 * 50];
        for (int i = 0; i < 50; i++) {
            y[2 * i] = i < 30 ? 1.0 : 1.0 + i; // 30 identical points
            y[2 * i + 1] = i < 30 ? 2.0 : -i;
        }
        QuadTree tree = new QuadTree(y);
        int[] stack = new int[QuadTree.stackSize()];
        for (int i = 0; i < 50; i++) {
            double[] approx = new double[2], exact = new double[2];
            double z = tree.repulsion(i, 0.0, exact, stack);
            double zRef = 0;
            for (int j = 0; j < 50; j++) {
                if (j == i) continue;
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                double q = 1 / (1 + dx * dx + dy * dy);
                zRef += q;
                approx[0] += q * q * dx;
                approx[1] += q * q * dy;
            }
            assertEquals(zRef, z, 1e-12 * zRef);
            assertEquals(approx[0], exact[0], 1e-12);
            assertEquals(approx[1], exact[1], 1e-12);
        }
    }

    /** Well-separated Gaussian blobs in 50-D stay separate in the map. */
    @Test
    void barnesHutMapSeparatesBlobs() {
        Blobs b = new Blobs(1500, 50, 6, 11);
        Map2D map = new TsneMap().withMethod(TsneMap.Method.BARNES_HUT).withIterations(500).compute(b.x);
        double acc = knnAccuracy(map, b.labels, 10);
        assertTrue(acc >= 0.95, "10-NN accuracy in the map " + acc);
        assertTrue(map.klDivergence() > 0 && map.klDivergence() < 3, "KL " + map.klDivergence());
        assertTrue(map.method().startsWith("t-SNE(barnes-hut"), map.method());
    }

    /**
     * Barnes-Hut against Smile's exact t-SNE on the same data and initialisation: neighbourhoods
     * are preserved about as well (trustworthiness within 0.02, and at least 0.9).
     */
    @Test
    void barnesHutTrustworthinessIsCloseToExact() {
        Blobs b = new Blobs(400, 50, 5, 3);
        float[][] normalized = Embeddings.l2Normalized(b.x);
        Map2D bh = new TsneMap().withMethod(TsneMap.Method.BARNES_HUT).compute(b.x);
        Map2D exact = new TsneMap().withMethod(TsneMap.Method.EXACT).compute(b.x);
        assertTrue(exact.method().startsWith("t-SNE(exact/Smile"), exact.method());
        double tBh = Metrics.trustworthiness(normalized, bh.toPoints(), 10);
        double tExact = Metrics.trustworthiness(normalized, exact.toPoints(), 10);
        assertTrue(tExact > 0.9 && tBh > 0.9, "trustworthiness exact " + tExact + ", barnes-hut " + tBh);
        assertTrue(Math.abs(tBh - tExact) < 0.02, "trustworthiness exact " + tExact + ", barnes-hut " + tBh);
        assertTrue(knnAccuracy(exact, b.labels, 10) >= 0.95);
        assertTrue(knnAccuracy(bh, b.labels, 10) >= 0.95);
    }

    @Test
    void sameSeedGivesIdenticalMapsForAnyThreadCount() {
        Blobs b = new Blobs(700, 20, 4, 5);
        TsneMap base = new TsneMap().withMethod(TsneMap.Method.BARNES_HUT).withIterations(300);
        Map2D one = base.withThreads(1).compute(b.x);
        Map2D two = base.withThreads(2).compute(b.x);
        Map2D again = base.withThreads(3).compute(b.x);
        assertArrayEquals(one.x(), two.x());
        assertArrayEquals(one.y(), two.y());
        assertArrayEquals(one.x(), again.x());
        Map2D random1 = base.withInit(TsneMap.Init.RANDOM).withSeed(7).compute(b.x);
        Map2D random2 = base.withInit(TsneMap.Init.RANDOM).withSeed(7).compute(b.x);
        Map2D random3 = base.withInit(TsneMap.Init.RANDOM).withSeed(8).compute(b.x);
        assertArrayEquals(random1.x(), random2.x());
        assertTrue(random1.x()[0] != random3.x()[0] || random1.y()[0] != random3.y()[0], "different seed, different map");
    }

    @Test
    void progressIsReportedAndCancellationStops() {
        Blobs b = new Blobs(300, 10, 3, 1);
        List<String> stages = new ArrayList<>();
        AtomicInteger lastOptimise = new AtomicInteger();
        new TsneMap().withMethod(TsneMap.Method.BARNES_HUT).withIterations(100).compute(b.x, p -> {
            String stage = p.stage();
            int done = (int) p.done();
            int total = (int) p.total();
            if (stages.isEmpty() || !stages.get(stages.size() - 1).equals(stage)) stages.add(stage);
            if (stage.equals("optimise")) {
                assertEquals(100, total);
                lastOptimise.set(done);
            }
        }, null);
        assertEquals(List.of("neighbours", "affinities", "optimise"), stages);
        assertEquals(100, lastOptimise.get());

        AtomicInteger polls = new AtomicInteger();
        assertThrows(CancellationException.class, () -> new TsneMap().withMethod(TsneMap.Method.BARNES_HUT)
                .compute(b.x, null, () -> polls.incrementAndGet() > 20));
        assertThrows(CancellationException.class, () -> new TsneMap().withMethod(TsneMap.Method.EXACT)
                .compute(b.x, null, () -> true));
    }

    @Test
    void tinyAndDegenerateInputs() {
        assertEquals(1, new TsneMap().compute(new float[][]{{1, 2}}).size());
        assertEquals(3, new TsneMap().compute(new float[][]{{1, 2}, {2, 1}, {0, 1}}).size());
        // all points identical: no NaN
        float[][] same = new float[20][4];
        for (float[] r : same) java.util.Arrays.fill(r, 0.5f);
        Map2D m = new TsneMap().withMethod(TsneMap.Method.BARNES_HUT).withIterations(50).compute(same);
        for (int i = 0; i < m.size(); i++) assertTrue(Float.isFinite(m.x()[i]) && Float.isFinite(m.y()[i]));
        // n == d must not be mistaken for a distance matrix by Smile
        Blobs b = new Blobs(30, 30, 2, 2);
        Map2D e = new TsneMap().withMethod(TsneMap.Method.EXACT).withIterations(200).compute(b.x);
        assertTrue(knnAccuracy(e, b.labels, 3) >= 0.9);
        // AUTO: Barnes-Hut by default, exact up to exactMaxPoints when asked
        assertTrue(new TsneMap().withIterations(50).compute(b.x).method().startsWith("t-SNE(barnes-hut"));
        assertTrue(new TsneMap().withIterations(50).withExactMaxPoints(30).compute(b.x).method().startsWith("t-SNE(exact/Smile"));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> new TsneMap().compute(new float[][]{{1, 2}, {1}}));
        assertEquals("t-SNE input: row 1 has length 1, expected 2", ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TsneMap().withMethod(TsneMap.Method.EXACT)
                .compute(new float[TsneMap.EXACT_HARD_LIMIT + 1][2]));
    }

    // --- helpers -----------------------------------------------------------------------------

    static Affinities goldenP(JsonObject f) {
        int[] indptr = Fixtures.ints(f.get("p_indptr"));
        return new Affinities(indptr.length - 1, indptr, Fixtures.ints(f.get("p_indices")), Fixtures.doubles(f.get("p_data")));
    }

    static double[] interleave(double[][] points) {
        double[] y = new double[2 * points.length];
        for (int i = 0; i < points.length; i++) {
            y[2 * i] = points[i][0];
            y[2 * i + 1] = points[i][1];
        }
        return y;
    }

    /** Isotropic Gaussian blobs with centres far apart relative to their spread. */
    static final class Blobs {
        final float[][] x;
        final int[] labels;

        Blobs(int n, int d, int k, long seed) {
            Random r = new Random(seed);
            double[][] centres = new double[k][d];
            for (double[] c : centres) for (int j = 0; j < d; j++) c[j] = r.nextGaussian() * 4;
            x = new float[n][d];
            labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % k;
                for (int j = 0; j < d; j++) x[i][j] = (float) (centres[labels[i]][j] + r.nextGaussian());
            }
        }
    }

    /** Leave-one-out k-NN classification accuracy of the labels in the map. */
    static double knnAccuracy(Map2D map, int[] labels, int k) {
        int n = map.size();
        int correct = 0;
        for (int i = 0; i < n; i++) {
            double[] d = new double[n];
            Integer[] idx = new Integer[n];
            for (int j = 0; j < n; j++) {
                double dx = map.x()[i] - map.x()[j], dy = map.y()[i] - map.y()[j];
                d[j] = j == i ? Double.POSITIVE_INFINITY : dx * dx + dy * dy;
                idx[j] = j;
            }
            java.util.Arrays.sort(idx, (a, b) -> Double.compare(d[a], d[b]));
            int[] votes = new int[64];
            for (int t = 0; t < k; t++) votes[labels[idx[t]]]++;
            int best = 0;
            for (int c = 1; c < votes.length; c++) if (votes[c] > votes[best]) best = c;
            if (best == labels[i]) correct++;
        }
        return (double) correct / n;
    }
}
