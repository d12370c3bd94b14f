package org.itaestudio.image.jpeg;

import org.itaestudio.image.jpeg.ScaledJpegDecoder.Header;
import org.itaestudio.image.jpeg.ScaledJpegDecoder.UnsupportedJpegException;

/**
 * The frame at one scale (jdmaster.c {@code jpeg_calc_output_dimensions}): output size, the MCU grid, and, set on
 * each {@link Component}, its IDCT size, block counts, sample plane and upsampling method.
 *
 * @param outWidth   output width, {@code ceil(width / scale)}
 * @param outHeight  output height, {@code ceil(height / scale)}
 * @param mcusPerRow MCUs across the frame
 * @param mcuRows    MCU rows down the frame
 */
record FrameLayout(int outWidth, int outHeight, int mcusPerRow, int mcuRows) {

    /**
     * Lays out {@code components} of the frame {@code header} for decoding at {@code 1/scale}, allocating each
     * component's plane.
     *
     * @throws UnsupportedJpegException for sampling factors that need a fractional upsampling ratio
     */
    static FrameLayout of(Header header, Component[] components, int scale) throws UnsupportedJpegException {
        int width = header.width();
        int height = header.height();
        int maxH = 1;
        int maxV = 1;
        for (Component c : components) {
            maxH = Math.max(maxH, c.h);
            maxV = Math.max(maxV, c.v);
        }
        int minScaled = 8 / scale;
        FrameLayout layout = new FrameLayout((int) ceilDiv((long) width * minScaled, 8),
                (int) ceilDiv((long) height * minScaled, 8), (int) ceilDiv(width, 8L * maxH),
                (int) ceilDiv(height, 8L * maxV));
        for (Component c : components) {
            scaleComponent(c, width, height, maxH, maxV, minScaled);
            Upsampler.configure(c, maxH, maxV, minScaled);
        }
        for (Component c : components) {
            c.stride = layout.mcusPerRow * c.h * c.scaledSize;
            c.plane = new byte[Math.multiplyExact(c.stride, layout.mcuRows * c.v * c.scaledSize)];
        }
        return layout;
    }

    /**
     * The component's IDCT size (jdmaster.c: chroma is scaled up through a larger IDCT, up to 8x8, while that
     * still leaves an integral upsampling ratio of at least 2) and its size in blocks and in samples.
     */
    private static void scaleComponent(Component c, int width, int height, int maxH, int maxV, int minScaled) {
        int ssize = minScaled;
        while (ssize < 8 && (maxH * minScaled) % (c.h * ssize * 2) == 0
                && (maxV * minScaled) % (c.v * ssize * 2) == 0) {
            ssize *= 2;
        }
        c.scaledSize = ssize;
        c.widthInBlocks = (int) ceilDiv((long) width * c.h, 8L * maxH);
        c.heightInBlocks = (int) ceilDiv((long) height * c.v, 8L * maxV);
        c.downsampledWidth = (int) ceilDiv((long) width * c.h * ssize, 8L * maxH);
        c.downsampledHeight = (int) ceilDiv((long) height * c.v * ssize, 8L * maxV);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
