package org.itaestudio.pipeline;

/** 2-D maps of embeddings for the map view and CSV export. */
final class Maps {
    private Maps() {
    }

    /** [point][2]; "none" gives an empty array. */
    static double[][] compute(float[][] x, String method, long seed, ProgressListener progress, Cancellation cancel) {
        if (method == null || method.equals("none")) {
            return new double[0][];
        }
        throw new UnsupportedOperationException("map method " + method + " is not available yet");
    }
}
