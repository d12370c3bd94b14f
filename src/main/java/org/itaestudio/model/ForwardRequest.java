package org.itaestudio.model;

import java.util.Set;
import java.util.TreeSet;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;

/**
 * What one forward pass computes besides the embedding. Probes cost nothing for layers not listed.
 *
 * @param itae          ITAE settings, or null for the plain model (bit-identical to no ITAE code at all)
 * @param pooling       how the embedding is pooled
 * @param probeLayers   blocks whose q/k/v norms, CLS attention and artifact flags are returned
 * @param fullAttention also return the whole [heads, N, N] attention of probed layers (meant for one image)
 * @param patchTokens   also return the normed patch tokens
 * @param captureLayer  return the hidden states entering this block (for incremental ITAE), or -1
 * @param captureClsState return the last block's {@link ClsState} (for the CLS fast path of last-block ITAE)
 * @param ttr           test-time registers, or null for none (then nothing of them runs)
 * @param blockNorms    also return every block's output token L2 norms (original tokens only)
 */
public record ForwardRequest(ItaeConfig itae, Pooling pooling, Set<Integer> probeLayers, boolean fullAttention,
                             boolean patchTokens, int captureLayer, boolean captureClsState, TestTimeRegisters ttr,
                             boolean blockNorms) {

    public ForwardRequest(ItaeConfig itae, Pooling pooling, Set<Integer> probeLayers, boolean fullAttention,
                          boolean patchTokens, int captureLayer, boolean captureClsState) {
        this(itae, pooling, probeLayers, fullAttention, patchTokens, captureLayer, captureClsState, null, false);
    }

    public ForwardRequest(ItaeConfig itae, Pooling pooling, Set<Integer> probeLayers, boolean fullAttention,
                          boolean patchTokens, int captureLayer) {
        this(itae, pooling, probeLayers, fullAttention, patchTokens, captureLayer, false);
    }

    public ForwardRequest {
        probeLayers = Set.copyOf(new TreeSet<>(probeLayers == null ? Set.of() : probeLayers));
    }

    public static ForwardRequest embedding(ItaeConfig itae, Pooling pooling) {
        return new ForwardRequest(itae, pooling, Set.of(), false, false, -1);
    }

    public static ForwardRequest plain() {
        return embedding(null, Pooling.CLS);
    }

    public ForwardRequest withProbes(Set<Integer> layers, boolean full) {
        return new ForwardRequest(itae, pooling, layers, full, patchTokens, captureLayer, captureClsState, ttr, blockNorms);
    }

    public ForwardRequest withPatchTokens(boolean on) {
        return new ForwardRequest(itae, pooling, probeLayers, fullAttention, on, captureLayer, captureClsState, ttr, blockNorms);
    }

    public ForwardRequest withCapture(int layer) {
        return new ForwardRequest(itae, pooling, probeLayers, fullAttention, patchTokens, layer, captureClsState, ttr, blockNorms);
    }

    public ForwardRequest withClsStateCapture(boolean on) {
        return new ForwardRequest(itae, pooling, probeLayers, fullAttention, patchTokens, captureLayer, on, ttr, blockNorms);
    }

    public ForwardRequest withItae(ItaeConfig c) {
        return new ForwardRequest(c, pooling, probeLayers, fullAttention, patchTokens, captureLayer, captureClsState, ttr, blockNorms);
    }

    public ForwardRequest withTtr(TestTimeRegisters t) {
        return new ForwardRequest(itae, pooling, probeLayers, fullAttention, patchTokens, captureLayer, captureClsState, t,
                blockNorms);
    }

    public ForwardRequest withBlockNorms(boolean on) {
        return new ForwardRequest(itae, pooling, probeLayers, fullAttention, patchTokens, captureLayer, captureClsState, ttr,
                on);
    }

    /**
     * Whether nothing is asked of the blocks but their output: no ITAE, probes, captures, test-time registers or
     * per-block norms (then the blocks can run as one compiled call, {@link CompiledBlocks}).
     */
    public boolean blocksOnly() {
        return itae == null && probeLayers.isEmpty() && captureLayer < 0 && !captureClsState && ttr == null && !blockNorms;
    }

    /** Tokens appended after all others (test-time registers), 0 without them. */
    public int appendedTokens() {
        return ttr == null ? 0 : ttr.count();
    }
}
