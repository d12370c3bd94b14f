package org.itaestudio.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;
import org.itaestudio.itae.ArtifactDetector;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.weights.WeightSource;

/**
 * DINOv2 vision transformer (facebookresearch/dinov2 {@code DinoVisionTransformer}) with ITAE, on DJL NDArrays.
 *
 * <p>Shapes: B images, D = embedDim, H heads of hd = D / H, R registers, Np = gridH * gridW patches,
 * N = 1 + R + Np tokens (CLS, registers, patches). Pre-norm blocks:
 * {@code x = x + ls1 * attn(norm1(x)); x = x + ls2 * ffn(norm2(x))}, LayerNorm eps 1e-6, exact GELU (or SwiGLU).
 * Each block runs in its own child NDManager that is closed after it, so intermediates are freed block by block.
 *
 * <p>Thread-safe: weights are read-only; every forward uses its own managers.
 */
public final class DinoV2 implements AutoCloseable {

    private final DinoV2Config config;
    private final Device device;
    private final NDManager manager;
    private final NDArray clsToken;       // [1, 1, D]
    private final NDArray registerTokens; // [1, R, D] or null
    private final float[] clsPos;         // [D], pos_embed[0]
    private final float[] patchPosTable;  // [posGrid * posGrid * D]
    private final NDArray patchWeight;    // [D, 3, 14, 14]
    private final NDArray patchBias;      // [D]
    private final List<Block> blocks;
    private final NDArray normWeight;     // [D]
    private final NDArray normBias;       // [D]
    /** Position embeddings per grid, [1, 1 + Np, D]: CLS entry then the interpolated patch table. */
    private final Map<Long, NDArray> positionCache = new ConcurrentHashMap<>();

    private record Block(NDArray norm1W, NDArray norm1B, NDArray qkvW, NDArray qkvB, NDArray projW, NDArray projB,
                         NDArray ls1, NDArray norm2W, NDArray norm2B, NDArray fc1W, NDArray fc1B, NDArray fc2W,
                         NDArray fc2B, NDArray ls2) {
    }

