package org.itaestudio.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Half against numpy's float16 casts (tools/make_half_fixtures.py, numpy 1.24): bit-exact, no tolerance. Large
 * sweeps are compared through SHA-256 digests of the bit arrays, the inputs rebuilt here from the same rules.
 */
class HalfTest {

    private static JsonObject fixtures;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = HalfTest.class.getResourceAsStream("/store/half_fixtures.json")) {
            assertTrue(in != null, "missing test resource store/half_fixtures.json (run tools/make_half_fixtures.py)");
            fixtures = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    @Test
    void namedEdgeValuesMatchNumpyBitForBit() {
        int checked = 0;
        for (JsonElement e : fixtures.getAsJsonArray("edge")) {
            JsonObject o = e.getAsJsonObject();
            int f32 = (int) o.get("f32").getAsLong();
            int expected = o.get("f16").getAsInt();
            int actual = Half.fromFloatBits(f32) & 0xffff;
            assertEquals(expected, actual, () -> String.format("%s: float bits 0x%08x -> expected 0x%04x, got 0x%04x",
                    o.get("label").getAsString(), f32, expected, actual));
            if ((f32 & 0x7fffffff) <= 0x7f800000) { // not NaN: the float path gives the same bits
                assertEquals(expected, Half.fromFloat(Float.intBitsToFloat(f32)) & 0xffff, o.get("label").getAsString());
            }
            checked++;
        }
        assertTrue(checked >= 40, "edge cases read: " + checked);
    }

    @Test
    void decodingAllHalvesMatchesNumpy() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(65536 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < 65536; h++) {
            out.putInt(Half.toFloatBits((short) h));
        }
        assertEquals(fixtures.get("decode_all_sha256").getAsString(), sha256(out.array()));
    }

    @Test
    void encodingEveryTieAndItsNeighboursMatchesNumpy() throws Exception {
        int pairs = 0x7bff + 1; // midpoints after 0x0000..0x7bfe, plus 65520
        int[] mids = new int[pairs];
        for (int h = 0; h < 0x7bff; h++) {
            double lo = Half.toFloat((short) h);
            double hi = Half.toFloat((short) (h + 1));
            mids[h] = Float.floatToRawIntBits((float) ((lo + hi) / 2)); // exact: a half midpoint needs 12 bits
        }
        mids[0x7bff] = Float.floatToRawIntBits(65520f);
        int count = pairs * 3 * 2;
        assertEquals(fixtures.get("encode_ties_count").getAsInt(), count);
        ByteBuffer out = ByteBuffer.allocate(count * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int sign : new int[]{0, 0x8000_0000}) {
            for (int m : mids) {
                for (int d = -1; d <= 1; d++) {
                    out.putShort(Half.fromFloatBits((m + d) | sign));
                }
            }
        }
        assertEquals(fixtures.get("encode_ties_sha256").getAsString(), sha256(out.array()));
    }

    @Test
    void encodingAMillionSpreadBitPatternsMatchesNumpy() throws Exception {
        int n = fixtures.get("encode_weyl_count").getAsInt();
        ByteBuffer out = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            out.putShort(Half.fromFloatBits((int) (i * 0x9E3779B1L)));
        }
        assertEquals(fixtures.get("encode_weyl_sha256").getAsString(), sha256(out.array()));
    }

    @Test
    void everyHalfSurvivesARoundTripThroughFloat() {
        for (int h = 0; h < 65536; h++) {
            final int half = h;
            int back = Half.fromFloatBits(Half.toFloatBits((short) h)) & 0xffff;
            assertEquals(h, back, () -> String.format("half 0x%04x", half));
        }
    }

    @Test
    void bulkEncodeAndDecodeAgreeWithScalarConversions() {
        Random rnd = new Random(7);
        float[] src = new float[1001];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
        }
        byte[] bytes = Half.encode(src, 1, 1000);
        assertEquals(2000, bytes.length);
        float[] back = new float[1000];
        Half.decode(ByteBuffer.wrap(bytes), 0, back, 0, 1000);
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 1000; i++) {
            assertEquals(Half.fromFloat(src[i + 1]), le.getShort(2 * i));
            assertEquals(Half.toFloat(Half.fromFloat(src[i + 1])), back[i]);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
