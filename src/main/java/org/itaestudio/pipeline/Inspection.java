package org.itaestudio.pipeline;

import java.nio.file.Path;
import org.itaestudio.model.ImageProbe;

/**
 * One image as the model saw it, with the probes of one layer. Arrays are for this single image.
 *
 * @param image          the file
 * @param width          width of the model input (after resize/crop), pixels
 * @param height         height of the model input
 * @param rgb            the model input as packed 0xRRGGBB ints, row-major (what the heatmap is drawn over)
 * @param gridH          patch rows
 * @param gridW          patch columns
 * @param registers      register tokens (the first 1 + registers tokens of the norms are CLS and registers)
 * @param layer          the probed block
 * @param probe          what that block showed for this image
 * @param embedding      the image's embedding under the request's ITAE settings
 * @param blockNorms     [layer][token] L2 norm of every block's output (original tokens, CLS first), or null when
 *                       the engine does not report them
 * @param appendedNorms  [layer][r] L2 norm of the appended test-time registers at every block's output (apart from
 *                       the original tokens), or null without test-time registers
 */
public record Inspection(Path image, int width, int height, int[] rgb, int gridH, int gridW, int registers, int layer,
                         ImageProbe probe, float[] embedding, float[][] blockNorms, float[][] appendedNorms) {

    public Inspection(Path image, int width, int height, int[] rgb, int gridH, int gridW, int registers, int layer,
                      ImageProbe probe, float[] embedding, float[][] blockNorms) {
        this(image, width, height, rgb, gridH, gridW, registers, layer, probe, embedding, blockNorms, null);
    }

    public Inspection(Path image, int width, int height, int[] rgb, int gridH, int gridW, int registers, int layer,
                      ImageProbe probe, float[] embedding) {
        this(image, width, height, rgb, gridH, gridW, registers, layer, probe, embedding, null);
    }
}
