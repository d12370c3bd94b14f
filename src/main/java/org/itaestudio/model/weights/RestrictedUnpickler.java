package org.itaestudio.model.weights;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pickle that {@code torch.save} writes for a tensor state dict, as data only: nothing in the stream
 * is ever executed or instantiated. It understands the opcodes pickle protocols 2-4 use for dicts, lists,
 * tuples, strings, numbers and booleans, and only these globals, each given a fixed, side-effect-free meaning:
 * <ul>
 *   <li>{@code collections.OrderedDict} - called with no arguments: an empty ordered map;</li>
 *   <li>{@code torch._utils._rebuild_tensor_v2} - a {@link TensorRef} view into a storage;</li>
 *   <li>{@code torch._utils._rebuild_parameter} / {@code _rebuild_parameter_with_state} - the wrapped tensor;</li>
 *   <li>{@code torch.<Type>Storage} - inert storage-type markers inside persistent ids.</li>
 * </ul>
 * Any other global (e.g. {@code posix.system}, {@code builtins.exec}, {@code torch.storage._load_from_bytes},
 * which would run a nested legacy unpickler) and any other opcode (INST, OBJ, NEWOBJ, EXT*, PERSID, ...) is
 * refused with an error naming it. BUILD is accepted only on a dict (the {@code _metadata} attribute of a
 * module state dict), and its state is discarded.
 */
final class RestrictedUnpickler {

