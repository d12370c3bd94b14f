package org.itaestudio.model.weights;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes float32 <a href="https://github.com/huggingface/safetensors">safetensors</a> files: an 8-byte
 * little-endian header length, a JSON header padded with spaces to a multiple of 8, then the tensors' bytes back to
 * back in header order (no gaps, no trailing bytes, as strict readers demand).
 *
 * <p>Tensors are streamed one at a time, so writing a {@link WeightSource} (e.g. random weights of
 * ViT-g) never holds more than one tensor on the heap. The file is written to a temporary sibling and moved into
 * place, so a reader never sees a half-written file.
 */
public final class SafetensorsWriter {

    /** One tensor to write: values row-major, {@code values.length} = product of {@code shape}. */
    public record Tensor(String name, long[] shape, float[] values) {
        public Tensor {
            long numel = 1;
            for (long s : shape) {
                numel *= s;
            }
            if (numel != values.length) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape)
                        + " holds " + numel + " values, got " + values.length);
            }
        }
    }

    /** Supplies a tensor's values when its turn to be written comes. */
    private interface Values {
        FloatBuffer read(String name) throws IOException;
    }

    private SafetensorsWriter() {
    }

    /** Writes every tensor of a weight source (converted to float32) in its order; {@code metadata} may be empty. */
    public static void write(Path file, WeightSource source, Map<String, String> metadata) throws IOException {
        write(file, List.copyOf(source.tensors().values()), source::readFloats, metadata);
    }

    /** Writes in-memory tensors in list order; {@code metadata} may be empty. */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<TensorInfo> infos = new ArrayList<>();
        Map<String, float[]> byName = new HashMap<>();
        for (Tensor t : tensors) {
            infos.add(new TensorInfo(t.name(), DType.F32, t.shape()));
            if (byName.put(t.name(), t.values()) != null) {
                throw new IllegalArgumentException("tensor " + t.name() + " given twice");
            }
        }
        write(file, infos, name -> FloatBuffer.wrap(byName.get(name)), metadata);
    }

    private static void write(Path file, List<TensorInfo> tensors, Values values, Map<String, String> metadata)
            throws IOException {
        byte[] header = header(tensors, metadata);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(out, len);
                writeFully(out, ByteBuffer.wrap(header));
                ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (TensorInfo info : tensors) {
                    FloatBuffer src = values.read(info.name());
                    if (src.remaining() != info.numel()) {
                        throw new IOException(file + ": tensor " + info.name() + " has " + src.remaining()
                                + " values, its shape " + info.shapeString() + " needs " + info.numel());
                    }
                    while (src.hasRemaining()) {
                        chunk.clear();
                        FloatBuffer view = chunk.asFloatBuffer();
                        int n = Math.min(view.remaining(), src.remaining());
                        FloatBuffer part = src.slice().limit(n);
                        view.put(part);
                        src.position(src.position() + n);
                        chunk.limit(n * Float.BYTES);
                        writeFully(out, chunk);
                    }
                }
                out.force(false);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The JSON header, data offsets assigned in list order, padded with spaces to a multiple of 8 bytes. */
    static byte[] header(List<TensorInfo> tensors, Map<String, String> metadata) {
        JsonObject root = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            root.add("__metadata__", meta);
        }
        long offset = 0;
        for (TensorInfo info : tensors) {
            if (info.dtype() != DType.F32) {
                throw new IllegalArgumentException("tensor " + info.name() + ": only F32 is written, not " + info.dtype());
            }
            if (root.has(info.name())) {
                throw new IllegalArgumentException("tensor " + info.name() + " given twice");
            }
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long s : info.shape()) {
                shape.add(s);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            long end = offset + info.numel() * Float.BYTES;
            offsets.add(offset);
            offsets.add(end);
            t.add("data_offsets", offsets);
            root.add(info.name(), t);
            offset = end;
        }
        byte[] json = new GsonBuilder().disableHtmlEscaping().create().toJson(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeFully(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }
}
