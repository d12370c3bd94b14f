package org.itaestudio.image;

/**
 * DINOv2 eval preprocessing options.
 *
 * @param resize target length of the shorter side (torchvision {@code Resize(int)}), &gt; 0; default 256
 * @param crop   side of the centre crop (torchvision {@code CenterCrop}), or {@code null} for "--crop none":
 *               keep the whole resized image, trimmed centrally to multiples of {@link #PATCH_MULTIPLE}
 * @param jpegDraft decode JPEGs at 1/2, 1/4 or 1/8 size inside the JPEG decoder when they are that much larger than
 *               the resize target, exactly as Pillow's {@code Image.draft("RGB", resizeTarget)} does before the same
 *               transforms (opt-in, off by default: several times faster on camera photos, but the pixels differ
 *               slightly from a full decode, so embeddings do too)
 */
public record PreprocessConfig(int resize, Integer crop, boolean jpegDraft) {

    /** The ViT patch size that "--crop none" trims to (DINOv2: 14). */
    public static final int PATCH_MULTIPLE = 14;

    /** DINOv2's eval transform: shorter side 256, centre crop 224. */
    public static final PreprocessConfig DINOV2_EVAL = new PreprocessConfig(256, 224);

    /** Full-size decoding (the default). */
    public PreprocessConfig(int resize, Integer crop) {
        this(resize, crop, false);
    }

    public PreprocessConfig {
        if (resize <= 0) {
            throw new IllegalArgumentException("resize must be positive: " + resize);
        }
        if (crop != null && crop <= 0) {
            throw new IllegalArgumentException("crop must be positive: " + crop);
        }
        if (crop == null && resize < PATCH_MULTIPLE) {
            throw new IllegalArgumentException(
                    "with no crop, resize must be at least one patch (" + PATCH_MULTIPLE + "): " + resize);
        }
    }

    /** Shorter side {@code resize}, centre crop {@code crop}. */
    public static PreprocessConfig of(int resize, int crop) {
        return new PreprocessConfig(resize, crop);
    }

    /** Shorter side {@code resize}, no crop (trimmed to whole patches). */
    public static PreprocessConfig noCrop(int resize) {
        return new PreprocessConfig(resize, null);
    }

    /** This config with JPEG draft decoding on or off. */
    public PreprocessConfig withJpegDraft(boolean draft) {
        return new PreprocessConfig(resize, crop, draft);
    }
}
