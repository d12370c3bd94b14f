package org.itaestudio.model.weights;

import java.io.IOException;
import org.itaestudio.model.DinoV2Config;

/**
 * An opened, validated checkpoint: its architecture, its tensors under the official facebookresearch/dinov2
 * names (exactly {@link DinoV2Config#expectedTensors()}, with {@code mask_token} possibly absent), and a one-line
 * description for logs and the UI. Closing releases the file.
 */
public record LoadedCheckpoint(DinoV2Config config, WeightSource weights, String description)
        implements AutoCloseable {

    @Override
    public void close() throws IOException {
        weights.close();
    }
}
