package org.itaestudio.bench;

/** One engine under test inside an {@link EngineWorker}: embeds a batch of 224 px images. */
interface BenchEngine extends AutoCloseable {

    /** CLS embeddings after the final LayerNorm, [batch][dim], of the first {@code batch} images of the input. */
    float[][] embed(float[] pixels, int batch, int size) throws Exception;

    /** Version string for the report (engine and native library). */
    String version();

    /** Intra-op threads the engine runs with. */
    int threads();

    @Override
    void close();
}
