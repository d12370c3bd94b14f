package org.itaestudio.model.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.itaestudio.model.weights.RestrictedUnpickler.PyGlobal;
import org.itaestudio.model.weights.RestrictedUnpickler.PyTuple;
import org.itaestudio.model.weights.RestrictedUnpickler.StorageRef;
import org.itaestudio.model.weights.RestrictedUnpickler.TensorRef;

/**
 * Reads a {@code torch.save} checkpoint (the zip format of torch 1.6 and later): {@code <prefix>/data.pkl} is
 * the pickled object, {@code <prefix>/data/<key>} the raw storages, {@code <prefix>/byteorder} (torch 2.x) must
 * say {@code little}. The pickle is read by {@link RestrictedUnpickler}, which never executes anything and
 * refuses every global and opcode a plain tensor state dict does not need.
 *
 * <p>Storages are memory-mapped in place (torch stores them uncompressed; the entry's data offset is computed
 * from its local zip header), one mapping per tensor, so files over 4 GB (ZIP64) work. Each storage's CRC-32 is
 * checked the first time one of its tensors is read. A contiguous F32 tensor is returned as a view of the
 * mapping; F16/BF16 and non-contiguous views (transposed, permuted, expanded) are copied into a heap buffer in
 * row-major order.
 *
 * <p>The top-level object must be a dict. Its tensor values form the state dict; if it holds no tensors, the
 * first of the wrapper keys {@code teacher}, {@code model}, {@code state_dict} whose value is a dict of tensors
 * is used instead (see {@link #wrapperKey()}). Non-tensor values (ints, strings, nested dicts) are ignored.
 * Tensors whose storage type is not F32/F16/BF16 (e.g. int64 counters) are left out of {@link #tensors()} and
 * listed by {@link #skippedTensors()}. The legacy (torch &lt; 1.6, non-zip) format is refused.
 */
public final class TorchCheckpointReader implements WeightSource {

    /** Keys under which training checkpoints nest their state dict, in the order they are tried. */
    public static final List<String> WRAPPER_KEYS = List.of("teacher", "model", "state_dict");

    private static final long MAX_PICKLE_BYTES = 256L << 20;

    private final Path file;
    private final FileChannel channel;
    private final ZipArchive zip;
    private final String prefix;
    private final String wrapperKey;
    private final Map<String, TensorRef> refs;
    private final Map<String, TensorInfo> infos;
    private final Map<String, String> skipped;
    private final Set<String> verifiedStorages = ConcurrentHashMap.newKeySet();

    private TorchCheckpointReader(Path file, FileChannel channel, ZipArchive zip, String prefix, String wrapperKey,
            Map<String, TensorRef> refs, Map<String, String> skipped) {
        this.file = file;
        this.channel = channel;
        this.zip = zip;
        this.prefix = prefix;
        this.wrapperKey = wrapperKey;
        this.refs = refs;
        this.skipped = Collections.unmodifiableMap(skipped);
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        refs.forEach((name, r) -> m.put(name, new TensorInfo(name, r.storage().dtype(), r.size().clone())));
        this.infos = Collections.unmodifiableMap(m);
    }

