package org.itaestudio.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.itaestudio.model.weights.WeightFixtures.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and every validation rule of the safetensors reader, on files written here byte by byte. */
class SafetensorsReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsF32F16Bf16Exactly() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", new Tensor(DType.F32, new long[] {2, 3}, new float[] {1, -2, 3.25f, Float.NaN, 0, -0f}));
        tensors.put("h", new Tensor(DType.F16, new long[] {4},
                new float[] {0x1p-24f, 65504f, Float.NEGATIVE_INFINITY, -0.333251953125f}));
        tensors.put("b", new Tensor(DType.BF16, new long[] {1, 3}, new float[] {1.5f, -3.0e38f, 0x1p-133f}));
        tensors.put("empty", new Tensor(DType.F32, new long[] {0, 4}, new float[0]));
        tensors.put("scalar", new Tensor(DType.F32, new long[] {}, new float[] {7.5f}));
        // -3.0e38 is not bf16-exact; use what bf16 holds (upper 16 bits) so the comparison is exact
        tensors.get("b").values()[1] = Float.intBitsToFloat(Float.floatToRawIntBits(-3.0e38f) & 0xffff0000);
        Path file = WeightFixtures.writeSafetensors(dir.resolve("ok.safetensors"), tensors);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertEquals(List.of("a", "h", "b", "empty", "scalar"), List.copyOf(reader.tensors().keySet()));
            assertEquals(DType.F16, reader.tensors().get("h").dtype());
            assertArrayEquals(new long[] {1, 3}, reader.tensors().get("b").shape());
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                FloatBuffer values = reader.readFloats(e.getKey());
                assertEquals(0, values.position());
                assertEquals(e.getValue().values().length, values.limit());
                assertArrayEquals(rawBits(e.getValue().values()), WeightFixtures.bits(values), e.getKey());
            }
            assertTrue(reader.readFloats("a").isDirect(), "F32 should be a view of the mapped file");
        }
    }

    @Test
    void tensorsAreListedInDataOrderAndMetadataIsIgnored() throws IOException {
        String header = "{\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"__metadata__\":{\"format\":\"pt\",\"anything\":\"x\"},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(2f).array();
        try (SafetensorsReader reader = SafetensorsReader.open(
                WeightFixtures.writeRawSafetensors(dir.resolve("order.safetensors"), header + "    ", data))) {
            assertEquals(List.of("y", "z"), List.copyOf(reader.tensors().keySet()));
            assertEquals(2f, reader.readFloats("z").get(0));
        }
    }

    @Test
    void fileShorterThanEightBytes() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertError(file, "shorter than the 8-byte header length");
    }

    @Test
    void headerLengthLargerThanFile() throws IOException {
        Path file = dir.resolve("long.safetensors");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertError(file, "header length 1000 exceeds the file size 16");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).array());
        assertError(file, "header length 18446744073709551611 exceeds the file size 16");
    }

    @Test
    void invalidJson() throws IOException {
        assertError(raw("{\"a\": {\"dtype\": \"F32\", ", new byte[0]), "not valid JSON");
        assertError(raw("[1, 2]", new byte[0]), "not a JSON object");
        assertError(raw("{} {}", new byte[0]), "not valid JSON");
        assertError(raw("{\"a\": 3}", new byte[0]), "tensor a: header entry is not a JSON object");
    }

    @Test
    void unsupportedDtypeIsNamed() throws IOException {
        assertError(raw("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor ids has unsupported dtype I64; supported: F32, F16, BF16");
        assertError(raw("{\"x\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]),
                "unsupported dtype Q4 (unknown)");
    }

    @Test
    void shapeAndByteLengthMustAgree() throws IOException {
        assertError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20]),
                "tensor w: shape [2, 3] F32 needs 24 bytes but data_offsets [0, 20] span 20");
        assertError(raw("{\"w\":{\"dtype\":\"F16\",\"shape\":[-1],\"data_offsets\":[0,2]}}", new byte[2]),
                "shape holds negative -1");
        assertError(raw("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,0]}}", new byte[4]),
                "must be [begin, end] with begin <= end");
        assertError(raw("{\"w\":{\"dtype\":\"F16\",\"shape\":[2]}}", new byte[4]),
                "needs a string dtype, a shape and data_offsets");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        assertError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[8]),
                "tensor w: data_offsets [4, 12] exceed the data section of 8 bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "tensors a and b overlap");
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "overlap");
    }

    @Test
    void gapsAndTrailingBytesAreRefused() throws IOException {
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]),
                "gap of 4 bytes before tensor b");
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
                "gap of 4 bytes before tensor a");
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[7]),
                "3 bytes after the last tensor are not described by the header");
    }

    @Test
    void duplicateNamesAreRefused() throws IOException {
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
                "names tensor a twice");
    }

    @Test
    void missingFileAndUnknownTensorAndClosedReader() throws IOException {
        assertError(dir.resolve("absent.safetensors"), "file not found");
        Path file = WeightFixtures.writeSafetensors(dir.resolve("one.safetensors"),
                Map.of("w", new Tensor(DType.F32, new long[] {1}, new float[] {4f})));
        SafetensorsReader reader = SafetensorsReader.open(file);
        FloatBuffer before = reader.readFloats("w");
        assertThrows(IllegalArgumentException.class, () -> reader.readFloats("nope"));
        reader.close();
        IOException closed = assertThrows(IOException.class, () -> reader.readFloats("w"));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        assertEquals(4f, before.get(0), "buffers handed out stay readable after close");
    }

    /** A tensor that starts past 2 GiB (sparse file) is mapped and read correctly. */
    @Test
    void tensorsBeyondTwoGigabytesAreMapped() throws IOException {
        long pad = 1L << 30; // two 1 GiB F32 tensors, then the one we read
        String header = "{\"pad0\":{\"dtype\":\"F32\",\"shape\":[" + (pad / 4) + "],\"data_offsets\":[0," + pad + "]},"
                + "\"pad1\":{\"dtype\":\"F32\",\"shape\":[" + (pad / 4) + "],\"data_offsets\":[" + pad + ","
                + (2 * pad) + "]},\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[" + (2 * pad) + ","
                + (2 * pad + 4) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            f.write(h);
            f.seek(8 + h.length + 2 * pad); // the padding stays a hole on disk
            f.write(new byte[] {(byte) 0x80, 0x3f, 0x00, (byte) 0xc0}); // bf16 1.0, -2.0
        }
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            FloatBuffer x = reader.readFloats("x");
            assertEquals(1.0f, x.get(0));
            assertEquals(-2.0f, x.get(1));
        }
    }

    private static int[] rawBits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    private Path raw(String header, byte[] data) throws IOException {
        return WeightFixtures.writeRawSafetensors(Files.createTempFile(dir, "case", ".safetensors"), header, data);
    }

    /** The error is a WeightFormatException whose one-line message names the file and contains the phrase. */
    static void assertError(Path file, String phrase) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> {
            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                r.tensors();
            }
        });
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "' in: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
