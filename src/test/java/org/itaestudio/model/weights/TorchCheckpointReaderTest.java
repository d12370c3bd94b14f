package org.itaestudio.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torch zip reader and its restricted unpickler, on files written by Debian's torch 1.13
 * (tools/make_weight_fixtures.py) with expected values from torch in JSON (compared bit-exactly, tolerance 0),
 * and on hand-made pickles that must be refused.
 */
class TorchCheckpointReaderTest {

    @TempDir
    Path dir;

    @Test
    void smallStateDictMatchesTorchBitForBit() throws IOException {
        JsonObject expected = WeightFixtures.json("small_state.json");
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(WeightFixtures.resource("small_state.pth"))) {
            assertEquals("small_state", reader.archivePrefix());
            assertNull(reader.wrapperKey());
            JsonObject tensors = expected.getAsJsonObject("tensors");
            assertEquals(List.copyOf(tensors.keySet()), List.copyOf(reader.tensors().keySet()));
            int nonContiguous = 0;
            for (String name : tensors.keySet()) {
                JsonObject t = tensors.getAsJsonObject(name);
                TensorInfo info = reader.tensors().get(name);
                assertEquals(DType.valueOf(t.get("dtype").getAsString()), info.dtype(), name);
                assertArrayEquals(longs(t.get("shape")), info.shape(), name);
                assertArrayEquals(ints(t.get("bits")), WeightFixtures.bits(reader.readFloats(name)), name);
                nonContiguous += t.get("contiguous").getAsBoolean() ? 0 : 1;
            }
            assertTrue(nonContiguous >= 5, "fixture covers transposed/permuted/expanded/strided views");
            assertEquals(Map.of("int64_counter", "torch.LongStorage"), reader.skippedTensors());
            assertTrue(reader.readFloats("f32_matrix").isDirect(), "contiguous F32 is a view of the mapping");
        }
    }

    /** Protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL) reads the same tensors. */
    @Test
    void pickleProtocol4ReadsTheSame() throws IOException {
        assertSameTensors(WeightFixtures.resource("small_state.pth"), WeightFixtures.resource("small_state_p4.pth"));
    }

    @Test
    void nestedModelDictIsUnwrapped() throws IOException {
        JsonObject expected = WeightFixtures.json("nested_model.json");
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(WeightFixtures.resource("nested_model.pth"))) {
            assertEquals("model", reader.wrapperKey());
            JsonObject tensors = expected.getAsJsonObject("tensors");
            assertEquals(List.copyOf(tensors.keySet()), List.copyOf(reader.tensors().keySet()));
            for (String name : tensors.keySet()) {
                assertArrayEquals(ints(tensors.getAsJsonObject(name).get("bits")),
                        WeightFixtures.bits(reader.readFloats(name)), name);
            }
        }
    }

    @Test
    void maliciousSystemCallIsRefusedWithoutRunning() throws IOException {
        Path marker = Path.of("/tmp/itae-studio-pickle-system-ran");
        Files.deleteIfExists(marker);
        assertRefused(WeightFixtures.resource("malicious_system.pth"), "refused pickle global posix.system");
        assertFalse(Files.exists(marker), "payload must never run");
    }

    @Test
    void maliciousExecIsRefusedWithoutRunning() throws IOException {
        Path marker = Path.of("/tmp/itae-studio-pickle-exec-ran");
        Files.deleteIfExists(marker);
        assertRefused(WeightFixtures.resource("malicious_exec.pth"), "refused pickle global __builtin__.exec");
        assertFalse(Files.exists(marker), "payload must never run");
    }

    @Test
    void legacyFormatIsRefused() {
        assertRefused(WeightFixtures.resource("legacy_format.pth"), "legacy torch serialization");
    }

    // ------------------------------------------------------------------ hand-made pickles in torch-like zips

    @Test
    void forbiddenGlobalsAreNamed() throws IOException {
        assertRefused(pickle(proto(), global("torch.storage", "_load_from_bytes"), stop()),
                "refused pickle global torch.storage._load_from_bytes");
        assertRefused(pickle(proto(), global("builtins", "eval"), stop()), "refused pickle global builtins.eval");
        // protocol 4 STACK_GLOBAL builds the name from strings on the stack
        assertRefused(pickle(proto(), str("os"), str("system"), op(0x93), stop()), "refused pickle global os.system");
        assertRefused(pickle(proto(), global("torch", "Tensor"), stop()), "refused pickle global torch.Tensor");
    }

    @Test
    void forbiddenOpcodesAreNamed() throws IOException {
        assertRefused(pickle(proto(), op('('), bytes("ios\nsystem\n".getBytes(StandardCharsets.US_ASCII)), stop()),
                "refused pickle opcode INST (0x69)");
        assertRefused(pickle(proto(), global("collections", "OrderedDict"), op(')'), op(0x81), stop()),
                "refused pickle opcode NEWOBJ (0x81)");
        assertRefused(pickle(proto(), op(0x82), op(1), stop()), "refused pickle opcode EXT1 (0x82)");
        assertRefused(pickle(proto(), op('('), op('o'), stop()), "refused pickle opcode OBJ (0x6f)");
        assertRefused(pickle(proto(), bytes("P1\n".getBytes(StandardCharsets.US_ASCII)), stop()),
                "refused pickle opcode PERSID (0x50)");
        assertRefused(pickle(proto(), op(0xff), stop()), "refused pickle opcode unknown (0xff)");
    }

    @Test
    void allowedGlobalsCannotBeMisused() throws IOException {
        // a storage type is a marker, never something to call
        assertRefused(pickle(proto(), global("torch", "FloatStorage"), op(')'), op('R'), stop()),
                "refused calling torch.FloatStorage");
        // OrderedDict with arguments, BUILD on a non-dict
        assertRefused(pickle(proto(), global("collections", "OrderedDict"), op(']'), op(0x85), op('R'), stop()),
                "refused collections.OrderedDict called with arguments");
        assertRefused(pickle(proto(), op(']'), op('}'), op('b'), stop()), "refused BUILD on list");
        assertRefused(pickle(proto(), op(']'), str("k"), str("v"), op('s'), stop()), "refused SETITEM on a list");
        // persistent ids other than ('storage', type, key, location, numel)
        assertRefused(pickle(proto(), op('('), str("file"), str("/etc/passwd"), op('t'), op('Q'), stop()),
                "refused persistent id [file, /etc/passwd]");
    }

    @Test
    void malformedPicklesAreReported() throws IOException {
        assertRefused(pickle(proto(), op('}')), "pickle ends without STOP");
        assertRefused(pickle(proto(), op('h'), op(3), stop()), "memo entry 3 is missing");
        assertRefused(pickle(proto(), op('s'), stop()), "stack underflow");
        assertRefused(pickle(proto(), op('X'), op(0xff), op(0xff), op(0), op(0)), "pickle is truncated");
        assertRefused(pickle(proto(), op(']'), stop()), "checkpoint holds a list, not a dict");
        assertRefused(pickle(proto(), op('}'), str("epoch"), op('K'), op(3), op('s'), stop()),
                "checkpoint holds no tensors (top-level keys: epoch)");
    }

    @Test
    void storagesAreCheckedAgainstTheArchive() throws IOException {
        byte[] four = new byte[16];
        // storage key 0 with 4 floats exists; a view reaching element 4 is out of range
        assertRefused(zipWith(tensorPickle("0", 4, 1, 4), four), "reaches beyond its storage of 4 elements");
        // numel in the persistent id disagrees with the entry size
        assertRefused(zipWith(tensorPickle("0", 5, 0, 4), four), "should hold 5 elements of 4 bytes");
        // storage entry missing
        assertRefused(zipWith(tensorPickle("7", 4, 0, 4), four), "storage 7 is missing from the archive");
        // and the well-formed version of the same reads fine
        ByteBuffer values = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        values.putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        try (TorchCheckpointReader r = TorchCheckpointReader.open(zipWith(tensorPickle("0", 4, 1, 3), values.array()))) {
            FloatBuffer w = r.readFloats("w");
            assertEquals(3, w.remaining());
            assertEquals(2f, w.get(0));
            assertEquals(4f, w.get(2));
        }
    }

    // ------------------------------------------------------------------ zip-level problems

    @Test
    void notAZipAndTruncatedZip() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.pth"), "just some text, not a checkpoint");
        assertRefused(text, "not a zip archive");
        byte[] whole = Files.readAllBytes(WeightFixtures.resource("tiny_reg.pth"));
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertRefused(cut, "truncated zip archive");
        Path lastBytesMissing = dir.resolve("cut_end.pth");
        Files.write(lastBytesMissing, java.util.Arrays.copyOf(whole, whole.length - 10));
        assertRefused(lastBytesMissing, "truncated zip archive");
    }

    @Test
    void corruptedStorageFailsItsCrcOnRead() throws IOException {
        Path copy = dir.resolve("small_state.pth");
        byte[] bytes = Files.readAllBytes(WeightFixtures.resource("small_state.pth"));
        Map<String, byte[]> entries = WeightFixtures.readZip(WeightFixtures.resource("small_state.pth"));
        byte[] storage0 = entries.get("small_state/data/0");
        int at = indexOf(bytes, storage0);
        bytes[at + 3] ^= 0x40; // flip one bit inside the first tensor's storage
        Files.write(copy, bytes);
        try (TorchCheckpointReader r = TorchCheckpointReader.open(copy)) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> r.readFloats("f32_matrix"));
            assertTrue(e.getMessage().contains("small_state/data/0 is corrupt (CRC-32 mismatch)"), e.getMessage());
        }
    }

    @Test
    void deflatedEntriesAreInflated() throws IOException {
        Map<String, byte[]> entries = WeightFixtures.readZip(WeightFixtures.resource("small_state.pth"));
        Path deflated = dir.resolve("deflated.pth");
        try (OutputStream os = Files.newOutputStream(deflated); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        assertSameTensors(WeightFixtures.resource("small_state.pth"), deflated);
    }

    /** The same checkpoint rewritten with ZIP64 records (as torch writes for files over 4 GB) reads identically. */
    @Test
    void zip64ArchivesAreRead() throws IOException {
        Map<String, byte[]> entries = WeightFixtures.readZip(WeightFixtures.resource("small_state.pth"));
        Path zip64 = writeZip64(dir.resolve("zip64.pth"), entries);
        assertEquals(entries.keySet(), WeightFixtures.readZip(zip64).keySet(), "java.util.zip reads it too");
        assertSameTensors(WeightFixtures.resource("small_state.pth"), zip64);
    }

    @Test
    void bigEndianCheckpointsAreRefused() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>(
                WeightFixtures.readZip(WeightFixtures.resource("small_state.pth")));
        entries.put("small_state/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        assertRefused(WeightFixtures.writeStoredZip(dir.resolve("big.pth"), entries),
                "byte order is 'big'; only little-endian");
        entries.put("small_state/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        assertSameTensors(WeightFixtures.resource("small_state.pth"),
                WeightFixtures.writeStoredZip(dir.resolve("little.pth"), entries));
    }

    // ------------------------------------------------------------------ helpers

    private void assertSameTensors(Path expected, Path actual) throws IOException {
        try (TorchCheckpointReader a = TorchCheckpointReader.open(expected);
                TorchCheckpointReader b = TorchCheckpointReader.open(actual)) {
            assertEquals(List.copyOf(a.tensors().keySet()), List.copyOf(b.tensors().keySet()));
            for (String name : a.tensors().keySet()) {
                assertArrayEquals(WeightFixtures.bits(a.readFloats(name)), WeightFixtures.bits(b.readFloats(name)),
                        name);
            }
        }
    }

    static void assertRefused(Path file, String phrase) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> {
            try (TorchCheckpointReader r = TorchCheckpointReader.open(file)) {
                r.tensors();
            }
        });
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private int counter;

    /** A torch-like zip holding one data.pkl made of the given opcode pieces. */
    private Path pickle(byte[]... pieces) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : pieces) {
            out.write(p);
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", out.toByteArray());
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return WeightFixtures.writeStoredZip(dir.resolve("case" + (counter++) + ".pth"), entries);
    }

    private Path zipWith(byte[] pickle, byte[] storage0) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        entries.put("archive/data/0", storage0);
        return WeightFixtures.writeStoredZip(dir.resolve("case" + (counter++) + ".pth"), entries);
    }

    /** {"w": _rebuild_tensor_v2(storage(key, numel), offset, (size,), (1,), False, OrderedDict())}. */
    private static byte[] tensorPickle(String key, int numel, int offset, int size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : List.of(proto(), op('}'), str("w"), global("torch._utils", "_rebuild_tensor_v2"),
                op('('), op('('), str("storage"), global("torch", "FloatStorage"), str(key), str("cpu"),
                op('K'), op(numel), op('t'), op('Q'), op('K'), op(offset), op('K'), op(size), op(0x85), op('K'), op(1),
                op(0x85), op(0x89), global("collections", "OrderedDict"), op(')'), op('R'), op('t'), op('R'),
                op('s'), stop())) {
            out.write(p);
        }
        return out.toByteArray();
    }

    private static byte[] proto() {
        return new byte[] {(byte) 0x80, 2};
    }

    private static byte[] stop() {
        return op('.');
    }

    private static byte[] op(int code) {
        return new byte[] {(byte) code};
    }

    private static byte[] bytes(byte[] b) {
        return b;
    }

    private static byte[] global(String module, String name) {
        return ("c" + module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(5 + utf8.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'X').putInt(utf8.length).put(utf8);
        return b.array();
    }

    private static long[] longs(JsonElement array) {
        List<Long> out = new ArrayList<>();
        array.getAsJsonArray().forEach(e -> out.add(e.getAsLong()));
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static int[] ints(JsonElement array) {
        List<Integer> out = new ArrayList<>();
        array.getAsJsonArray().forEach(e -> out.add((int) e.getAsLong()));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }

    /**
     * Writes a stored zip the way a ZIP64 writer does: every size and offset in the classic records saturated
     * to 0xFFFFFFFF with the real values in ZIP64 extra fields, a ZIP64 end record and its locator.
     */
    private static Path writeZip64(Path file, Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] data = e.getValue();
            CRC32 crc = new CRC32();
            crc.update(data);
            long offset = out.size();
            ByteBuffer local = le(30 + name.length + 20);
            local.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                    .putInt(0).putInt((int) crc.getValue()).putInt(-1).putInt(-1)
                    .putShort((short) name.length).putShort((short) 20).put(name)
                    .putShort((short) 1).putShort((short) 16).putLong(data.length).putLong(data.length);
            out.write(local.array());
            out.write(data);
            ByteBuffer c = le(46 + name.length + 28);
            c.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                    .putInt(0).putInt((int) crc.getValue()).putInt(-1).putInt(-1)
                    .putShort((short) name.length).putShort((short) 28).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(-1).put(name)
                    .putShort((short) 1).putShort((short) 24).putLong(data.length).putLong(data.length)
                    .putLong(offset);
            central.write(c.array());
        }
        long centralOffset = out.size();
        out.write(central.toByteArray());
        long zip64End = out.size();
        ByteBuffer end64 = le(56);
        end64.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(entries.size()).putLong(entries.size()).putLong(central.size()).putLong(centralOffset);
        out.write(end64.array());
        ByteBuffer locator = le(20);
        locator.putInt(0x07064b50).putInt(0).putLong(zip64End).putInt(1);
        out.write(locator.array());
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1).putShort((short) -1)
                .putInt(-1).putInt(-1).putShort((short) 0);
        out.write(end.array());
        Files.write(file, out.toByteArray());
        return file;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