    /** Opens the archive and reads the pickle (no tensor data is read). */
    public static TorchCheckpointReader open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new WeightFormatException(file, Files.exists(file) ? "not a regular file" : "file not found");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            refuseLegacyFormat(file, channel);
            ZipArchive zip = ZipArchive.open(file, channel);
            String prefix = findPrefix(file, zip);
            ZipArchive.Entry byteorder = zip.entries().get(prefix + "byteorder");
            if (byteorder != null) {
                String order = new String(zip.readAll(byteorder, 64), StandardCharsets.US_ASCII).trim();
                if (!order.equals("little")) {
                    throw new WeightFormatException(file, "checkpoint byte order is '" + order
                            + "'; only little-endian checkpoints are supported");
                }
            }
            byte[] pickle = zip.readAll(zip.entries().get(prefix + "data.pkl"), MAX_PICKLE_BYTES);
            Object root = new RestrictedUnpickler(pickle, file, pid -> storage(file, zip, prefix, pid)).load();
            if (!(root instanceof Map<?, ?> top)) {
                throw new WeightFormatException(file, "checkpoint holds a " + typeName(root) + ", not a dict");
            }
            String wrapper = null;
            Map<?, ?> stateDict = top;
            if (!holdsTensors(top)) {
                for (String key : WRAPPER_KEYS) {
                    if (top.get(key) instanceof Map<?, ?> inner && holdsTensors(inner)) {
                        wrapper = key;
                        stateDict = inner;
                        break;
                    }
                }
            }
            if (!holdsTensors(stateDict)) {
                throw new WeightFormatException(file, "checkpoint holds no tensors (top-level keys: "
                        + firstFew(top.keySet()) + ")");
            }
            Map<String, TensorRef> refs = new LinkedHashMap<>();
            Map<String, String> skipped = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : stateDict.entrySet()) {
                if (!(e.getValue() instanceof TensorRef ref)) {
                    continue;
                }
                if (!(e.getKey() instanceof String name)) {
                    throw new WeightFormatException(file, "state dict key " + e.getKey() + " is not a string");
                }
                checkView(file, name, ref);
                if (ref.storage().dtype() == null) {
                    skipped.put(name, ref.storage().storageType());
                } else {
                    refs.put(name, ref);
                }
            }
            return new TorchCheckpointReader(file, channel, zip, prefix, wrapper, refs, skipped);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** The archive's folder name, e.g. {@code "archive"} or the file's stem. */
    public String archivePrefix() {
        return prefix.substring(0, prefix.length() - 1);
    }

    /** The wrapper key the state dict was found under ({@code "model"}, {@code "teacher"}, ...), or null. */
    public String wrapperKey() {
        return wrapperKey;
    }

    /** Tensors left out because their element type is not F32/F16/BF16: name to storage type. */
    public Map<String, String> skippedTensors() {
        return skipped;
    }

    /** Every readable tensor in pickle order. */
    @Override
    public Map<String, TensorInfo> tensors() {
        return infos;
    }

    @Override
    public FloatBuffer readFloats(String name) throws IOException {
        TensorRef ref = WeightSource.entryToRead(refs, name, file, channel);
        StorageRef storage = ref.storage();
        ZipArchive.Entry entry = zip.entries().get(prefix + "data/" + storage.key());
        if (verifiedStorages.add(storage.key())) {
            try {
                zip.verifyCrc(entry);
            } catch (IOException | RuntimeException e) {
                verifiedStorages.remove(storage.key());
                throw e;
            }
        }
        long numel = numel(ref.size());
        if (numel > Integer.MAX_VALUE - 8) {
            throw new WeightFormatException(file, "tensor " + name + " has " + numel
                    + " elements; over 2^31 is not supported");
        }
        if (numel == 0) {
            return FloatBuffer.allocate(0);
        }
        int elementBytes = storage.elementBytes();
        DType dtype = storage.dtype();
        if (isContiguous(ref.size(), ref.stride())) {
            return HalfFloats.toFloats(dtype, zip.slice(entry, ref.offset() * elementBytes, numel * elementBytes),
                    (int) numel);
        }
        // Strided view: map the span it touches and gather in row-major order.
        long span = maxIndex(ref.size(), ref.stride()) + 1;
        ByteBuffer bytes = zip.slice(entry, ref.offset() * elementBytes, span * elementBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) numel];
        long[] size = ref.size();
        long[] stride = ref.stride();
        int[] index = new int[size.length];
        long element = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = HalfFloats.decodeOne(dtype, bytes, (int) (element * elementBytes));
            // advance the multi-index like an odometer, last dimension fastest
            for (int d = size.length - 1; d >= 0; d--) {
                index[d]++;
                element += stride[d];
                if (index[d] < size[d]) {
                    break;
                }
                element -= stride[d] * size[d];
                index[d] = 0;
            }
        }
        return FloatBuffer.wrap(out);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "TorchCheckpointReader[" + file + ", " + refs.size() + " tensors]";
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static void refuseLegacyFormat(Path file, FileChannel channel) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(2);
        channel.read(head, 0);
        if (head.position() == 2 && (head.get(0) & 0xff) == 0x80 && head.get(1) >= 2 && head.get(1) <= 5) {
            throw new WeightFormatException(file, "legacy torch serialization (torch < 1.6, not a zip file) is "
                    + "not supported; re-save it with torch.save from torch >= 1.6");
        }
    }

    private static String findPrefix(Path file, ZipArchive zip) throws WeightFormatException {
        List<String> candidates = new ArrayList<>();
        for (String name : zip.entries().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                candidates.add(name.substring(0, slash + 1));
            }
        }
        if (candidates.size() != 1) {
            throw new WeightFormatException(file, candidates.isEmpty()
                    ? "zip archive is not a torch checkpoint (no <name>/data.pkl entry)"
                    : "zip archive holds several checkpoints: " + candidates);
        }
        return candidates.get(0);
    }

    /** Persistent id {@code ('storage', torch.<Type>Storage, key, location, numel)} to a checked storage. */
    private static StorageRef storage(Path file, ZipArchive zip, String prefix, PyTuple pid)
            throws WeightFormatException {
        List<Object> p = pid.items();
        if (p.size() != 5 || !"storage".equals(p.get(0)) || !(p.get(1) instanceof PyGlobal type)
                || !(p.get(2) instanceof String key) || !(p.get(3) instanceof String location)
                || !(p.get(4) instanceof Long numel)) {
            throw new WeightFormatException(file, "refused persistent id " + pid.items()
                    + " (expected ('storage', storage type, key, location, numel))");
        }
        StorageRef ref = RestrictedUnpickler.storage(type, key, location, numel);
        if (ref == null) {
            throw new WeightFormatException(file, "refused storage type " + type.qualified());
        }
        ZipArchive.Entry entry = zip.entries().get(prefix + "data/" + key);
        if (entry == null) {
            throw new WeightFormatException(file, "storage " + key + " is missing from the archive ("
                    + prefix + "data/" + key + ")");
        }
        if (numel < 0 || entry.size() != numel * ref.elementBytes()) {
            throw new WeightFormatException(file, "storage " + key + " should hold " + numel + " elements of "
                    + ref.elementBytes() + " bytes but its zip entry has " + entry.size() + " bytes");
        }
        return ref;
    }

    private static void checkView(Path file, String name, TensorRef ref) throws WeightFormatException {
        long[] size = ref.size();
        long[] stride = ref.stride();
        if (size.length != stride.length) {
            throw new WeightFormatException(file, "tensor " + name + ": size and stride differ in rank");
        }
        for (int d = 0; d < size.length; d++) {
            if (size[d] < 0 || stride[d] < 0) {
                throw new WeightFormatException(file, "tensor " + name + ": negative size or stride");
            }
        }
        if (ref.offset() < 0) {
            throw new WeightFormatException(file, "tensor " + name + ": negative storage offset");
        }
        if (numel(size) > 0 && ref.offset() + maxIndex(size, stride) >= ref.storage().numel()) {
            throw new WeightFormatException(file, "tensor " + name + " (offset " + ref.offset() + ", size "
                    + java.util.Arrays.toString(size) + ", stride " + java.util.Arrays.toString(stride)
                    + ") reaches beyond its storage of " + ref.storage().numel() + " elements");
        }
    }

    private static long numel(long[] size) {
        long n = 1;
        for (long s : size) {
            n *= s;
        }
        return n;
    }

    /** Largest element index a view touches, relative to its offset (size entries all > 0). */
    private static long maxIndex(long[] size, long[] stride) {
        long max = 0;
        for (int d = 0; d < size.length; d++) {
            max += (size[d] - 1) * stride[d];
        }
        return max;
    }

    /** Row-major contiguous; dimensions of size 1 may carry any stride. */
    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    private static boolean holdsTensors(Map<?, ?> map) {
        for (Object v : map.values()) {
            if (v instanceof TensorRef) {
                return true;
            }
        }
        return false;
    }

    private static String firstFew(Set<?> keys) {
        List<String> names = new ArrayList<>();
        for (Object k : keys) {
            if (names.size() == 5) {
                names.add("...");
                break;
            }
            names.add(String.valueOf(k));
        }
        return String.join(", ", names);
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o instanceof List ? "list" : o.getClass().getSimpleName();
    }
}
