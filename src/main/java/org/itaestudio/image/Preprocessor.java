package org.itaestudio.image;

import java.nio.file.Path;

/**
 * DINOv2 eval preprocessing, equal to torchvision's
 * {@code Compose([Resize(resize, BICUBIC), CenterCrop(crop), ToTensor(), Normalize(mean, std)])} on a PIL RGB
 * image:
 * <ol>
 *   <li><b>Resize</b>: the shorter side becomes {@code resize}, the longer {@code int(resize * long / short)}
 *       (truncated); PIL antialiased bicubic ({@link PilBicubic}); an image already at that size is kept as is.</li>
 *   <li><b>Crop</b>: torchvision {@code CenterCrop(crop)}: {@code top = int(round((h - crop) / 2.0))},
 *       {@code left} likewise, with Python's round-half-to-even; a crop larger than the image first pads it with
 *       black like torchvision (left/top pad {@code (crop - size) // 2}, right/bottom the rest).
 *       With {@code crop == null} ("--crop none") the image is trimmed to whole patches, exactly as
 *       {@code CenterCrop((h // 14) * 14, (w // 14) * 14)}: the offset is {@code round(remainder / 2.0)}
 *       half-to-even (remainder 1 → 0, 3 → 2, 11 → 6, 13 → 6), so the extra row/column of an odd remainder
 *       is taken off the top/left or bottom/right as torchvision would.</li>
 *   <li><b>To float</b>: per value, in float32: {@code v = x / 255f}, then {@code (v - mean[c]) / std[c]} with
 *       the float32 values of mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225): the same IEEE operations
 *       as ToTensor + Normalize on CPU, so results are bit-identical.</li>
 * </ol>
 * Stateless apart from the immutable config: thread-safe.
 */
public final class Preprocessor {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    /**
     * Where the model input lies in the resized image: the rectangle {@code [left, left + width) x
     * [top, top + height)} of a {@code resizedWidth x resizedHeight} image (negative left/top: black padding).
     * Lets a caller map patch positions back onto the photo.
     */
    public record Geometry(int resizedWidth, int resizedHeight, int left, int top, int width, int height) {
    }

    private final PreprocessConfig config;

    public Preprocessor(PreprocessConfig config) {
        this.config = java.util.Objects.requireNonNull(config, "config");
    }

    public PreprocessConfig config() {
        return config;
    }

    /**
     * Decodes {@code file} as this preprocessing wants it: at full size, or with {@link PreprocessConfig#jpegDraft}
     * at the reduced size Pillow's {@code draft} would pick for the resize target.
     */
    public RgbImage decode(ImageDecoder decoder, Path file) throws ImageDecodeException {
        return decode(decoder, file, note -> { });
    }

    /** As {@link #decode(ImageDecoder, Path)}; {@code notes} hears how a file was adjusted (a huge JPEG scaled down). */
    public RgbImage decode(ImageDecoder decoder, Path file, java.util.function.Consumer<String> notes)
            throws ImageDecodeException {
        return config.jpegDraft() ? decoder.decodeForResize(file, config.resize(), notes) : decoder.decode(file, notes);
    }

    /** Decode, resize, crop, normalise: the model's input for {@code file}. */
    public ModelInput load(ImageDecoder decoder, Path file) throws ImageDecodeException {
        return apply(decode(decoder, file));
    }

    /** As {@link #load(ImageDecoder, Path)}, telling {@code notes} how the file was adjusted. */
    public ModelInput load(ImageDecoder decoder, Path file, java.util.function.Consumer<String> notes)
            throws ImageDecodeException {
        return apply(decode(decoder, file, notes));
    }

    /** Resize, crop, normalise: the model's input for {@code image}. */
    public ModelInput apply(RgbImage image) {
        return toModelInput(resizeAndCrop(image));
    }

    /** Resize and crop only: the 8-bit image the model sees (for display under heatmaps). */
    public RgbImage resizeAndCrop(RgbImage image) {
        Geometry g = geometry(image.width(), image.height());
        if (g.left() >= 0 && g.top() >= 0 && g.left() + g.width() <= g.resizedWidth()
                && g.top() + g.height() <= g.resizedHeight()) { // the usual case: only the crop is computed
            return PilBicubic.resizeWindow(image, g.resizedWidth(), g.resizedHeight(), g.left(), g.top(), g.width(),
                    g.height());
        }
        RgbImage resized = resizeShorterSide(image, config.resize());
        return crop(resized, g.left(), g.top(), g.width(), g.height());
    }

