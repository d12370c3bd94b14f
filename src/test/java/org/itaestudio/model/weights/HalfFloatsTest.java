package org.itaestudio.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * float16 / bfloat16 to float32 must be bit-exact (tolerance 0) for all 65536 inputs: compared with numpy's
 * {@code float16.astype(float32)} (which keeps NaN payloads) and torch's {@code bfloat16.float()} through a
 * SHA-256 of the 256 KiB result, plus explicit known bit patterns.
 */
class HalfFloatsTest {

    @Test
    void knownFloat16Patterns() {
        assertF16(0x0000, 0x00000000); // +0
        assertF16(0x8000, 0x80000000); // -0 keeps its sign
        assertF16(0x3c00, Float.floatToRawIntBits(1.0f));
        assertF16(0xc000, Float.floatToRawIntBits(-2.0f));
        assertF16(0x3555, Float.floatToRawIntBits(0.333251953125f));
        assertF16(0x7bff, Float.floatToRawIntBits(65504f)); // largest finite
        assertF16(0x0400, Float.floatToRawIntBits(0x1p-14f)); // smallest normal
        assertF16(0x0001, Float.floatToRawIntBits(0x1p-24f)); // smallest subnormal
        assertF16(0x03ff, Float.floatToRawIntBits(1023 * 0x1p-24f)); // largest subnormal
        assertF16(0x8001, Float.floatToRawIntBits(-0x1p-24f));
        assertF16(0x7c00, 0x7f800000); // +inf
        assertF16(0xfc00, 0xff800000); // -inf
        assertF16(0x7e00, 0x7fc00000); // quiet NaN
        assertF16(0x7c01, 0x7f802000); // signalling NaN payload kept
    }

    @Test
    void knownBFloat16Patterns() {
        assertEquals(Float.floatToRawIntBits(1.0f), Float.floatToRawIntBits(HalfFloats.bf16ToFloat(0x3f80)));
        assertEquals(Float.floatToRawIntBits(-2.0f), Float.floatToRawIntBits(HalfFloats.bf16ToFloat(0xc000)));
        assertEquals(0x7f800000, Float.floatToRawIntBits(HalfFloats.bf16ToFloat(0x7f80)));
        assertEquals(0x00010000, Float.floatToRawIntBits(HalfFloats.bf16ToFloat(0x0001)));
        assertEquals(0x80000000, Float.floatToRawIntBits(HalfFloats.bf16ToFloat(0x8000)));
        // sign-extended short input (as read from a ShortBuffer) must give the same result
        assertEquals(0xc0000000, Float.floatToRawIntBits(HalfFloats.bf16ToFloat((short) 0xc000)));
        assertEquals(Float.floatToRawIntBits(-1.0f), Float.floatToRawIntBits(HalfFloats.f16ToFloat((short) 0xbc00)));
    }

    @Test
    void allFloat16MatchNumpy() throws Exception {
        JsonObject golden = WeightFixtures.json("conversions.json");
        assertEquals(golden.get("f16_to_f32_sha256").getAsString(), sha256(HalfFloats::f16ToFloat));
        for (JsonElement sample : golden.getAsJsonArray("f16_samples")) {
            int in = sample.getAsJsonArray().get(0).getAsInt();
            int out = (int) sample.getAsJsonArray().get(1).getAsLong();
            assertF16(in, out);
        }
    }

    @Test
    void allBFloat16MatchTorch() throws Exception {
        JsonObject golden = WeightFixtures.json("conversions.json");
        assertEquals(golden.get("bf16_to_f32_sha256").getAsString(), sha256(HalfFloats::bf16ToFloat));
        for (JsonElement sample : golden.getAsJsonArray("bf16_samples")) {
            int in = sample.getAsJsonArray().get(0).getAsInt();
            int out = (int) sample.getAsJsonArray().get(1).getAsLong();
            assertEquals(out, Float.floatToRawIntBits(HalfFloats.bf16ToFloat(in)), "bf16 " + Integer.toHexString(in));
        }
    }

    @Test
    void bulkDecodeMatchesScalar() {
        ByteBuffer raw = ByteBuffer.allocate(2 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < 65536; h++) {
            raw.putShort((short) h);
        }
        raw.flip();
        float[] f16 = new float[65536];
        float[] bf16 = new float[65536];
        HalfFloats.decode(DType.F16, raw, f16, 0, 65536);
        HalfFloats.decode(DType.BF16, raw, bf16, 0, 65536);
        for (int h = 0; h < 65536; h++) {
            assertEquals(Float.floatToRawIntBits(HalfFloats.f16ToFloat(h)), Float.floatToRawIntBits(f16[h]));
            assertEquals(Float.floatToRawIntBits(HalfFloats.bf16ToFloat(h)), Float.floatToRawIntBits(bf16[h]));
        }
    }

    private static void assertF16(int in, int expectedBits) {
        assertEquals(expectedBits, Float.floatToRawIntBits(HalfFloats.f16ToFloat(in)),
                "f16 0x" + Integer.toHexString(in));
    }

    private interface Conversion {
        float apply(int bits);
    }

    private static String sha256(Conversion conversion) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(4 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < 65536; h++) {
            out.putInt(Float.floatToRawIntBits(conversion.apply(h)));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.array()));
    }
}
