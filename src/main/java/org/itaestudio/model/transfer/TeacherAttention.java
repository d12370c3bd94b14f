package org.itaestudio.model.transfer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;

/**
 * The frozen teacher's attention: softmax(A_l) per requested block, A_l = q k^T / sqrt(hd) with ITAE applied where
 * it acts (the engineered scores are what is transferred). Both losses use the teacher only through this softmax,
 * so the project's inference forward is the teacher ({@link DinoV2#attentionWeights}: the same blocks and ITAE code,
 * stopped after the last transferred block, the weights left on the device): it records no gradient.
 *
 * <p>Does not own the model.
 */
public final class TeacherAttention {

    private final DinoV2 model;
    private final ItaeConfig itae;

    /**
     * @param model the teacher
     * @param itae  ITAE on the teacher's attention, or null for the plain teacher
     */
    public TeacherAttention(DinoV2 model, ItaeConfig itae) {
        this.model = model;
        this.itae = itae;
    }

    public DinoV2Config config() {
        return model.config();
    }

    public ItaeConfig itae() {
        return itae;
    }

    /**
     * Attention weights of the requested blocks, kept on the device as arrays of {@code out}; the teacher runs only
     * up to the last of them.
     *
     * @param pixels NCHW normalised, {@code batch * 3 * size * size}
     * @return per block, [B, H, N, N]
     */
    public Map<Integer, NDArray> attention(float[] pixels, int batch, int size, SortedSet<Integer> layers,
                                           NDManager out) {
        try (NoGrad noGrad = NoGrad.enter()) {
            return model.attentionWeights(pixels, batch, size, size, itae, layers, out);
        }
    }

    /**
     * Attention weights of the requested blocks as Java arrays (for a view or a test, not the training path).
     *
     * @return per block, [B, H, N, N] flattened row-major
     */
    public Map<Integer, float[]> attention(float[] pixels, int batch, int size, SortedSet<Integer> layers) {
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager(model.device())) {
            Map<Integer, NDArray> weights = attention(pixels, batch, size, layers, m);
            Map<Integer, float[]> out = new LinkedHashMap<>();
            for (int layer : layers) {
                out.put(layer, weights.get(layer).toFloatArray());
            }
            return out;
        }
    }
}