    /** The geometry {@link #resizeAndCrop} uses for a {@code width x height} source image. */
    public Geometry geometry(int width, int height) {
        int[] size = resizedSize(width, height, config.resize());
        int rw = size[0];
        int rh = size[1];
        int cw;
        int ch;
        if (config.crop() != null) {
            cw = config.crop();
            ch = config.crop();
        } else {
            cw = rw - rw % PreprocessConfig.PATCH_MULTIPLE;
            ch = rh - rh % PreprocessConfig.PATCH_MULTIPLE;
        }
        return new Geometry(rw, rh, centerOffset(rw, cw), centerOffset(rh, ch), cw, ch);
    }

    /**
     * torchvision {@code Resize(int)} output size {width, height}: the shorter side becomes {@code size}, the
     * longer {@code int(size * long / short)} (Python true division, then truncation).
     */
    public static int[] resizedSize(int width, int height, int size) {
        if (width <= 0 || height <= 0 || size <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + width + "x" + height + " -> " + size);
        }
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        int newLong = (int) ((double) ((long) size * longSide) / shortSide);
        return width <= height ? new int[] {size, newLong} : new int[] {newLong, size};
    }

    /** torchvision {@code Resize(size)} with PIL bicubic; an image already at the target size is returned as is. */
    public static RgbImage resizeShorterSide(RgbImage image, int size) {
        int[] target = resizedSize(image.width(), image.height(), size);
        return PilBicubic.resize(image, target[0], target[1]);
    }

    /** torchvision {@code CenterCrop((cropHeight, cropWidth))}, padding with black when the crop is larger. */
    public static RgbImage centerCrop(RgbImage image, int cropWidth, int cropHeight) {
        if (cropWidth <= 0 || cropHeight <= 0) {
            throw new IllegalArgumentException("crop must be positive: " + cropWidth + "x" + cropHeight);
        }
        return crop(image, centerOffset(image.width(), cropWidth), centerOffset(image.height(), cropHeight),
                cropWidth, cropHeight);
    }

    /**
     * Offset of a centred crop along one axis, in the unpadded image's coordinates: torchvision pads
     * {@code (crop - size) // 2} before (when the crop is larger), then takes {@code int(round((padded - crop) / 2.0))}.
     */
    static int centerOffset(int size, int crop) {
        int padBefore = crop > size ? (crop - size) / 2 : 0;
        int padded = crop > size ? size + padBefore + (crop - size + 1) / 2 : size;
        return (int) Math.rint((padded - crop) / 2.0) - padBefore; // Math.rint: round half to even, like Python
    }

    /** The rectangle at (left, top) of the given size; pixels outside the image are black. */
    private static RgbImage crop(RgbImage image, int left, int top, int width, int height) {
        if (left >= 0 && top >= 0 && left + width <= image.width() && top + height <= image.height()) {
            return image.crop(left, top, width, height);
        }
        byte[] out = new byte[width * height * 3];
        byte[] src = image.rgb();
        int x0 = Math.max(0, -left);
        int x1 = Math.min(width, image.width() - left);
        for (int y = 0; y < height; y++) {
            int sy = top + y;
            if (sy < 0 || sy >= image.height() || x1 <= x0) {
                continue;
            }
            System.arraycopy(src, (sy * image.width() + left + x0) * 3, out, (y * width + x0) * 3, (x1 - x0) * 3);
        }
        return new RgbImage(width, height, out);
    }

    /** ToTensor + Normalize: CHW float32, {@code ((x / 255f) - mean[c]) / std[c]} (see class comment). */
    public static float[] normalize(RgbImage image) {
        int plane = image.width() * image.height();
        byte[] rgb = image.rgb();
        float[] chw = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            float mean = MEAN[c];
            float std = STD[c];
            int o = c * plane;
            for (int p = 0, i = c; p < plane; p++, i += 3) {
                float v = (rgb[i] & 0xFF) / 255f;
                chw[o + p] = (v - mean) / std;
            }
        }
        return chw;
    }

    /** {@link #normalize} wrapped with its size. */
    public static ModelInput toModelInput(RgbImage image) {
        return new ModelInput(image.height(), image.width(), normalize(image));
    }

    /** The normalisation mean per channel (R, G, B), float32. */
    public static float[] mean() {
        return MEAN.clone();
    }

    /** The normalisation std per channel (R, G, B), float32. */
    public static float[] std() {
        return STD.clone();
    }
}
