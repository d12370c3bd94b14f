package org.itaestudio.image.jpeg;

import org.itaestudio.image.RgbImage;

/**
 * A pure-Java decoder for baseline JPEGs that decodes straight to 1/2, 1/4 or 1/8 of the stored size in the DCT
 * domain, bit-identical to what Pillow's {@code Image.draft()} produces.
 *
 * <h2>What it equals</h2>
 * The output is byte for byte the RGB image of
 * <pre>
 *   im = Image.open(f); im.draft("RGB", size); im = im.convert("RGB")
 * </pre>
 * with Pillow 9.4 on libjpeg-turbo 2.1.5 (Debian bookworm, SIMD build) when {@code draft()} chose the scale given
 * here (see {@link #draftScale}): {@code draft()} only sets {@code scale_num/scale_denom} and leaves libjpeg-turbo's
 * defaults ({@code JDCT_ISLOW}, fancy upsampling on, so no merged upsampling), and this package ports exactly what
 * libjpeg-turbo then runs, one class per libjpeg source file (see the package description):
 * <ul>
 *   <li>jdmaster.c: output size {@code ceil(size * scaled / 8)}, per-component IDCT size chosen by the
 *       "scale chroma up through a larger IDCT instead of upsampling" loop;</li>
 *   <li>jidctred.c {@code jpeg_idct_4x4}, {@code jpeg_idct_2x2}, {@code jpeg_idct_1x1} and jidctint.c
 *       {@code jpeg_idct_islow} (8x8, for chroma at 1/2 of 4:2:0 and for scale 1), with the same
 *       {@code RANGE_MASK} wrap-around range-limit table;</li>
 *   <li>jdsample.c: h2v1/h1v2/h2v2 "fancy" (triangle) upsampling when the smallest IDCT is larger than 1x1,
 *       plain replication otherwise (1/8, odd ratios), edges replicated as jdmainct.c does;</li>
 *   <li>jdcolor.c: the integer YCbCr-&gt;RGB tables; grayscale files give R=G=B (PIL's mode L then
 *       {@code convert("RGB")}).</li>
 * </ul>
 * At scale 1 the same code equals PIL's plain {@code Image.open(f).convert("RGB")} (tested, but not used by
 * {@link org.itaestudio.image.ImageDecoder#decodeForResize}, which leaves scale 1 to the normal decoder).
 *
 * <p>libjpeg-turbo's SIMD versions of these steps are written to give the C results; the tests check the whole
 * output against PIL (tools/jpeg_draft_reference.py): every fixture at 1/1, 1/2, 1/4, 1/8 and the shared photos
 * are bit-identical. This package follows the C code (64-bit intermediates, {@code RANGE_MASK} wrap-around); the
 * SIMD IDCTs PIL actually runs use 16-bit lanes, so for coefficient data no real encoder writes (IDCT sums far
 * outside the sample range) PIL's pixels may differ from these.
 *
 * <h2>What it decodes, and what it leaves to the full decoder</h2>
 * Baseline and extended-sequential Huffman JPEGs (SOF0, SOF1) with 8-bit samples, one component (gray) or three
 * components in YCbCr (JFIF, Adobe transform 1, or no marker), any sampling factors libjpeg accepts that give
 * integral upsampling ratios (4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1, ...), interleaved and non-interleaved scans,
 * restart intervals. It throws {@link UnsupportedJpegException} (the caller then runs the normal full decode) for
 * progressive (SOF2), lossless, hierarchical and arithmetic-coded frames, 12-bit samples, 2 or 4 components
 * (CMYK/YCCK), RGB-coded files (Adobe transform 0, component ids 'R','G','B'), missing Huffman tables
 * (Motion-JPEG), DNL heights, unknown markers and scans with an odd spectral selection. It throws
 * {@link CorruptJpegException} with a one-line reason for files that end early, including a missing EOI marker
 * ({@code "truncated JPEG"}), broken entropy-coded data ({@code "corrupt JPEG data (...)"}: bad Huffman code,
 * premature end of a data segment, wrong restart marker) or broken marker segments ({@code "corrupt JPEG (...)"}),
 * where libjpeg would warn and fill in gray; it never hangs and never throws unchecked exceptions on bad input.
 *
 * <h2>Why</h2>
 * A full decode of a 2048x1536 photo plus the exact bicubic resize costs far more than the model forward on a
 * small CPU. Decoding at 1/4 in the DCT domain skips most of both, and because it is exactly what Pillow's
 * {@code draft()} does, a Python user can reproduce the pixels. It is opt-in (the default pipeline stays full
 * decode + PIL-exact resize). Used through {@link org.itaestudio.image.ImageDecoder#decodeForResize}.
 *
 * <p>Stateless and thread-safe: every call works on its own buffers.
 */
