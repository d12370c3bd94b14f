package org.itaestudio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The transformer blocks of the plain forward as one libtorch call: a TorchScript function ({@code
 * dinov2_blocks.pt}, written by {@code tools/make_scripted_blocks.py}) that runs the same ops as {@link DinoV2}'s
 * blocks, in the same order, inside libtorch, so its results are bit for bit theirs.
 *
 * <p>Why: issued from Java, a block is about 25 libtorch calls, each one JNI crossing and one OpenMP parallel region;
 * between two of them libtorch's threads go idle and must be woken for the next. In one call the ops follow each other
 * inside libtorch. Measured on an idle 2-core AMD EPYC (ViT-S/14, interleaved with the Java blocks, 8 rounds): batch 1
 * 9 % and batch 8 4 % less time per forward, with the same kernels (docs/benchmarks.md, D78). Only for forwards that ask nothing of the blocks but
 * their output ({@link ForwardRequest#blocksOnly()}); ITAE, probes, captures and test-time registers need the Java
 * blocks, which stay the model's one readable definition; {@code CompiledBlocksTest} holds the two together on every
 * fixture architecture.
 *
 * <p>The module holds no weights: they are handed over once as a list (14 per block, in {@code Block}'s order) and
 * kept as a TorchScript value until {@link #close()}.
 */
final class CompiledBlocks implements AutoCloseable {
    static final String RESOURCE = "dinov2_blocks.pt";

    private final PtSymbolBlock module;
    private final IValue weights;
    private final IValue heads;
    private final IValue swiglu;
    private final IValue eps;

    private CompiledBlocks(PtSymbolBlock module, IValue weights, DinoV2Config config) {
        this.module = module;
        this.weights = weights;
        this.heads = IValue.from((long) config.numHeads());
        this.swiglu = IValue.from(config.ffn() == DinoV2Config.FfnType.SWIGLU);
        this.eps = IValue.from(config.layerNormEps());
    }

    /**
     * Loads the compiled blocks into {@code manager} for weights given block by block (14 arrays each, in
     * {@code Block}'s order).
     *
     * @throws IOException when the module cannot be read or libtorch refuses it
     */
    static CompiledBlocks load(NDManager manager, List<NDArray> weightsInBlockOrder, DinoV2Config config)
            throws IOException {
        if (weightsInBlockOrder.size() != 14 * config.depth()) {
            throw new IllegalArgumentException(weightsInBlockOrder.size() + " weights for " + config.depth() + " blocks");
        }
        Path file = Files.createTempFile("itae-dinov2-blocks", ".pt");
        try (InputStream in = CompiledBlocks.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + RESOURCE + " is missing from the build");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            PtSymbolBlock module;
            try {
                module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], false);
            } catch (RuntimeException e) { // libtorch's own error (EngineException): unreadable or unsupported file
                throw new IOException("libtorch could not load " + RESOURCE + ": " + e.getMessage(), e);
            }
            PtNDArray[] arrays = weightsInBlockOrder.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new);
            return new CompiledBlocks(module, IValue.listFrom(arrays), config);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Runs every block on {@code x} [B, N, D] (updated in place, as the Java blocks do) and returns the last block's
     * output [B, N, D], owned by {@code into}.
     */
    NDArray run(NDArray x, NDManager into) {
        try (IValue input = IValue.from((PtNDArray) x);
             IValue out = IValueUtils.runMethod(module, "forward", input, weights, heads, swiglu, eps)) {
            return out.toTensor((PtNDManager) into);
        }
    }

    @Override
    public void close() {
        weights.close();
        heads.close();
        swiglu.close();
        eps.close();
        module.close();
    }
}
