package org.itaestudio.image;

/**
 * One preprocessed image: a float32 tensor in CHW order (channel R, G, B planes, each row-major),
 * normalised with the ImageNet mean and std.
 *
 * @param height rows (a multiple of 14 for DINOv2 inputs)
 * @param width  columns
 * @param chw    {@code 3 * height * width} floats; element (c, y, x) is at {@code (c * height + y) * width + x}
 */
public record ModelInput(int height, int width, float[] chw) {

    public ModelInput {
        if (height <= 0 || width <= 0 || chw == null || chw.length != 3L * height * width) {
            throw new IllegalArgumentException("expected 3x" + height + "x" + width + " floats, got "
                    + (chw == null ? "null" : chw.length));
        }
    }

    /** Element (c, y, x). */
    public float at(int c, int y, int x) {
        return chw[(c * height + y) * width + x];
    }
}
