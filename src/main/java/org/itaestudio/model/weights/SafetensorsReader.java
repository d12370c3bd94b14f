package org.itaestudio.model.weights;

import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a <a href="https://github.com/huggingface/safetensors">safetensors</a> file: an 8-byte little-endian
 * header length, a JSON header {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}},
 * then the data section. Only the header is read into the heap; each tensor's bytes are memory-mapped on demand
 * (one mapping per tensor), so files over 2 GB work. A single tensor must be under 2 GiB.
 *
 * <p>Validation is as strict as the safetensors reference implementation: the tensors must tile the data
 * section exactly, i.e. sorted by offset they are contiguous, non-overlapping, start at 0 and end at the end of
 * the file; no gaps and no trailing bytes (this rules out polyglot files). {@code __metadata__} is ignored.
 * Supported dtypes are F32, F16 and BF16, converted exactly to float32 on read.
 *
 * <p>Thread-safe for concurrent {@link #readFloats}. Buffers handed out stay valid after {@link #close()} (the JVM
 * unmaps them when they are garbage collected).
 */
public final class SafetensorsReader implements WeightSource {

    /** The reference implementation refuses larger headers as well. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final Set<String> KNOWN_UNSUPPORTED_DTYPES = Set.of(
            "F64", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "F8_E8M0",
            "F6_E2M3", "F6_E3M2", "F4", "C64");

    private record Entry(TensorInfo info, long begin, long end) {
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, TensorInfo> infos;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        entries.forEach((name, e) -> m.put(name, e.info()));
        this.infos = Collections.unmodifiableMap(m);
    }

    /** Opens and fully validates the header; reads no tensor data. */
    public static SafetensorsReader open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new WeightFormatException(file, Files.exists(file) ? "not a regular file" : "file not found");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw new WeightFormatException(file,
                        "not a safetensors file: " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > size - 8) {
                throw new WeightFormatException(file, "safetensors header length "
                        + Long.toUnsignedString(headerLength) + " exceeds the file size " + size);
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new WeightFormatException(file, "safetensors header length " + headerLength
                        + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer headerBytes = readFully(channel, 8, (int) headerLength);
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(headerBytes).toString();
            } catch (CharacterCodingException e) {
                throw new WeightFormatException(file, "safetensors header is not valid UTF-8");
            }
            long dataStart = 8 + headerLength;
            List<Entry> parsed = parseHeader(file, json);
            Map<String, Entry> ordered = validateLayout(file, parsed, size - dataStart);
            return new SafetensorsReader(file, channel, dataStart, ordered);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** Every tensor in data order (ascending offset). */
    @Override
    public Map<String, TensorInfo> tensors() {
        return infos;
    }

    @Override
    public FloatBuffer readFloats(String name) throws IOException {
        Entry e = WeightSource.entryToRead(entries, name, file, channel);
        long length = e.end() - e.begin();
        if (length > Integer.MAX_VALUE - 8) {
            throw new WeightFormatException(file, "tensor " + name + " is " + length
                    + " bytes; single tensors over 2 GiB are not supported");
        }
        int count = (int) e.info().numel();
        if (count == 0) {
            return FloatBuffer.allocate(0);
        }
        ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), length);
        return HalfFloats.toFloats(e.info().dtype(), mapped, count);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsReader[" + file + ", " + entries.size() + " tensors]";
    }

    // ------------------------------------------------------------------------------------------ header parsing

    private static List<Entry> parseHeader(Path file, String json) throws WeightFormatException {
        List<Entry> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new WeightFormatException(file, "safetensors header is not a JSON object");
            }
            reader.beginObject();
            while (reader.hasNext()) {
                String name = reader.nextName();
                if (!seen.add(name)) {
                    throw new WeightFormatException(file, "safetensors header names tensor " + name + " twice");
                }
                if (name.equals("__metadata__")) {
                    reader.skipValue();
                    continue;
                }
                out.add(parseTensor(file, name, reader));
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new WeightFormatException(file, "safetensors header has data after the JSON object");
            }
        } catch (WeightFormatException e) {
            throw e;
        } catch (IOException | JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new WeightFormatException(file, "safetensors header is not valid JSON: " + oneLine(e), e);
        }
        return out;
    }

    private static Entry parseTensor(Path file, String name, JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new WeightFormatException(file, "tensor " + name + ": header entry is not a JSON object");
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        reader.beginObject();
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "dtype" -> dtypeName = reader.peek() == JsonToken.STRING ? reader.nextString() : null;
                case "shape" -> shape = readLongArray(file, name, "shape", reader);
                case "data_offsets" -> offsets = readLongArray(file, name, "data_offsets", reader);
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        if (dtypeName == null || shape == null || offsets == null) {
            throw new WeightFormatException(file, "tensor " + name
                    + ": header entry needs a string dtype, a shape and data_offsets");
        }
        DType dtype = switch (dtypeName) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default -> throw new WeightFormatException(file, "tensor " + name + " has unsupported dtype "
                    + dtypeName + (KNOWN_UNSUPPORTED_DTYPES.contains(dtypeName) ? "" : " (unknown)")
                    + "; supported: F32, F16, BF16");
        };
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw new WeightFormatException(file, "tensor " + name + ": data_offsets " + Arrays.toString(offsets)
                    + " must be [begin, end] with begin <= end");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape);
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(numelExact(shape), dtype.bytes);
        } catch (ArithmeticException overflow) {
            throw new WeightFormatException(file, "tensor " + name + ": shape " + info.shapeString()
                    + " is too large");
        }
        long spanned = offsets[1] - offsets[0];
        if (expectedBytes != spanned) {
            throw new WeightFormatException(file, "tensor " + name + ": shape " + info.shapeString() + " " + dtype
                    + " needs " + expectedBytes + " bytes but data_offsets " + Arrays.toString(offsets) + " span "
                    + spanned);
        }
        return new Entry(info, offsets[0], offsets[1]);
    }

    private static long[] readLongArray(Path file, String tensor, String field, JsonReader reader)
            throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            throw new WeightFormatException(file, "tensor " + tensor + ": " + field + " is not an array");
        }
        List<Long> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            if (reader.peek() != JsonToken.NUMBER) {
                throw new WeightFormatException(file, "tensor " + tensor + ": " + field + " holds a non-number");
            }
            String text = reader.nextString();
            long v;
            try {
                v = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new WeightFormatException(file, "tensor " + tensor + ": " + field + " holds " + text
                        + ", not a non-negative integer");
            }
            if (v < 0) {
                throw new WeightFormatException(file, "tensor " + tensor + ": " + field + " holds negative " + v);
            }
            values.add(v);
        }
        reader.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static long numelExact(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** Offsets in range, and sorted by offset the tensors tile [0, dataLength) exactly. */
    private static Map<String, Entry> validateLayout(Path file, List<Entry> parsed, long dataLength)
            throws WeightFormatException {
        for (Entry e : parsed) {
            if (e.end() > dataLength) {
                throw new WeightFormatException(file, "tensor " + e.info().name() + ": data_offsets [" + e.begin()
                        + ", " + e.end() + "] exceed the data section of " + dataLength + " bytes");
            }
        }
        List<Entry> sorted = new ArrayList<>(parsed);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < expectedBegin) {
                throw new WeightFormatException(file, "tensors " + previous.info().name() + " and "
                        + e.info().name() + " overlap (bytes " + e.begin() + ".." + expectedBegin + ")");
            }
            if (e.begin() > expectedBegin) {
                throw new WeightFormatException(file, "gap of " + (e.begin() - expectedBegin)
                        + " bytes before tensor " + e.info().name()
                        + " (safetensors data must be contiguous, without holes)");
            }
            expectedBegin = e.end();
            previous = e;
        }
        if (expectedBegin != dataLength) {
            throw new WeightFormatException(file, (dataLength - expectedBegin)
                    + " bytes after the last tensor are not described by the header");
        }
        Map<String, Entry> ordered = new LinkedHashMap<>();
        for (Entry e : sorted) {
            ordered.put(e.info().name(), e);
        }
        return ordered;
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        return buffer.flip();
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
