package org.itaestudio.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * IEEE 754 binary16 ("half", fp16) conversions, bit-exact with numpy's {@code float16} casts: float to half rounds
 * to nearest, ties to even, with subnormals, overflow to infinity (from 65520 up), and NaN kept NaN (the top 10
 * payload bits are kept, as numpy does). Half to float is exact. Java 17 has no {@code Float.floatToFloat16}
 * (Java 20+), hence this class.
 *
 * <p>Note: the weights loader ({@code org.itaestudio.model.weights}) has its own F16 decode for safetensors; the
 * two could share this class later.
 */
public final class Half {

    /** Bytes per binary16 value. */
    public static final int BYTES = 2;

    private Half() {
    }

    /** The binary16 bits nearest to {@code f} (round to nearest, ties to even). */
    public static short fromFloat(float f) {
        return fromFloatBits(Float.floatToRawIntBits(f));
    }

    /**
     * The binary16 bits nearest to the float with raw bits {@code bits}. Same as {@link #fromFloat}, but NaN payloads
     * cannot be altered on the way in (the JVM may quiet a signalling NaN passed as a {@code float}).
     */
    public static short fromFloatBits(int bits) {
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fff_ffff;
        if (abs >= 0x7f80_0000) {
            if (abs == 0x7f80_0000) {
                return (short) (sign | 0x7c00);
            }
            // NaN: keep the top 10 payload bits; if they are all zero, set the lowest so it stays a NaN (numpy's rule)
            int payload = (abs & 0x007f_ffff) >>> 13;
            return (short) (sign | 0x7c00 | (payload == 0 ? 1 : payload));
        }
        if (abs >= 0x477f_f000) {
            // >= 65520, the midpoint between 65504 (largest half) and 65536: ties-to-even goes to infinity
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x3880_0000) {
            // normal half (>= 2^-14): rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits;
            // a carry out of the mantissa correctly bumps the exponent
            int rebased = abs - (112 << 23);
            int rounded = rebased + 0x0fff + ((rebased >>> 13) & 1);
            return (short) (sign | (rounded >>> 13));
        }
        if (abs < 0x3300_0000) {
            // below 2^-25 (half the smallest subnormal) rounds to zero; 2^-25 itself is handled below as a tie
            return (short) sign;
        }
        // subnormal half: value / 2^-24 = mantissa * 2^(exponent - 126), with exponent in [102, 112]
        int exponent = abs >>> 23;
        int mantissa = (abs & 0x007f_ffff) | 0x0080_0000;
        int shift = 126 - exponent;
        int quotient = mantissa >>> shift;
        int remainder = mantissa & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (remainder > halfway || (remainder == halfway && (quotient & 1) == 1)) {
            quotient++; // may reach 0x400, the smallest normal, which is the right encoding
        }
        return (short) (sign | quotient);
    }

    /** The float equal to the binary16 value {@code h} (exact; NaN payloads are kept). */
    public static float toFloat(short h) {
        return Float.intBitsToFloat(toFloatBits(h));
    }

    /** The raw float bits equal to the binary16 value {@code h} (exact; NaN payloads are kept). */
    public static int toFloatBits(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x03ff;
        if (exponent == 0x1f) {
            return sign | 0x7f80_0000 | (mantissa << 13);
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact in float
            float magnitude = mantissa * 0x1p-24f;
            return sign | Float.floatToRawIntBits(magnitude);
        }
        return sign | ((exponent + 112) << 23) | (mantissa << 13);
    }

    /** Encodes {@code src[offset, offset+length)} as little-endian binary16 into a new array. */
    public static byte[] encode(float[] src, int offset, int length) {
        byte[] out = new byte[Math.multiplyExact(length, BYTES)];
        encode(src, offset, length, ByteBuffer.wrap(out));
        return out;
    }

    /** Writes {@code src[offset, offset+length)} as little-endian binary16 at {@code dst}'s position (advanced). */
    public static void encode(float[] src, int offset, int length, ByteBuffer dst) {
        ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int pos = le.position();
        for (int i = 0; i < length; i++) {
            le.putShort(pos + i * BYTES, fromFloat(src[offset + i]));
        }
        dst.position(pos + length * BYTES);
    }

    /**
     * Reads {@code length} little-endian binary16 values starting at absolute byte index {@code byteIndex} of
     * {@code src} (its position is not used or changed) into {@code dst[offset, offset+length)}.
     */
    public static void decode(ByteBuffer src, int byteIndex, float[] dst, int offset, int length) {
        ByteBuffer le = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] table = DecodeTable.VALUES;
        for (int i = 0; i < length; i++) {
            dst[offset + i] = table[le.getShort(byteIndex + i * BYTES) & 0xffff];
        }
    }

    /** All 65,536 halves as floats (256 KB), built from {@link #toFloatBits} on first bulk decode. */
    private static final class DecodeTable {
        static final float[] VALUES = new float[1 << 16];

        static {
            for (int h = 0; h < VALUES.length; h++) {
                VALUES[h] = Float.intBitsToFloat(toFloatBits((short) h));
            }
        }
    }
}
