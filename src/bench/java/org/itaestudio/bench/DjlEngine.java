package org.itaestudio.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.MklDispatch;
import org.itaestudio.model.NativeThreading;

/** ITAE Studio's own engine ({@link DinoV2} on DJL + libtorch) with the benchmark's synthetic weights. */
final class DjlEngine implements BenchEngine {
    private final DinoV2 model;

    DjlEngine(DinoV2Config config, long weightSeed, int threads) throws Exception {
        NativeThreading.configure(); // what the app does before libtorch loads
        Engine.getEngine("PyTorch"); // loads libtorch
        if (JniUtils.getNumThreads() != threads) { // normally already set by -Dai.djl.pytorch.num_threads
            JniUtils.setNumThreads(threads);
        }
        model = DinoV2.create(config, new SyntheticWeights(config, weightSeed), Device.cpu());
    }

    @Override
    public float[][] embed(float[] pixels, int batch, int size) {
        return model.forward(pixels, batch, size, size, ForwardRequest.plain()).embeddings();
    }

    @Override
    public String version() {
        return "DJL " + Engine.getDjlVersion() + ", libtorch " + Engine.getEngine("PyTorch").getVersion()
                + ", OMP_WAIT_POLICY " + NativeThreading.waitPolicy() + ", " + MklDispatch.state().description()
                + (model.usesCompiledBlocks() ? ", compiled blocks" : ", Java blocks");
    }

    @Override
    public int threads() {
        return JniUtils.getNumThreads();
    }

    /**
     * The machine's float32 matrix-multiply rate through the same libtorch, in GFLOP/s: the best of {@code repeats}
     * products of two n x n matrices (2 n^3 FLOPs each). The best, not the median, because other work on a shared
     * machine only ever slows a product down; this estimates what the hardware can do.
     */
    static double matMulGflops(int n, int repeats) {
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            a.matMul(b).close(); // warm-up
            double best = 0;
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                NDArray c = a.matMul(b);
                c.getFloat(0, 0); // libtorch on CPU is synchronous; this makes sure the product exists
                best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - t0) / 1e9) / 1e9);
                c.close();
            }
            return best;
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