    /** A Python tuple. */
    record PyTuple(List<Object> items) {
        PyTuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }
    }

    /** A permitted global (a marker; never resolved to code). */
    record PyGlobal(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /**
     * A storage from a persistent id {@code ('storage', torch.<Type>Storage, key, location, numel)}.
     * {@code dtype} is null for storage types this project does not read (e.g. LongStorage).
     */
    record StorageRef(String storageType, DType dtype, int elementBytes, String key, String location, long numel) {
    }

    /** A tensor view: element offset, sizes and strides into a storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** Resolves a persistent id (a tuple) to a storage; may check that the storage exists. */
    interface PersistentLoader {
        StorageRef load(PyTuple pid) throws WeightFormatException;
    }

    /** Element size in bytes of every torch storage type that may be named; null dtype = not readable here. */
    private static final Map<String, StorageType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", new StorageType(DType.F32, 4)),
            Map.entry("HalfStorage", new StorageType(DType.F16, 2)),
            Map.entry("BFloat16Storage", new StorageType(DType.BF16, 2)),
            Map.entry("DoubleStorage", new StorageType(null, 8)),
            Map.entry("LongStorage", new StorageType(null, 8)),
            Map.entry("IntStorage", new StorageType(null, 4)),
            Map.entry("ShortStorage", new StorageType(null, 2)),
            Map.entry("CharStorage", new StorageType(null, 1)),
            Map.entry("ByteStorage", new StorageType(null, 1)),
            Map.entry("BoolStorage", new StorageType(null, 1)));

    private record StorageType(DType dtype, int elementBytes) {
    }

    private static final Set<String> CALLABLES = Set.of(
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state");

    private static final long MEMO_LIMIT = 10_000_000;

    private final byte[] data;
    private final Path source;
    private final PersistentLoader persistentLoader;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;
    private int opcodeAt;

    RestrictedUnpickler(byte[] data, Path source, PersistentLoader persistentLoader) {
        this.data = data;
        this.source = source;
        this.persistentLoader = persistentLoader;
    }

    /** Storage type of a {@code torch.<Type>Storage} marker, or null when the global is something else. */
    static StorageRef storage(PyGlobal type, String key, String location, long numel) {
        if (!type.module().equals("torch") || !STORAGE_TYPES.containsKey(type.name())) {
            return null;
        }
        StorageType t = STORAGE_TYPES.get(type.name());
        return new StorageRef(type.qualified(), t.dtype(), t.elementBytes(), key, location, numel);
    }

    /**
     * Runs the pickle program. One switch over the accepted opcodes, long on purpose: it reads as the whitelist of the
     * pickle protocol (every opcode not listed is refused in one place), and splitting it would scatter that list.
     */
    Object load() throws WeightFormatException {
        while (true) {
            if (pos >= data.length) {
                throw malformed("pickle ends without STOP");
            }
            opcodeAt = pos;
            int op = data[pos++] & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol > 5) {
                        throw malformed("unsupported pickle protocol " + protocol);
                    }
                }
                case 0x95 -> need(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw malformed("pickle stops with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                }
                case '(' -> marks.add(stack.size()); // MARK
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'J' -> push((long) le(4).getInt()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) (le(2).getShort() & 0xffff)); // BININT2
                case 0x8a -> push(long1(u8())); // LONG1
                case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
                case 'X' -> push(utf8(length(le(4).getInt() & 0xffffffffL))); // BINUNICODE
                case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(length(le(8).getLong()))); // BINUNICODE8
                case '}' -> push(new LinkedHashMap<Object, Object>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<Object>()); // EMPTY_LIST
                case ')' -> push(new PyTuple(List.of())); // EMPTY_TUPLE
                case 't' -> push(new PyTuple(popMark())); // TUPLE
                case 0x85 -> push(tupleOf(1)); // TUPLE1
                case 0x86 -> push(tupleOf(2)); // TUPLE2
                case 0x87 -> push(tupleOf(3)); // TUPLE3
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'd' -> { // DICT
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    putPairs(dict, popMark());
                    push(dict);
                }
                case 'q' -> memoPut(u8()); // BINPUT
                case 'r' -> memoPut(le(4).getInt() & 0xffffffffL); // LONG_BINPUT
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 'h' -> memoGet(u8()); // BINGET
                case 'j' -> memoGet(le(4).getInt() & 0xffffffffL); // LONG_BINGET
                case 'a' -> { // APPEND
                    Object value = pop();
                    list(peek(), "APPEND").add(value);
                }
                case 'e' -> { // APPENDS
                    List<Object> values = popMark();
                    list(peek(), "APPENDS").addAll(values);
                }
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    putPairs(dict(peek(), "SETITEM"), java.util.Arrays.asList(key, value));
                }
                case 'u' -> { // SETITEMS
                    List<Object> pairs = popMark();
                    putPairs(dict(peek(), "SETITEMS"), pairs);
                }
                case 'c' -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw malformed("STACK_GLOBAL needs two strings");
                    }
                    push(global(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    Object target = peek();
                    if (!(target instanceof Map)) {
                        throw refused("BUILD on " + describe(target) + " (only a dict's attributes may be set)");
                    }
                    // the state (e.g. a state dict's _metadata) carries no weights: discarded
                    if (state != null && !(state instanceof Map) && !(state instanceof PyTuple)) {
                        throw refused("BUILD with a " + describe(state) + " state");
                    }
                }
                case 'Q' -> { // BINPERSID
                    Object pid = pop();
                    if (!(pid instanceof PyTuple tuple)) {
                        throw malformed("persistent id is a " + describe(pid) + ", not a tuple");
                    }
                    push(persistentLoader.load(tuple));
                }
                default -> throw refused("pickle opcode " + opcodeName(op));
            }
        }
    }

    // ------------------------------------------------------------------------------------------- globals

    private PyGlobal global(String module, String name) throws WeightFormatException {
        PyGlobal g = new PyGlobal(module, name);
        boolean storageType = module.equals("torch") && STORAGE_TYPES.containsKey(name);
        if (!storageType && !CALLABLES.contains(g.qualified())) {
            throw refused("pickle global " + g.qualified()
                    + " (only plain tensor state dicts are loaded; nothing in a checkpoint is executed)");
        }
        return g;
    }

    private Object reduce(Object callable, Object args) throws WeightFormatException {
        if (!(callable instanceof PyGlobal g)) {
            throw refused("REDUCE on a " + describe(callable));
        }
        if (!(args instanceof PyTuple tuple)) {
            throw malformed("REDUCE arguments are a " + describe(args) + ", not a tuple");
        }
        List<Object> a = tuple.items();
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                if (!a.isEmpty()) {
                    throw refused("collections.OrderedDict called with arguments");
                }
                return new LinkedHashMap<Object, Object>();
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                if (a.size() < 6 || a.size() > 7 || !(a.get(0) instanceof StorageRef storage)) {
                    throw malformed("unexpected arguments to torch._utils._rebuild_tensor_v2");
                }
                return new TensorRef(storage, integer(a.get(1), "storage offset"), longs(a.get(2), "size"),
                        longs(a.get(3), "stride"));
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (a.size() < 3 || !(a.get(0) instanceof TensorRef tensor)) {
                    throw malformed("unexpected arguments to " + g.qualified());
                }
                return tensor;
            }
            default -> throw refused("calling " + g.qualified());
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private void putPairs(Map<Object, Object> dict, List<Object> pairs) throws WeightFormatException {
        if (pairs.size() % 2 != 0) {
            throw malformed("odd number of items for a dict");
        }
        for (int i = 0; i < pairs.size(); i += 2) {
            Object key = pairs.get(i);
            Object value = pairs.get(i + 1);
            if (key instanceof List || key instanceof Map) {
                throw malformed("unhashable dict key " + describe(key));
            }
            dict.put(key, value);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, String op) throws WeightFormatException {
        if (!(o instanceof Map)) {
            throw refused(op + " on a " + describe(o));
        }
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String op) throws WeightFormatException {
        if (!(o instanceof List)) {
            throw refused(op + " on a " + describe(o));
        }
        return (List<Object>) o;
    }

    private long integer(Object o, String what) throws WeightFormatException {
        if (!(o instanceof Long l)) {
            throw malformed(what + " is a " + describe(o) + ", not an int");
        }
        return l;
    }

    private long[] longs(Object o, String what) throws WeightFormatException {
        if (!(o instanceof PyTuple t)) {
            throw malformed(what + " is a " + describe(o) + ", not a tuple");
        }
        long[] out = new long[t.items().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(t.items().get(i), what);
        }
        return out;
    }

    private PyTuple tupleOf(int n) throws WeightFormatException {
        if (stack.size() - markFloor() < n) {
            throw malformed("stack underflow");
        }
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        stack.subList(stack.size() - n, stack.size()).clear();
        return new PyTuple(items);
    }

    private int markFloor() {
        return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() throws WeightFormatException {
        if (stack.size() <= markFloor()) {
            throw malformed("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws WeightFormatException {
        if (stack.size() <= markFloor()) {
            throw malformed("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws WeightFormatException {
        if (marks.isEmpty()) {
            throw malformed("no MARK on the stack");
        }
        int from = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(from, stack.size()));
        stack.subList(from, stack.size()).clear();
        return items;
    }

    private void memoPut(long index) throws WeightFormatException {
        if (memo.size() >= MEMO_LIMIT) {
            throw malformed("too many memo entries");
        }
        memo.put(index, peek());
    }

    private void memoGet(long index) throws WeightFormatException {
        if (!memo.containsKey(index)) {
            throw malformed("memo entry " + index + " is missing");
        }
        push(memo.get(index));
    }

    private Object long1(int n) throws WeightFormatException {
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger value = new BigInteger(be);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private void need(int n) throws WeightFormatException {
        if (n < 0 || pos + (long) n > data.length) {
            throw malformed("pickle is truncated");
        }
        pos += n;
    }

    private int u8() throws WeightFormatException {
        need(1);
        return data[pos - 1] & 0xff;
    }

    private byte[] bytes(int n) throws WeightFormatException {
        need(n);
        byte[] out = new byte[n];
        System.arraycopy(data, pos - n, out, 0, n);
        return out;
    }

    private ByteBuffer le(int n) throws WeightFormatException {
        return ByteBuffer.wrap(bytes(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int length(long n) throws WeightFormatException {
        if (n < 0 || n > data.length - pos) {
            throw malformed("pickle is truncated");
        }
        return (int) n;
    }

    private String utf8(int n) throws WeightFormatException {
        need(n);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, pos - n, n)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("string is not valid UTF-8");
        }
    }

    /** A newline-terminated ASCII line (GLOBAL's module and name). */
    private String line() throws WeightFormatException {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            if (pos - start > 256) {
                throw malformed("GLOBAL name too long");
            }
            pos++;
        }
        if (pos >= data.length) {
            throw malformed("pickle is truncated");
        }
        String s = new String(data, start, pos - start, StandardCharsets.US_ASCII);
        pos++;
        return s;
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof PyGlobal g) {
            return g.qualified();
        }
        if (o instanceof Map) {
            return "dict";
        }
        if (o instanceof List) {
            return "list";
        }
        if (o instanceof PyTuple) {
            return "tuple";
        }
        if (o instanceof TensorRef) {
            return "tensor";
        }
        if (o instanceof StorageRef) {
            return "storage";
        }
        return o.getClass().getSimpleName();
    }

    private WeightFormatException refused(String what) {
        return new WeightFormatException(source, "refused " + what + " at pickle byte " + opcodeAt);
    }

    private WeightFormatException malformed(String what) {
        return new WeightFormatException(source, "malformed checkpoint pickle: " + what + " at byte " + opcodeAt);
    }

    /** Name and byte of every pickle opcode, so a refusal says what it saw. */
    static String opcodeName(int op) {
        String name = switch (op) {
            case '(' -> "MARK"; case '.' -> "STOP"; case '0' -> "POP"; case '1' -> "POP_MARK"; case '2' -> "DUP";
            case 'F' -> "FLOAT"; case 'I' -> "INT"; case 'J' -> "BININT"; case 'K' -> "BININT1"; case 'L' -> "LONG";
            case 'M' -> "BININT2"; case 'N' -> "NONE"; case 'P' -> "PERSID"; case 'Q' -> "BINPERSID";
            case 'R' -> "REDUCE"; case 'S' -> "STRING"; case 'T' -> "BINSTRING"; case 'U' -> "SHORT_BINSTRING";
            case 'V' -> "UNICODE"; case 'X' -> "BINUNICODE"; case 'a' -> "APPEND"; case 'b' -> "BUILD";
            case 'c' -> "GLOBAL"; case 'd' -> "DICT"; case '}' -> "EMPTY_DICT"; case 'e' -> "APPENDS";
            case 'g' -> "GET"; case 'h' -> "BINGET"; case 'i' -> "INST"; case 'j' -> "LONG_BINGET";
            case 'l' -> "LIST"; case ']' -> "EMPTY_LIST"; case 'o' -> "OBJ"; case 'p' -> "PUT";
            case 'q' -> "BINPUT"; case 'r' -> "LONG_BINPUT"; case 's' -> "SETITEM"; case 't' -> "TUPLE";
            case ')' -> "EMPTY_TUPLE"; case 'u' -> "SETITEMS"; case 'G' -> "BINFLOAT"; case 0x80 -> "PROTO";
            case 0x81 -> "NEWOBJ"; case 0x82 -> "EXT1"; case 0x83 -> "EXT2"; case 0x84 -> "EXT4";
            case 0x85 -> "TUPLE1"; case 0x86 -> "TUPLE2"; case 0x87 -> "TUPLE3"; case 0x88 -> "NEWTRUE";
            case 0x89 -> "NEWFALSE"; case 0x8a -> "LONG1"; case 0x8b -> "LONG4"; case 'B' -> "BINBYTES";
            case 'C' -> "SHORT_BINBYTES"; case 0x8c -> "SHORT_BINUNICODE"; case 0x8d -> "BINUNICODE8";
            case 0x8e -> "BINBYTES8"; case 0x8f -> "EMPTY_SET"; case 0x90 -> "ADDITEMS"; case 0x91 -> "FROZENSET";
            case 0x92 -> "NEWOBJ_EX"; case 0x93 -> "STACK_GLOBAL"; case 0x94 -> "MEMOIZE"; case 0x95 -> "FRAME";
            case 0x96 -> "BYTEARRAY8"; case 0x97 -> "NEXT_BUFFER"; case 0x98 -> "READONLY_BUFFER";
            default -> "unknown";
        };
        return String.format("%s (0x%02x)", name, op);
    }
}
