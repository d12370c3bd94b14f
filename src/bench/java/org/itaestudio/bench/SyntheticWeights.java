package org.itaestudio.bench;

import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.weights.DType;
import org.itaestudio.model.weights.TensorInfo;
import org.itaestudio.model.weights.WeightSource;

/**
 * Random weights of a DINOv2 architecture, generated on demand from a seed, for benchmarks and tests only (no real
 * checkpoint can be downloaded on the build machines). Values are chosen away from their init values - LayerNorm
 * weights in [0.5, 1.5], LayerScale in [0.3, 1.0], linear weights N(0, 1/fan_in) - so every block matters.
 */
public final class SyntheticWeights implements WeightSource {

    private final Map<String, TensorInfo> tensors;
    private final long seed;

    public SyntheticWeights(DinoV2Config config, long seed) {
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        config.expectedTensors().forEach((name, shape) -> m.put(name, new TensorInfo(name, DType.F32, shape)));
        this.tensors = Collections.unmodifiableMap(m);
        this.seed = seed;
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public FloatBuffer readFloats(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ name.hashCode() * 0x9E3779B97F4A7C15L);
        float[] v = new float[Math.toIntExact(info.numel())];
        long[] s = info.shape();
        if (name.endsWith("norm1.weight") || name.endsWith("norm2.weight") || name.equals("norm.weight")) {
            fillUniform(v, rnd, 0.5, 1.5);
        } else if (name.endsWith(".gamma")) {
            fillUniform(v, rnd, 0.3, 1.0);
        } else if (name.endsWith(".bias")) {
            fillNormal(v, rnd, 0.2);
        } else if (name.endsWith(".weight")) {
            long fanIn = info.numel() / s[0];
            fillNormal(v, rnd, 1.0 / Math.sqrt(fanIn));
        } else {
            fillNormal(v, rnd, 0.5); // cls/register/mask tokens and position table
        }
        return FloatBuffer.wrap(v);
    }

    private static void fillUniform(float[] v, SplittableRandom rnd, double lo, double hi) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
    }

    private static void fillNormal(float[] v, SplittableRandom rnd, double std) {
        for (int i = 0; i < v.length; i++) {
            // Box-Muller: SplittableRandom has no nextGaussian on Java 17
            double u1 = 1.0 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            v[i] = (float) (std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
    }

    @Override
    public void close() {
    }
}
