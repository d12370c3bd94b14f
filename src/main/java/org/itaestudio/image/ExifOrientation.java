package org.itaestudio.image;

/**
 * EXIF orientation (tag 0x0112, values 1..8): how to turn the stored pixels into the upright image.
 * Same mapping as PIL's {@code ImageOps.exif_transpose}: 2 mirror left-right, 3 rotate 180, 4 mirror
 * top-bottom, 5 transpose (main diagonal), 6 rotate 90 clockwise, 7 transverse (anti-diagonal),
 * 8 rotate 90 counter-clockwise. Values 5..8 swap width and height.
 */
public final class ExifOrientation {

    private ExifOrientation() {
    }

    /** True for values 5..8, where the upright image is the stored one with width and height swapped. */
    public static boolean swapsAxes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /**
     * The upright image. Unknown values (0, &gt; 8, or 1) return {@code image} itself: a broken tag must not
     * lose the photo.
     */
    public static RgbImage apply(RgbImage image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        boolean swap = swapsAxes(orientation);
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        byte[] src = image.rgb();
        byte[] dst = new byte[src.length];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                // (sx, sy): the stored pixel that lands at upright position (x, y)
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                int s = (sy * w + sx) * 3;
                int d = (y * outW + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(outW, outH, dst);
    }
}
