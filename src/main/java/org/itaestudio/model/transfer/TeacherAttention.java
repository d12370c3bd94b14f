package org.itaestudio.model.transfer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.ForwardResult;
import org.itaestudio.model.LayerProbe;

/**
 * The frozen teacher's attention: softmax(A_l) per requested block, A_l = q k^T / sqrt(hd) with ITAE applied where
 * it acts (the engineered scores are what is transferred). Both losses use the teacher only through this softmax,
 * so the project's inference forward, with full-attention probes, is the teacher: it records no gradient.
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
     * Attention weights of the requested blocks.
     *
     * @param pixels NCHW normalised, {@code batch * 3 * size * size}
     * @return per block, [B, H, N, N] flattened row-major
     */
    public Map<Integer, float[]> attention(float[] pixels, int batch, int size, SortedSet<Integer> layers) {
        ForwardRequest request = ForwardRequest.plain().withItae(itae).withProbes(layers, true);
        ForwardResult result;
        try (NoGrad noGrad = NoGrad.enter()) {
            result = model.forward(pixels, batch, size, size, request);
        }
        Map<Integer, float[]> out = new LinkedHashMap<>();
        for (int layer : layers) {
            out.put(layer, flatten(result.probes().get(layer)));
        }
        return out;
    }

    private static float[] flatten(LayerProbe probe) {
        float[][][][] a = probe.attention();                                        // [B][H][N][N]
        int b = a.length;
        int h = a[0].length;
        int n = a[0][0].length;
        float[] out = new float[b * h * n * n];
        int at = 0;
        for (float[][][] image : a) {
            for (float[][] head : image) {
                for (float[] row : head) {
                    System.arraycopy(row, 0, out, at, n);
                    at += n;
                }
            }
        }
        return out;
    }
}
