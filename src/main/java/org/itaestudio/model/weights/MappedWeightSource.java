package org.itaestudio.model.weights;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Presents another source's tensors under new names. A name may stand for several source tensors, which are
 * then concatenated along dimension 0 on read (HF query/key/value into the official qkv). Closing closes the
 * underlying source.
 */
final class MappedWeightSource implements WeightSource {

    private final WeightSource source;
    private final Map<String, List<String>> parts;
    private final Map<String, TensorInfo> infos;

    /**
     * @param parts new name to the source names it is made of, in the order {@link #tensors()} should list them
     * @throws IllegalArgumentException when a source name is missing or concatenated parts disagree in shape
     */
    MappedWeightSource(WeightSource source, Map<String, List<String>> parts) {
        this.source = source;
        this.parts = new LinkedHashMap<>(parts);
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        Map<String, TensorInfo> available = source.tensors();
        for (Map.Entry<String, List<String>> e : parts.entrySet()) {
            TensorInfo first = null;
            long rows = 0;
            DType dtype = null;
            for (String part : e.getValue()) {
                TensorInfo info = available.get(part);
                if (info == null) {
                    throw new IllegalArgumentException("no tensor " + part + " for " + e.getKey());
                }
                if (first == null) {
                    first = info;
                    dtype = info.dtype();
                } else if (!sameTrailingShape(first.shape(), info.shape())) {
                    throw new IllegalArgumentException("cannot concatenate " + first.name() + " "
                            + first.shapeString() + " and " + info.name() + " " + info.shapeString()
                            + " into " + e.getKey());
                }
                if (info.dtype() != dtype) {
                    dtype = DType.F32; // mixed parts: reported as float32, which is what is read
                }
                rows += info.shape().length == 0 ? 1 : info.shape()[0];
            }
            long[] shape = first.shape().clone();
            if (shape.length > 0) {
                shape[0] = rows;
            }
            m.put(e.getKey(), new TensorInfo(e.getKey(), dtype, shape));
        }
        this.infos = Collections.unmodifiableMap(m);
    }

    private static boolean sameTrailingShape(long[] a, long[] b) {
        if (a.length != b.length || a.length == 0) {
            return false;
        }
        for (int i = 1; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return infos;
    }

    @Override
    public FloatBuffer readFloats(String name) throws IOException {
        List<String> sourceNames = parts.get(name);
        if (sourceNames == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        if (sourceNames.size() == 1) {
            return source.readFloats(sourceNames.get(0));
        }
        long total = infos.get(name).numel();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IOException("tensor " + name + " has " + total + " elements; over 2^31 is not supported");
        }
        float[] out = new float[(int) total];
        int at = 0;
        for (String part : sourceNames) {
            FloatBuffer values = source.readFloats(part);
            int n = values.remaining();
            values.get(out, at, n);
            at += n;
        }
        return FloatBuffer.wrap(out);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
