package org.itaestudio.pipeline;

import org.itaestudio.cluster.Map2D;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.cluster.PcaMap;
import org.itaestudio.cluster.TsneMap;
import org.itaestudio.cluster.UmapMap;
import org.itaestudio.progress.ProgressListener;

/** 2-D maps of embeddings for the map view and CSV export. */
final class Maps {
    private Maps() {
    }

    /** [point][2] for t-SNE, UMAP or PCA; {@link MapMethod#NONE} gives an empty array. */
    static double[][] compute(float[][] x, MapMethod method, long seed, ProgressListener progress, Cancellation cancel) {
        if (method == MapMethod.NONE) {
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
            case PCA -> m = new PcaMap().compute(x);
            case TSNE -> {
                double perplexity = Math.min(30, (x.length - 1) / 3.0);
                m = new TsneMap().withSeed(seed).withPerplexity(perplexity).compute(x,
                        p -> progress.onProgress(p.withStage("Map (" + p.stage() + ")")),
                        cancel::isCancelled);
            }
            case UMAP -> m = new UmapMap().withSeed(seed).compute(x,
                    p -> progress.onProgress(p.withStage("Map (" + p.stage() + ")")), cancel::isCancelled);
            default -> throw new IllegalStateException("unreachable: " + method);
        }
        cancel.throwIfCancelled();
        return m.toPoints();
    }
}
