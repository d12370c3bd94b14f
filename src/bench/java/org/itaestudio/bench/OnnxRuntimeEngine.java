package org.itaestudio.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** ONNX Runtime for Java running the ONNX export of the PyTorch reference (input "pixels", output "embedding"). */
final class OnnxRuntimeEngine implements BenchEngine {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final int threads;
    private final boolean passive;

    /** @param passive whether idle intra-op threads sleep instead of spinning (ONNX Runtime spins by default) */
    OnnxRuntimeEngine(Path onnx, int threads, boolean passive) throws Exception {
        this.env = OrtEnvironment.getEnvironment();
        this.threads = threads;
        this.passive = passive;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (passive) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            this.session = env.createSession(onnx.toString(), options);
        }
    }

    @Override
    public float[][] embed(float[] pixels, int batch, int size) throws Exception {
        FloatBuffer input = FloatBuffer.wrap(pixels, 0, batch * 3 * size * size);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {batch, 3, size, size});
             OrtSession.Result result = session.run(Map.of("pixels", tensor))) {
            return (float[][]) result.get(0).getValue();
        }
    }

    @Override
    public String version() {
        return "ONNX Runtime " + env.getVersion() + " (Java, CPU execution provider, all graph optimisations, "
                + (passive ? "intra-op spinning off)" : "intra-op spinning on, its default)");
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session failed", e);
        }
    }
}
