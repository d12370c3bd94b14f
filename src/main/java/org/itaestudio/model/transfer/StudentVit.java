package org.itaestudio.model.transfer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.PositionEmbeddingInterpolator;
import org.itaestudio.model.weights.WeightSource;

/**
 * The student ViT of attention transfer, trainable with DJL's autograd (every parameter requires a gradient).
 *
 * <p>Shapes: B images, D = embedDim, H heads of hd = D / H, R registers, g = grid side, Np = g * g patches,
 * N = 1 + R + Np tokens (CLS, registers, patches). Pre-norm blocks as in the project's DINOv2:
 * {@code x = x + ls1 * attn(norm1(x)); x = x + ls2 * ffn(norm2(x))} (no ls when standard), LayerNorm eps 1e-6,
 * exact GELU (or SwiGLU), the position table added to CLS and patches, registers after CLS without one. The head is
 * linear on the normed CLS token. Parameters carry DINOv2's official names plus {@code head.weight/bias}.
 *
 * <p>A block attends with its own softmax(q k^T / sqrt(hd)), or with given weights (copy); it can hand back its
 * pre-softmax scores (distill). Not thread-safe: one training loop owns a student.
 *
 * <p>No operation on the forward path takes a Java number ({@code x.mul(0.5f)}): DJL turns the number into a tensor
 * over a Java direct buffer and lets the buffer go right after the operation, but autograd keeps that tensor for the
 * backward pass, which then reads memory the garbage collector may have freed and reused (gradients scaled by
 * garbage, NaN, runs that differ with GC timing). Constants are arrays of the step's manager, alive until the
 * step's backward has run.
 */
public final class StudentVit implements AutoCloseable {

    private final StudentConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params; // official names, in parameterShapes() order

    /** Output of a forward pass: class logits [B, classes] and the requested blocks' scores [B, H, N, N]. */
    public record Output(NDArray logits, Map<Integer, NDArray> scores) {
    }

