package org.itaestudio.pipeline;

import org.itaestudio.cluster.Map2D;
import org.itaestudio.cluster.PcaMap;
import org.itaestudio.cluster.TsneMap;
import org.itaestudio.progress.ProgressListener;

/** 2-D maps of embeddings for the map view and CSV export. */
final class Maps {
    private Maps() {
    }

    /** [point][2] for "tsne" or "pca"; "none" gives an empty array. */
    static double[][] compute(float[][] x, String method, long seed, ProgressListener progress, Cancellation cancel) {
        if (method == null || method.equals("none")) {
            return new double[0][];
        }
        if (x.length < 3) { // too few points for a map: put them on a line
            double[][] p = new double[x.length][2];
            for (int i = 0; i < x.length; i++) {
                p[i][0] = i;
            }
            return p;
        }
        Map2D m;
        switch (method) {
            case "pca" -> m = new PcaMap().compute(x);
            case "tsne" -> {
                double perplexity = Math.min(30, (x.length - 1) / 3.0);
                m = new TsneMap().withSeed(seed).withPerplexity(perplexity).compute(x,
                        p -> progress.onProgress(p.withStage("Map (" + p.stage() + ")")),
                        cancel::isCancelled);
            }
            default -> throw new IllegalArgumentException("unknown map method '" + method + "' (tsne, pca or none)");
        }
        cancel.throwIfCancelled();
        return m.toPoints();
    }
}
