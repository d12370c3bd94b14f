package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.hub.ModelCatalog;
import org.junit.jupiter.api.Test;

class ModelFlopsTest {

    /**
     * Independent route: every linear layer costs 2 FLOPs per weight per token, so a block's linear FLOPs are
     * 2 * N * (number of weights in its matrices, read from the architecture's tensor list); attention adds
     * 2 * N^2 * D for the logits and as much for attention x V; the patch embedding is 2 FLOPs per conv weight per patch.
     */
    @Test
    void matchesACountFromTheTensorShapes() {
        for (String name : new String[] {"dinov2-small", "dinov2-base", "dinov2-giant-reg"}) {
            DinoV2Config c = ModelCatalog.config(name);
            int np = 16 * 16;
            int n = c.prefixTokens() + np;
            double linearWeights = 0;
            for (Map.Entry<String, long[]> e : c.expectedTensors().entrySet()) {
                if (e.getKey().startsWith("blocks.0.") && e.getKey().endsWith(".weight") && e.getValue().length == 2) {
                    linearWeights += (double) e.getValue()[0] * e.getValue()[1];
                }
            }
            double perBlock = 2.0 * n * linearWeights + 4.0 * n * n * c.embedDim();
            double patch = 2.0 * np * c.embedDim() * 3 * 14 * 14;
            ModelFlops f = ModelFlops.of(c, 224, 224);
            assertEquals(perBlock, f.perBlock(), 1e-6 * perBlock, name);
            assertEquals(patch + c.depth() * perBlock, f.total(), 1e-6 * f.total(), name);
        }
        // The commonly quoted figure for ViT-S/14 at 224 px: ~12.2 GFLOP (6.1 GMAC) per image.
        assertEquals(12.25e9, ModelFlops.of(ModelCatalog.config("dinov2-small"), 224, 224).total(), 0.01e9);
    }
}