    private StudentVit(StudentConfig config, Device device, ValueSource values) throws IOException {
        this.config = config;
        this.manager = Engine.getEngine("PyTorch").newBaseManager(device);
        try {
            Map<String, NDArray> p = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : config.parameterShapes().entrySet()) {
                NDArray a = manager.create(values.values(e.getKey(), e.getValue()), new Shape(e.getValue()));
                a.setRequiresGradient(true);
                p.put(e.getKey(), a);
            }
            this.params = Collections.unmodifiableMap(p);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private interface ValueSource {
        float[] values(String name, long[] shape) throws IOException;
    }

    /**
     * Random initialisation from a seed (timm's ViT rule): weights, tokens and the position table from a normal
     * with std 0.02 truncated at 2 std, biases 0, norm gains 1, LayerScale {@link StudentConfig#layerScaleInit()}.
     */
    public static StudentVit initialise(StudentConfig config, long seed, Device device) {
        Random random = new Random(seed);
        try {
            return new StudentVit(config, device, (name, shape) -> initialValues(config, random, name, shape));
        } catch (IOException e) {
            throw new IllegalStateException("random initialisation reads no file", e);
        }
    }

    /**
     * A student whose backbone starts from a model the app loads ({@code source}, official tensor names); the head,
     * and LayerScale where the model has none, start as {@link #initialise} draws them from the seed. The position
     * table is resized to the student's grid as the inference model resizes it; a standard student gets the model's
     * LayerScale gains folded into the projections they scale (exact: {@code g * (W x + b) = (diag(g) W) x + g b}).
     *
     * @param config the student, of the source's width, depth, heads, patch size, registers and MLP
     * @throws IllegalArgumentException when the student's backbone differs from the source's (one line)
     */
    public static StudentVit initialiseFrom(StudentConfig config, long seed, Device device, DinoV2Config sourceConfig,
                                            WeightSource source) throws IOException {
        DinoV2Config b = config.backbone();
        DinoV2Config s = sourceConfig;
        if (b.embedDim() != s.embedDim() || b.depth() != s.depth() || b.numHeads() != s.numHeads()
                || b.patchSize() != s.patchSize() || b.numRegisters() != s.numRegisters() || b.ffn() != s.ffn()
                || b.ffnHidden() != s.ffnHidden()) {
            throw new IllegalArgumentException("the initial model (" + describe(s) + ") does not fit the student ("
                    + describe(b) + ")");
        }
        Random random = new Random(seed);
        return new StudentVit(config, device, (name, shape) -> {
            float[] drawn = initialValues(config, random, name, shape); // drawn first: the seed's stream stays the same
            if (name.startsWith("head.") || (name.endsWith(".gamma") && !source.tensors().containsKey(name))) {
                return drawn;
            }
            if (name.equals("pos_embed")) {
                return positionTable(s, floats(source, name), b.posGrid());
            }
            float[] values = floats(source, name);
            if (!java.util.Arrays.equals(source.tensors().get(name).shape(), shape)) {
                throw new IllegalArgumentException("initial model tensor " + name + " has shape "
                        + source.tensors().get(name).shapeString() + ", the student needs " + java.util.Arrays.toString(shape));
            }
            String gain = config.layerScale() ? null
                    : name.matches("blocks\\.\\d+\\.attn\\.proj\\.(weight|bias)") ? name.replaceAll("attn\\.proj\\..*", "ls1.gamma")
                    : name.matches("blocks\\.\\d+\\.mlp\\.(fc2|w3)\\.(weight|bias)") ? name.replaceAll("mlp\\..*", "ls2.gamma")
                    : null;
            if (gain != null && source.tensors().containsKey(gain)) {
                float[] g = floats(source, gain);
                int cols = values.length / g.length;                                // weight [D, in]: row r scaled by g[r]
                for (int i = 0; i < values.length; i++) {
                    values[i] *= g[i / cols];
                }
            }
            return values;
        });
    }

    private static String describe(DinoV2Config c) {
        return "dim " + c.embedDim() + ", " + c.depth() + " blocks, " + c.numHeads() + " heads, patch " + c.patchSize()
                + ", " + c.numRegisters() + " registers, " + (c.ffn() == DinoV2Config.FfnType.SWIGLU ? "SwiGLU" : "GELU MLP")
                + " " + c.ffnHidden();
    }

    /** CLS entry kept, patch table [m*m, D] resized to grid x grid: [1, 1 + grid^2, D] flattened. */
    private static float[] positionTable(DinoV2Config source, float[] table, int grid) {
        int d = source.embedDim();
        float[] patches = PositionEmbeddingInterpolator.interpolate(
                java.util.Arrays.copyOfRange(table, d, table.length), d, source, grid, grid);
        float[] out = new float[d + patches.length];
        System.arraycopy(table, 0, out, 0, d);
        System.arraycopy(patches, 0, out, d, patches.length);
        return out;
    }

    private static float[] floats(WeightSource source, String name) throws IOException {
        if (!source.tensors().containsKey(name)) {
            throw new IOException("initial model has no tensor " + name);
        }
        FloatBuffer fb = source.readFloats(name);
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    /** Loads every parameter (official names, {@code head.*} included) from a checkpoint, checking shapes. */
    public static StudentVit load(StudentConfig config, WeightSource weights, Device device) throws IOException {
        return new StudentVit(config, device, (name, shape) -> {
            if (!weights.tensors().containsKey(name)) {
                throw new IOException("student checkpoint has no tensor " + name);
            }
            if (!java.util.Arrays.equals(weights.tensors().get(name).shape(), shape)) {
                throw new IOException("student tensor " + name + " has shape "
                        + weights.tensors().get(name).shapeString() + ", expected " + java.util.Arrays.toString(shape));
            }
            FloatBuffer fb = weights.readFloats(name);
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        });
    }

    private static float[] initialValues(StudentConfig config, Random random, String name, long[] shape) {
        int count = 1;
        for (long s : shape) {
            count *= (int) s;
        }
        float[] out = new float[count];
        if (name.endsWith(".gamma")) {
            java.util.Arrays.fill(out, (float) config.layerScaleInit());
        } else if (name.endsWith("norm1.weight") || name.endsWith("norm2.weight") || name.equals("norm.weight")) {
            java.util.Arrays.fill(out, 1f);
        } else if (!name.endsWith(".bias")) {
            for (int i = 0; i < count; i++) {
                double z;
                do {
                    z = random.nextGaussian();
                } while (Math.abs(z) > 2);
                out[i] = (float) (0.02 * z);
            }
        }
        return out;
    }

    public StudentConfig config() {
        return config;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The manager owning the parameters; a training step's arrays live in a sub-manager of it. */
    NDManager manager() {
        return manager;
    }

    /** The live parameters by official name (the optimiser updates them in place). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** A copy of every parameter's values by official name. */
    public Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((name, a) -> out.put(name, a.toFloatArray()));
        return out;
    }

    /** A copy of every parameter's gradient from the last backward pass (zeros before any). */
    public Map<String, float[]> gradients() {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((name, a) -> {
            try (NDArray g = a.getGradient()) {
                out.put(name, g.toFloatArray());
            }
        });
        return out;
    }

    // ---- forward ---------------------------------------------------------------------------------------------

    /**
     * Runs a batch; records the autograd graph when called inside a gradient collector.
     *
     * @param pixels      [B, 3, S, S] normalised images, S = {@link StudentConfig#imageSize()}, in a step's manager
     * @param given       attention weights [B, H, N, N] per block that attends with them instead of its own (copy)
     * @param scoreLayers blocks whose pre-softmax scores are returned (must not be in {@code given})
     */
    public Output forward(NDArray pixels, Map<Integer, NDArray> given, Set<Integer> scoreLayers) {
        DinoV2Config c = config.backbone();
        long b = pixels.getShape().get(0);
        int side = config.imageSize();
        if (pixels.getShape().dimension() != 4 || pixels.getShape().get(2) != side || pixels.getShape().get(3) != side) {
            throw new IllegalArgumentException("student expects [B, 3, " + side + ", " + side + "] pixels, got "
                    + pixels.getShape());
        }
        NDArray x = embedTokens(pixels, b);                                          // [B, N, D]
        NDArray scale = pixels.getManager().create((float) Math.pow(c.headDim(), -0.5)); // [] 1/sqrt(hd)
        Map<Integer, NDArray> scores = new HashMap<>();
        for (int i = 0; i < c.depth(); i++) {
            x = block(x, i, given.get(i), scoreLayers.contains(i) ? scores : null, scale);
        }
        NDArray cls = layerNorm(x, "norm.").get(":, 0, :");                          // [B, D]
        NDArray logits = Linear.linear(cls, p("head.weight"), p("head.bias")).singletonOrThrow(); // [B, classes]
        return new Output(logits, Map.copyOf(scores));
    }

    /** Patch embedding, CLS and position table, then registers after CLS: [B, N, D]. */
    private NDArray embedTokens(NDArray pixels, long b) {
        DinoV2Config c = config.backbone();
        int d = c.embedDim();
        int patches = c.posGrid() * c.posGrid();
        NDArray x = Conv2d.conv2d(pixels, p("patch_embed.proj.weight"), p("patch_embed.proj.bias"),
                new Shape(c.patchSize(), c.patchSize())).singletonOrThrow();         // [B, D, g, g]
        x = x.reshape(b, d, patches).transpose(0, 2, 1);                             // [B, Np, D]
        NDArray cls = p("cls_token").broadcast(new Shape(b, 1, d));                  // [B, 1, D]
        cls.attach(pixels.getManager()); // ops on a parameter land in the parameters' manager: move to the step's
        x = cls.concat(x, 1).add(p("pos_embed"));                                    // [B, 1 + Np, D]
        if (c.numRegisters() > 0) {
            NDArray regs = p("register_tokens").broadcast(new Shape(b, c.numRegisters(), d)); // [B, R, D]
            regs.attach(pixels.getManager());
            x = x.get(":, 0:1, :").concat(regs, 1).concat(x.get(":, 1:, :"), 1);   // [B, N, D]
        }
        return x;
    }

    private NDArray block(NDArray x, int layer, NDArray given, Map<Integer, NDArray> scoresOut, NDArray scale) {
        String blk = "blocks." + layer + ".";
        NDArray a = attention(layerNorm(x, blk + "norm1."), blk, given, layer, scoresOut, scale); // [B, N, D]
        x = x.add(config.layerScale() ? a.mul(p(blk + "ls1.gamma")) : a);
        NDArray m = ffn(layerNorm(x, blk + "norm2."), blk);                          // [B, N, D]
        return x.add(config.layerScale() ? m.mul(p(blk + "ls2.gamma")) : m);
    }

    private NDArray attention(NDArray h, String blk, NDArray given, int layer, Map<Integer, NDArray> scoresOut,
                              NDArray scale) {
        DinoV2Config c = config.backbone();
        Shape s = h.getShape();
        long b = s.get(0);
        long n = s.get(1);
        int hd = c.headDim();
        NDArray qkv = Linear.linear(h, p(blk + "attn.qkv.weight"), p(blk + "attn.qkv.bias")).singletonOrThrow(); // [B, N, 3D]
        NDArray split = qkv.reshape(b, n, 3, c.numHeads(), hd).transpose(2, 0, 3, 1, 4); // [3, B, H, N, hd]
        NDArray weights;
        if (given != null) {
            weights = given;                                                         // [B, H, N, N]
        } else {
            NDArray q = split.get(0).mul(scale);
            NDArray scores = q.matMul(split.get(1).transpose(0, 1, 3, 2));           // [B, H, N, N]
            if (scoresOut != null) {
                scoresOut.put(layer, scores);
            }
            weights = scores.softmax(-1);
        }
        NDArray out = weights.matMul(split.get(2)).transpose(0, 2, 1, 3).reshape(b, n, c.embedDim()); // [B, N, D]
        return Linear.linear(out, p(blk + "attn.proj.weight"), p(blk + "attn.proj.bias")).singletonOrThrow();
    }

    private NDArray ffn(NDArray h, String blk) {
        DinoV2Config c = config.backbone();
        if (c.ffn() == DinoV2Config.FfnType.SWIGLU) {
            NDArray x12 = Linear.linear(h, p(blk + "mlp.w12.weight"), p(blk + "mlp.w12.bias")).singletonOrThrow();
            int hid = c.ffnHidden();
            NDArray x1 = x12.get("..., 0:" + hid);
            NDArray hidden = x1.mul(Activation.sigmoid(x1)).mul(x12.get("..., " + hid + ":")); // silu(x1) * x2
            return Linear.linear(hidden, p(blk + "mlp.w3.weight"), p(blk + "mlp.w3.bias")).singletonOrThrow();
        }
        NDArray hidden = Activation.gelu(Linear.linear(h, p(blk + "mlp.fc1.weight"), p(blk + "mlp.fc1.bias"))
                .singletonOrThrow());                                                // exact erf GELU
        return Linear.linear(hidden, p(blk + "mlp.fc2.weight"), p(blk + "mlp.fc2.bias")).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, String prefix) {
        DinoV2Config c = config.backbone();
        return LayerNorm.layerNorm(x, new Shape(c.embedDim()), p(prefix + "weight"), p(prefix + "bias"),
                (float) c.layerNormEps()).singletonOrThrow();
    }

    private NDArray p(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalStateException("student has no parameter " + name);
        }
        return a;
    }

    @Override
    public void close() {
        manager.close();
    }
}
