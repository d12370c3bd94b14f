package org.itaestudio.cluster;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NearestNeighborsTest {

    /** Against a naive search (exact double distances, ties by index), with duplicated points and odd block counts. */
    @Test
    void matchesNaiveSearchIncludingTies() {
        for (int n : new int[]{5, 257, 700, 1030}) {
            Random r = new Random(n);
            float[][] x = new float[n][16];
            for (float[] row : x) for (int j = 0; j < 16; j++) row[j] = (float) r.nextGaussian();
            for (int i = 0; i < n / 10; i++) x[r.nextInt(n)] = x[r.nextInt(n)].clone(); // duplicates: exact ties
            int k = Math.min(n - 1, 12);
            NearestNeighbors nn;
            try (BlockRunner runner = new BlockRunner(2)) {
                nn = NearestNeighbors.exact(x, k, runner, null, null);
            }
            for (int i = 0; i < n; i++) {
                final int q = i;
                Integer[] order = new Integer[n - 1];
                for (int j = 0, t = 0; j < n; j++) if (j != i) order[t++] = j;
                double[] d = new double[n];
                for (int j = 0; j < n; j++) d[j] = Embeddings.squaredDistance(x[q], x[j]);
                java.util.Arrays.sort(order, (a, b) -> d[a] != d[b] ? Double.compare(d[a], d[b]) : Integer.compare(a, b));
                for (int t = 0; t < k; t++) {
                    assertEquals(order[t], nn.indices[i][t], "n=" + n + " point " + i + " neighbour " + t);
                    assertEquals(d[order[t]], nn.squaredDistances[i][t], 0.0);
                }
            }
        }
    }

    @Test
    void sameResultForAnyThreadCount() {
        Random r = new Random(1);
        float[][] x = new float[1500][40];
        for (float[] row : x) for (int j = 0; j < 40; j++) row[j] = (float) r.nextGaussian();
        NearestNeighbors ref;
        try (BlockRunner one = new BlockRunner(1)) {
            ref = NearestNeighbors.exact(x, 30, one, null, null);
        }
        for (int threads : new int[]{2, 3}) {
            try (BlockRunner runner = new BlockRunner(threads)) {
                NearestNeighbors nn = NearestNeighbors.exact(x, 30, runner, null, null);
                for (int i = 0; i < x.length; i++) {
                    assertArrayEquals(ref.indices[i], nn.indices[i]);
                    assertArrayEquals(ref.squaredDistances[i], nn.squaredDistances[i]);
                }
            }
        }
    }
}