    private DinoV2(DinoV2Config config, WeightSource weights, Device device) throws IOException {
        this.config = config;
        this.device = device;
        NativeThreading.configure(); // before libtorch loads
        this.manager = Engine.getEngine("PyTorch").newBaseManager(device);
        try {
            Loader w = new Loader(weights, manager);
            clsToken = w.array("cls_token");
            registerTokens = config.numRegisters() > 0 ? w.array("register_tokens") : null;
            float[] pos = w.floats("pos_embed");
            int d = config.embedDim();
            clsPos = java.util.Arrays.copyOfRange(pos, 0, d);
            patchPosTable = java.util.Arrays.copyOfRange(pos, d, pos.length);
            patchWeight = w.array("patch_embed.proj.weight");
            patchBias = w.array("patch_embed.proj.bias");
            List<Block> list = new ArrayList<>();
            for (int i = 0; i < config.depth(); i++) {
                String b = "blocks." + i + ".";
                boolean swiglu = config.ffn() == DinoV2Config.FfnType.SWIGLU;
                String fc1 = swiglu ? "mlp.w12" : "mlp.fc1";
                String fc2 = swiglu ? "mlp.w3" : "mlp.fc2";
                list.add(new Block(w.array(b + "norm1.weight"), w.array(b + "norm1.bias"),
                        w.array(b + "attn.qkv.weight"), w.array(b + "attn.qkv.bias"),
                        w.array(b + "attn.proj.weight"), w.array(b + "attn.proj.bias"), w.array(b + "ls1.gamma"),
                        w.array(b + "norm2.weight"), w.array(b + "norm2.bias"),
                        w.array(b + fc1 + ".weight"), w.array(b + fc1 + ".bias"),
                        w.array(b + fc2 + ".weight"), w.array(b + fc2 + ".bias"), w.array(b + "ls2.gamma")));
            }
            blocks = List.copyOf(list);
            normWeight = w.array("norm.weight");
            normBias = w.array("norm.bias");
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Builds the model on a device from weights in official naming (see {@link DinoV2Config#expectedTensors()}). */
    public static DinoV2 create(DinoV2Config config, WeightSource weights, Device device) throws IOException {
        return new DinoV2(config, weights, device);
    }

    public DinoV2Config config() {
        return config;
    }

    public Device device() {
        return device;
    }

    /** Copies tensors out of the checkpoint onto the device, one at a time, checking each shape. */
    private static final class Loader {
        private final WeightSource source;
        private final NDManager manager;

        Loader(WeightSource source, NDManager manager) {
            this.source = source;
            this.manager = manager;
        }

        float[] floats(String name) throws IOException {
            if (!source.tensors().containsKey(name)) {
                throw new IOException("checkpoint has no tensor " + name);
            }
            FloatBuffer fb = source.readFloats(name);
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }

        NDArray array(String name) throws IOException {
            if (!source.tensors().containsKey(name)) {
                throw new IOException("checkpoint has no tensor " + name);
            }
            long[] shape = source.tensors().get(name).shape();
            FloatBuffer fb = source.readFloats(name);
            return manager.create(fb, new Shape(shape), DataType.FLOAT32);
        }
    }

    // ---- forward ---------------------------------------------------------------------------------------------

    /**
     * Runs a batch of preprocessed images.
     *
     * @param pixels NCHW float32, normalised, {@code batch * 3 * height * width} values
     */
    public ForwardResult forward(float[] pixels, int batch, int height, int width, ForwardRequest request) {
        int p = config.patchSize();
        if (height % p != 0 || width % p != 0) {
            throw new IllegalArgumentException("input " + width + "x" + height + " is not a multiple of the patch size " + p);
        }
        if (pixels.length != (long) batch * 3 * height * width) {
            throw new IllegalArgumentException("pixel buffer has " + pixels.length + " values, expected "
                    + batch + "x3x" + height + "x" + width);
        }
        int gridH = height / p;
        int gridW = width / p;
        try (NDManager fwd = manager.newSubManager()) {
            NDArray x = embedTokens(fwd, pixels, batch, height, width, gridH, gridW);
            return runBlocks(fwd, x, 0, batch, gridH, gridW, request);
        }
    }

    /**
     * Continues a forward pass from hidden states captured before block {@code startLayer}; with the same request
     * this equals {@link #forward} (blocks before startLayer must not be changed by the request's ITAE).
     *
     * @param hidden [image][tokens * dim] as returned in {@link ForwardResult#captured()}
     */
    public ForwardResult forwardFrom(int startLayer, float[][] hidden, int gridH, int gridW, ForwardRequest request) {
        int n = config.prefixTokens() + gridH * gridW;
        int d = config.embedDim();
        float[] flat = new float[hidden.length * n * d];
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i].length != n * d) {
                throw new IllegalArgumentException("hidden state " + i + " has " + hidden[i].length + " values, expected " + n * d);
            }
            System.arraycopy(hidden[i], 0, flat, i * n * d, n * d);
        }
        try (NDManager fwd = manager.newSubManager()) {
            NDArray x = fwd.create(flat, new Shape(hidden.length, n, d));
            return runBlocks(fwd, x, startLayer, hidden.length, gridH, gridW, request);
        }
    }

    /** Patch embedding, CLS, registers and position embeddings: [B, N, D]. */
    private NDArray embedTokens(NDManager fwd, float[] pixels, int batch, int height, int width, int gridH, int gridW) {
        NDArray img = fwd.create(pixels, new Shape(batch, 3, height, width));
        NDArray patches = Conv2d.conv2d(img, patchWeight, patchBias, new Shape(config.patchSize(), config.patchSize()))
                .singletonOrThrow();                                                 // [B, D, gh, gw]
        patches = patches.reshape(batch, config.embedDim(), gridH * gridW).transpose(0, 2, 1); // [B, Np, D]
        // Arrays derived from weights belong to the weights' manager: move them to this forward's manager.
        NDArray cls = clsToken.broadcast(new Shape(batch, 1, config.embedDim()));
        cls.attach(fwd);
        NDArray x = cls.concat(patches, 1).add(positionEmbedding(gridH, gridW));      // [B, 1 + Np, D]
        if (registerTokens != null) { // registers go after CLS and get no position embedding
            NDArray regs = registerTokens.broadcast(new Shape(batch, config.numRegisters(), config.embedDim()));
            regs.attach(fwd);
            x = x.get(":, 0:1, :").concat(regs, 1).concat(x.get(":, 1:, :"), 1);
        }
        return x;
    }

    private NDArray positionEmbedding(int gridH, int gridW) {
        long key = ((long) gridH << 32) | gridW;
        return positionCache.computeIfAbsent(key, k -> {
            int d = config.embedDim();
            float[] patchPos = PositionEmbeddingInterpolator.interpolate(patchPosTable, d, config, gridH, gridW);
            float[] all = new float[d + patchPos.length];
            System.arraycopy(clsPos, 0, all, 0, d);
            System.arraycopy(patchPos, 0, all, d, patchPos.length);
            return manager.create(all, new Shape(1, 1 + gridH * gridW, d));
        });
    }

    /** Per-forward state shared by the blocks. */
    private record Context(ForwardRequest request, SortedSet<Integer> itaeLayers, int batch, int gridH, int gridW,
                           Map<Integer, LayerProbe> probes, float[][][] clsState) {
    }

    private ForwardResult runBlocks(NDManager fwd, NDArray x, int startLayer, int batch, int gridH, int gridW,
                                    ForwardRequest request) {
        SortedSet<Integer> itaeLayers = request.itae() == null ? java.util.Collections.emptySortedSet()
                : request.itae().resolveLayers(config.depth());
        for (int l : request.probeLayers()) {
            if (l < 0 || l >= config.depth()) {
                throw new IllegalArgumentException("layer " + l + " does not exist: the model has " + config.depth() + " blocks");
            }
        }
        // clsState[0] = CLS tokens entering the last block [B][D]; [1] = packed states, filled by attention()
        Context ctx = new Context(request, itaeLayers, batch, gridH, gridW, new HashMap<>(), new float[2][][]);
        float[][] captured = null;
        for (int i = startLayer; i < config.depth(); i++) {
            if (i == request.captureLayer()) {
                captured = rows(x.toFloatArray(), batch);
            }
            if (request.captureClsState() && i == config.depth() - 1) {
                ctx.clsState()[0] = rows(x.get(":, 0, :").toFloatArray(), batch);
            }
            try (NDManager blockManager = fwd.newSubManager()) {
                x.tempAttach(blockManager);
                NDArray out = block(blocks.get(i), x, i, ctx);
                out.attach(fwd);
                x = out;
            }
        }
        NDArray normed = layerNorm(x, normWeight, normBias);                       // [B, N, D]
        int prefix = config.prefixTokens();
        NDArray patchTokens = normed.get(":, " + prefix + ":, :");                  // [B, Np, D]
        NDArray pooled = request.pooling() == Pooling.MEAN ? patchTokens.mean(new int[] {1}) : normed.get(":, 0, :");
        float[][] embeddings = rows(pooled.toFloatArray(), batch);
        float[][][] tokens = null;
        if (request.patchTokens()) {
            float[][] flat = rows(patchTokens.toFloatArray(), batch);
            tokens = new float[batch][][];
            for (int b = 0; b < batch; b++) {
                tokens[b] = rows(flat[b], gridH * gridW);
            }
        }
        return new ForwardResult(gridH, gridW, embeddings, tokens, Map.copyOf(ctx.probes()), captured, ctx.clsState()[1]);
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return LayerNorm.layerNorm(x, new Shape(config.embedDim()), weight, bias, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    /**
     * Residual updates are in place ({@code addi}/{@code muli}: same arithmetic, bit-identical results): x is this
     * forward's own hidden state and the branch outputs are fresh, so nothing else sees the change, and each block
     * skips four [B, N, D] allocations (ViT-S/14 batch 8: 1.77 -> 1.09 ms per residual, one thread).
     */
    private NDArray block(Block blk, NDArray x, int layer, Context ctx) {
        x.addi(attention(blk, layerNorm(x, blk.norm1W, blk.norm1B), layer, ctx).muli(blk.ls1));
        return x.addi(ffn(blk, layerNorm(x, blk.norm2W, blk.norm2B)).muli(blk.ls2));
    }

    private NDArray ffn(Block blk, NDArray h) {
        if (config.ffn() == DinoV2Config.FfnType.SWIGLU) {
            NDArray x12 = Linear.linear(h, blk.fc1W, blk.fc1B).singletonOrThrow(); // [B, N, 2 * hidden]
            int hid = config.ffnHidden();
            NDArray x1 = x12.get("..., 0:" + hid);
            NDArray x2 = x12.get("..., " + hid + ":");
            NDArray hidden = x1.mul(Activation.sigmoid(x1)).mul(x2);               // silu(x1) * x2
            return Linear.linear(hidden, blk.fc2W, blk.fc2B).singletonOrThrow();
        }
        NDArray hidden = Activation.gelu(Linear.linear(h, blk.fc1W, blk.fc1B).singletonOrThrow()); // exact erf GELU
        return Linear.linear(hidden, blk.fc2W, blk.fc2B).singletonOrThrow();
    }

    private NDArray attention(Block blk, NDArray h, int layer, Context ctx) {
        int b = ctx.batch();
        int d = config.embedDim();
        int heads = config.numHeads();
        int hd = config.headDim();
        long n = h.getShape().get(1);
        NDArray qkv = Linear.linear(h, blk.qkvW, blk.qkvB).singletonOrThrow();   // [B, N, 3D]
        NDArray split = qkv.reshape(b, n, 3, heads, hd).transpose(2, 0, 3, 1, 4); // [3, B, H, N, hd]
        NDArray q = split.get(0).mul((float) Math.pow(hd, -0.5));
        NDArray k = split.get(1);
        NDArray v = split.get(2);
        NDArray logits = q.matMul(k.transpose(0, 1, 3, 2));                      // [B, H, N, N]

        boolean itaeHere = ctx.itaeLayers().contains(layer);
        boolean probe = ctx.request().probeLayers().contains(layer);
        int prefix = config.prefixTokens();
        int patches = (int) n - prefix;
        float[][][] norms = null; // [q|k|v][image][token]
        if (probe || itaeHere) {
            norms = new float[3][][];
            for (int c = 0; c < 3; c++) {
                boolean wanted = probe || c == ctx.request().itae().component().ordinal();
                if (wanted) {
                    norms[c] = rows(qkv.get(":, :, " + c * d + ":" + (c + 1) * d).norm(new int[] {-1}).toFloatArray(), b);
                }
            }
        }
        if (ctx.request().captureClsState() && layer == config.depth() - 1) {
            ctx.clsState()[1] = captureClsState(ctx.clsState()[0], qkv, logits, b, (int) n);
        }
        int[][] artifacts = null;
        double[] thresholds = null;
        if (itaeHere) {
            ItaeConfig itae = ctx.request().itae();
            float[][] scores = norms[itae.component().ordinal()];
            float[] columnMask = new float[b * (int) n];
            artifacts = new int[b][];
            thresholds = new double[b];
            for (int i = 0; i < b; i++) {
                float[] patchScores = java.util.Arrays.copyOfRange(scores[i], prefix, (int) n);
                thresholds[i] = ArtifactDetector.resolveThreshold(itae, patchScores);
                boolean[] flags = ArtifactDetector.detect(patchScores, thresholds[i], itae.direction());
                artifacts[i] = ArtifactDetector.indices(flags);
                for (int j : artifacts[i]) {
                    columnMask[i * (int) n + prefix + j] = 1f;
                }
            }
            logits = attenuate(logits, columnMask, itae, b, (int) n, prefix);
        }
        NDArray attn = logits.softmax(-1);                                         // [B, H, N, N]
        if (probe) {
            float[][] cls = rows(attn.get(":, :, 0, " + prefix + ":").toFloatArray(), b);
            float[][][] clsAttention = new float[b][][];
            for (int i = 0; i < b; i++) {
                clsAttention[i] = rows(cls[i], heads);
            }
            float[][][][] full = null;
            if (ctx.request().fullAttention()) {
                float[][] flat = rows(attn.toFloatArray(), b);
                full = new float[b][heads][][];
                for (int i = 0; i < b; i++) {
                    float[][] perHead = rows(flat[i], heads);
                    for (int hh = 0; hh < heads; hh++) {
                        full[i][hh] = rows(perHead[hh], (int) n);
                    }
                }
            }
            if (artifacts == null) {
                artifacts = new int[b][0];
                thresholds = new double[b];
                java.util.Arrays.fill(thresholds, Double.NaN);
            }
            ctx.probes().put(layer, new LayerProbe(layer, norms[0], norms[1], norms[2], clsAttention, full, artifacts, thresholds));
        }
        NDArray out = attn.matMul(v).transpose(0, 2, 1, 3).reshape(b, n, d);      // [B, N, D]
        return Linear.linear(out, blk.projW, blk.projB).singletonOrThrow();
    }

    /** Packs the last block's {@link ClsState} of every image (logits taken before ITAE). */
    private float[][] captureClsState(float[][] xCls, NDArray qkv, NDArray logits, int b, int n) {
        int d = config.embedDim();
        int heads = config.numHeads();
        float[][] clsLogits = rows(logits.get(":, :, 0, :").toFloatArray(), b);            // [B][H*N]
        float[][] v = rows(qkv.get(":, :, " + 2 * d + ":").toFloatArray(), b);             // [B][N*D]
        float[][] norms = rows(qkv.reshape(b, n, 3, d).norm(new int[] {-1}).transpose(0, 2, 1).toFloatArray(), b); // [B][3*N]
        float[][] out = new float[b][];
        for (int i = 0; i < b; i++) {
            out[i] = new ClsState(xCls[i], clsLogits[i], v[i], norms[i]).pack();
        }
        return out;
    }

    /**
     * Embeddings (CLS pooling) under last-block, CLS-row ITAE, from {@link ClsState}s alone: the last block's CLS row
     * (attenuate, softmax, attention-weighted values, projection, LayerScale, MLP) and the final norm. Equals a full
     * forward with that ITAE setting up to float rounding.
     *
     * @param packed [image] packed states, all with the same token count
     * @param itae   ITAE acting on the last block's CLS row only, or null for the plain model
     */
    public ClsReembedding embedFromClsStates(float[][] packed, ItaeConfig itae) {
        int last = config.depth() - 1;
        if (itae != null && (itae.rows() != ItaeConfig.Rows.CLS || !itae.resolveLayers(config.depth()).equals(java.util.Set.of(last)))) {
            throw new IllegalArgumentException("the CLS fast path needs ITAE on the last block's CLS row only: " + itae.key());
        }
        int b = packed.length;
        int d = config.embedDim();
        int heads = config.numHeads();
        int prefix = config.prefixTokens();
        // Copy straight out of the packed arrays (no per-image unpacking: this runs on thousands of states).
        int n = ClsState.tokens(packed[0].length, d, heads);
        int logitsAt = d;
        int vAt = logitsAt + heads * n;
        int normsAt = vAt + n * d;
        float[] x = new float[b * d];
        float[] logits = new float[b * heads * n];
        float[] v = new float[b * n * d];
        float[] mask = new float[b * n];
        int[][] artifacts = new int[b][0];
        double[] thresholds = new double[b];
        java.util.Arrays.fill(thresholds, Double.NaN);
        for (int i = 0; i < b; i++) {
            float[] p = packed[i];
            if (p.length != packed[0].length) {
                throw new IllegalArgumentException("CLS states of different token counts in one batch");
            }
            System.arraycopy(p, 0, x, i * d, d);
            System.arraycopy(p, logitsAt, logits, i * heads * n, heads * n);
            System.arraycopy(p, vAt, v, i * n * d, n * d);
            if (itae != null) {
                int from = normsAt + itae.component().ordinal() * n + prefix;
                float[] scores = java.util.Arrays.copyOfRange(p, from, from + n - prefix);
                thresholds[i] = ArtifactDetector.resolveThreshold(itae, scores);
                artifacts[i] = ArtifactDetector.indices(ArtifactDetector.detect(scores, thresholds[i], itae.direction()));
                for (int j : artifacts[i]) {
                    mask[i * n + prefix + j] = 1f;
                }
            }
        }
        Block blk = blocks.get(last);
        try (NDManager m = manager.newSubManager()) {
            NDArray l = m.create(logits, new Shape(b, heads, 1, n));                        // [B, H, 1, N]
            if (itae != null) {
                l = attenuate(l, mask, itae.withRows(ItaeConfig.Rows.ALL), b, n, prefix);  // the one row is the CLS row
            }
            NDArray vh = m.create(v, new Shape(b, n, heads, config.headDim())).transpose(0, 2, 1, 3); // [B, H, N, hd]
            NDArray o = l.softmax(-1).matMul(vh).reshape(b, d);                              // [B, D]
            NDArray y = m.create(x, new Shape(b, d));
            y = y.add(Linear.linear(o, blk.projW, blk.projB).singletonOrThrow().mul(blk.ls1));
            y = y.add(ffn(blk, layerNorm(y, blk.norm2W, blk.norm2B)).mul(blk.ls2));
            float[][] emb = rows(layerNorm(y, normWeight, normBias).toFloatArray(), b);
            return new ClsReembedding(emb, artifacts, thresholds);
        }
    }

    /** Result of {@link #embedFromClsStates}: embeddings, and the artifacts and threshold used per image. */
    public record ClsReembedding(float[][] embeddings, int[][] artifacts, double[] thresholds) {
    }

    /**
     * ITAE on pre-softmax logits: for artifact columns j, l'_j = l_j - s (l_j - min over patch columns), applied to
     * the CLS query row or to every row. Multiplying by a 0/1 mask leaves every other logit bit-identical.
     */
    private static NDArray attenuate(NDArray logits, float[] columnMask, ItaeConfig itae, int b, int n, int prefix) {
        NDManager m = logits.getManager();
        NDArray minPatch = logits.get(":, :, :, " + prefix + ":").min(new int[] {-1}, true); // [B, H, N, 1]
        NDArray mask = m.create(columnMask, new Shape(b, 1, 1, n));
        if (itae.rows() == ItaeConfig.Rows.CLS) {
            float[] rowMask = new float[n];
            rowMask[0] = 1f;
            mask = mask.mul(m.create(rowMask, new Shape(1, 1, n, 1)));               // [B, 1, N, N]
        }
        return logits.sub(logits.sub(minPatch).mul(mask).mul((float) itae.strength()));
    }

    /** Splits a flat array into {@code count} equal rows. */
    static float[][] rows(float[] flat, int count) {
        int len = flat.length / count;
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * len, (i + 1) * len);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The probe layers of a request as a set, for callers building requests. */
    public static Set<Integer> lastLayer(DinoV2Config config) {
        return Set.of(config.depth() - 1);
    }
}
