package org.itaestudio.bench;

import org.itaestudio.cluster.Embeddings;
import org.itaestudio.cluster.Map2D;
import org.itaestudio.cluster.Metrics;
import org.itaestudio.cluster.TsneMap;

import java.util.Locale;

/**
 * Smile's exact t-SNE against our Barnes-Hut t-SNE on the same data and initialisation: wall
 * time, trustworthiness (k = 10) and 10-NN label accuracy in the map. Not a unit test. Usage:
 * {@code TsneCompareBench [n...]} (default 500 1000 2000), d = 384, 20 synthetic clusters.
 */
public final class TsneCompareBench {
    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[]{500, 1000, 2000} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (int n : sizes) {
            SyntheticEmbeddings data = new SyntheticEmbeddings(n, 384, 20, 1.0, 2);
            float[][] xn = Embeddings.l2Normalized(data.x);
            for (TsneMap.Method m : new TsneMap.Method[]{TsneMap.Method.EXACT, TsneMap.Method.BARNES_HUT}) {
                double cpu0 = TsneBench.processCpuSeconds();
                long t0 = System.nanoTime();
                Map2D map = new TsneMap().withMethod(m).compute(data.x);
                double wall = (System.nanoTime() - t0) / 1e9, cpu = TsneBench.processCpuSeconds() - cpu0;
                double trust = Metrics.trustworthiness(xn, map.toPoints(), 10);
                double acc = SyntheticEmbeddings.knnAccuracy(map.x(), map.y(), data.labels, 10);
                System.out.printf(Locale.ROOT, "n=%5d %-10s wall %6.2f s  CPU %6.2f s  trustworthiness %.4f  10-NN acc %.4f%n",
                        n, m, wall, cpu, trust, acc);
            }
        }
    }
}
