package org.itaestudio.model.weights;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test helpers: fixture lookup and writers for hand-made safetensors files and torch-like zips. */
final class WeightFixtures {

    private WeightFixtures() {
    }

    /** A file under src/test/resources/weights (written by tools/make_weight_fixtures.py). */
    static Path resource(String name) {
        URL url = WeightFixtures.class.getResource("/weights/" + name);
        if (url == null) {
            throw new IllegalStateException("fixture missing: /weights/" + name
                    + " (regenerate with /usr/bin/python3 tools/make_weight_fixtures.py)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonObject json(String name) throws IOException {
        return JsonParser.parseString(Files.readString(resource(name))).getAsJsonObject();
    }

    /** Raw float32 bit patterns of a buffer's remaining values. */
    static int[] bits(FloatBuffer values) {
        FloatBuffer v = values.duplicate();
        int[] out = new int[v.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.floatToRawIntBits(v.get());
        }
        return out;
    }

    /** Writes a safetensors file from a header JSON string and a data section, exactly as given. */
    static Path writeRawSafetensors(Path file, String headerJson, byte[] data) throws IOException {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header).put(data);
        Files.write(file, out.array());
        return file;
    }

    /** A tensor to write: float32 values stored as {@code dtype}. */
    record Tensor(DType dtype, long[] shape, float[] values) {
    }

    /** Writes a valid safetensors file (tensors contiguous in the given order). */
    static Path writeSafetensors(Path file, Map<String, Tensor> tensors) throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            byte[] raw = encode(t.dtype(), t.values());
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(t.dtype())
                    .append("\",\"shape\":").append(java.util.Arrays.toString(t.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(data.size()).append(',')
                    .append(data.size() + raw.length).append("]}");
            data.write(raw);
        }
        header.append('}');
        return writeRawSafetensors(file, header.toString(), data.toByteArray());
    }

    /** Every tensor of a source, read back as float32 and stored as F32 (to rewrite checkpoints in tests). */
    static Map<String, Tensor> readAll(WeightSource source) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorInfo info : source.tensors().values()) {
            FloatBuffer b = source.readFloats(info.name());
            float[] values = new float[b.remaining()];
            b.get(values);
            out.put(info.name(), new Tensor(DType.F32, info.shape(), values));
        }
        return out;
    }

    static byte[] encode(DType dtype, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> b.putFloat(v);
                case BF16 -> b.putShort((short) (Float.floatToRawIntBits(v) >>> 16)); // exact for bf16 values
                case F16 -> b.putShort(toHalfExact(v));
            }
        }
        return b.array();
    }

    /** float32 to float16 for values that are exactly representable (test data only). */
    private static short toHalfExact(float v) {
        for (int h = 0; h < 0x10000; h++) {
            if (Float.floatToRawIntBits(HalfFloats.f16ToFloat(h)) == Float.floatToRawIntBits(v)) {
                return (short) h;
            }
        }
        throw new IllegalArgumentException(v + " is not exactly representable in float16");
    }

    /** Writes a zip whose entries are STORED (like torch's writer), in the given order. */
    static Path writeStoredZip(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    /** Reads every entry of a zip (with java.util.zip, independent of the code under test). */
    static Map<String, byte[]> readZip(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                try (var in = zip.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }
}
