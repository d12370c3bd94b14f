package org.itaestudio.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link BenchSuite} measures.
 *
 * @param archs       vits14, vitb14, vitl14
 * @param batches     batch sizes; the agreement check uses the largest
 * @param imageSize   square input side in pixels (224)
 * @param warmup      untimed forwards per engine and batch size before timing
 * @param iterations  timed forwards per engine and batch size (interleaved across engines)
 * @param threads     intra-op threads for every engine
 * @param python      interpreter with torch for the PyTorch peer and the ONNX export (Debian's /usr/bin/python3)
 * @param tools       folder holding bench_pytorch.py and the reference model
 * @param oursJvmArgs extra JVM options for our engine's worker (e.g. experiments with -Dai.djl.pytorch.*)
 * @param oursEnv     extra environment for our engine's worker (e.g. LD_PRELOAD of an allocator)
 * @param keepFiles   keep the work folder (weights, inputs, ONNX model, worker logs) and print where it is
 * @param peersPassive make the peers' idle threads sleep instead of spin, as ITAE Studio's do
 *                    ({@code OMP_WAIT_POLICY=PASSIVE} for PyTorch, {@code session.intra_op.allow_spinning=0} for
 *                    ONNX Runtime); off by default: peers run as installed
 */
public record BenchOptions(List<String> archs, List<Integer> batches, int imageSize, int warmup, int iterations,
                           int threads, Path python, Path tools, List<String> oursJvmArgs, Map<String, String> oursEnv,
                           boolean keepFiles, boolean peersPassive) {

    public static final long WEIGHT_SEED = 1;
    public static final long INPUT_SEED = 2024;

    public BenchOptions {
        archs = List.copyOf(archs);
        batches = List.copyOf(batches);
        oursJvmArgs = List.copyOf(oursJvmArgs);
        oursEnv = Map.copyOf(oursEnv);
        if (archs.isEmpty() || batches.isEmpty()) {
            throw new IllegalArgumentException("at least one architecture and one batch size are needed");
        }
        for (String a : archs) {
            EngineBenchmark.arch(a); // validates the name
        }
        for (int b : batches) {
            if (b < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + b);
            }
        }
        if (warmup < 0 || iterations < 1 || threads < 1 || imageSize < 14 || imageSize % 14 != 0) {
            throw new IllegalArgumentException("invalid benchmark settings: warmup " + warmup + ", iterations "
                    + iterations + ", threads " + threads + ", image size " + imageSize + " (a multiple of 14)");
        }
    }

    /** The full run (ViT-S/14 and ViT-B/14, batch 1 and 8, 2 warm-up and 10 timed forwards) or the quick one. */
    public static BenchOptions defaults(boolean quick, Path tools) {
        return new BenchOptions(quick ? List.of("vits14") : List.of("vits14", "vitb14"), List.of(1, 8), 224,
                quick ? 1 : 2, quick ? 2 : 10, Runtime.getRuntime().availableProcessors(), Path.of("/usr/bin/python3"),
                tools, List.of(), Map.of(), false, false);
    }

    public int maxBatch() {
        return batches.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }
}