public final class ScaledJpegDecoder {

    /** The file is a JPEG this decoder does not handle; decode it the normal way. */
    public static final class UnsupportedJpegException extends Exception {
        private static final long serialVersionUID = 1L;

        public UnsupportedJpegException(String message) {
            super(message);
        }
    }

    /** The JPEG is truncated or corrupt; {@link #reason()} is a short phrase for the user. */
    public static final class CorruptJpegException extends Exception {
        private static final long serialVersionUID = 1L;

        public CorruptJpegException(String reason) {
            super(reason);
        }

        public CorruptJpegException(String reason, Throwable cause) {
            super(reason, cause);
        }

        public String reason() {
            return getMessage();
        }

        /** The file ends before the decoder has what it needs (a marker, a segment, the entropy-coded data). */
        static CorruptJpegException truncated() {
            return new CorruptJpegException("truncated JPEG");
        }

        /** A malformed marker segment; {@code detail} says which. */
        static CorruptJpegException badSegment(String detail) {
            return new CorruptJpegException("corrupt JPEG (" + detail + ")");
        }

        /** An unchecked exception from the decoder itself, reported as corrupt data rather than crashing the caller. */
        static CorruptJpegException decoderBug(RuntimeException bug) {
            return new CorruptJpegException("corrupt JPEG (" + bug.getClass().getSimpleName() + ")", bug);
        }

        /** Broken entropy-coded data; {@code detail} says how. */
        static CorruptJpegException badData(String detail) {
            return new CorruptJpegException("corrupt JPEG data (" + detail + ")");
        }
    }

    /** Frame header: stored size, component count and the SOF marker (0xC0..0xCF). */
    public record Header(int width, int height, int components, int sofMarker) {
    }

    private ScaledJpegDecoder() {
    }

    /** True when the bytes start with a JPEG SOI marker. */
    public static boolean isJpeg(byte[] head, int length) {
        return length >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8;
    }

    /**
     * The scale Pillow 9.4's {@code JpegImageFile.draft(mode, (targetWidth, targetHeight))} picks for a JPEG
     * stored at {@code width x height}: {@code min(width // tw, height // th)}, then the largest of 8, 4, 2, 1 not
     * above it.
     */
    public static int draftScale(int width, int height, int targetWidth, int targetHeight) {
        if (targetWidth <= 0 || targetHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + targetWidth + "x" + targetHeight);
        }
        int scale = Math.min(width / targetWidth, height / targetHeight);
        for (int s = 8; s > 1; s >>= 1) {
            if (scale >= s) {
                return s;
            }
        }
        return 1;
    }

    /**
     * Reads the markers up to the frame header.
     *
     * @throws UnsupportedJpegException when the data is not a JPEG or has no supported frame marker
     * @throws CorruptJpegException     when the file ends or is malformed before the frame header
     */
    public static Header readHeader(byte[] data) throws UnsupportedJpegException, CorruptJpegException {
        try {
            return new MarkerReader(data).readFrameHeader();
        } catch (RuntimeException e) { // a bug, never expected: report, do not crash the caller
            throw CorruptJpegException.decoderBug(e);
        }
    }

    /**
     * Decodes {@code data} scaled by {@code 1/scale} ({@code scale} 1, 2, 4 or 8) to RGB, as Pillow's draft mode
     * does. EXIF orientation is not applied, and there is no pixel cap here: check {@link #readHeader}'s size first
     * (as {@link org.itaestudio.image.ImageDecoder#decodeForResize} does) before decoding files from strangers.
     */
    public static RgbImage decode(byte[] data, int scale) throws UnsupportedJpegException, CorruptJpegException {
        if (scale != 1 && scale != 2 && scale != 4 && scale != 8) {
            throw new IllegalArgumentException("scale must be 1, 2, 4 or 8: " + scale);
        }
        try {
            return new Decompressor(data, scale).decode();
        } catch (RuntimeException e) { // a bug, never expected: report, do not crash the caller
            throw CorruptJpegException.decoderBug(e);
        }
    }
}
