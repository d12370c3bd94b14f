package org.itaestudio.model.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Exact conversions of IEEE float16 and bfloat16 to float32. Every 16-bit value is representable in float32,
 * so nothing is rounded: subnormals, signed zeros, infinities and NaN payloads are kept (like numpy's
 * {@code astype(float32)}). Java 17 has no {@code Float.float16ToFloat}.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** IEEE 754 binary16 bits (low 16 bits of {@code bits}) to float32. */
    public static float f16ToFloat(int bits) {
        return org.itaestudio.store.Half.toFloat((short) bits); // the project's one IEEE half conversion
    }

    public static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /**
     * Decodes {@code count} little-endian elements of {@code dtype} starting at {@code src}'s position (which
     * is not moved) into {@code dst[dstOffset...]}.
     */
    static void decode(DType dtype, ByteBuffer src, float[] dst, int dstOffset, int count) {
        ByteBuffer le = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> le.asFloatBuffer().get(dst, dstOffset, count);
            case F16 -> {
                var shorts = le.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = f16ToFloat(shorts.get(i));
                }
            }
            case BF16 -> {
                var shorts = le.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = bf16ToFloat(shorts.get(i));
                }
            }
            default -> throw new IllegalArgumentException("unknown dtype " + dtype);
        }
    }

    /** One little-endian element of {@code dtype} at absolute byte index {@code byteIndex}. */
    /**
     * {@code count} contiguous little-endian elements as float32: a zero-copy view for F32, a decoded copy otherwise.
     * The one place both checkpoint readers turn stored bytes into floats.
     */
    static FloatBuffer toFloats(DType dtype, ByteBuffer littleEndian, int count) {
        ByteBuffer le = littleEndian.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.F32) {
            return le.asFloatBuffer(); // zero-copy view of the mapping
        }
        float[] out = new float[count];
        decode(dtype, le, out, 0, count);
        return FloatBuffer.wrap(out);
    }

    static float decodeOne(DType dtype, ByteBuffer littleEndian, int byteIndex) {
        return switch (dtype) {
            case F32 -> littleEndian.getFloat(byteIndex);
            case F16 -> f16ToFloat(littleEndian.getShort(byteIndex));
            case BF16 -> bf16ToFloat(littleEndian.getShort(byteIndex));
        };
    }
}
