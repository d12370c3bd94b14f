package org.itaestudio.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.itaestudio.itae.ArtifactDetector;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.model.weights.WeightSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DINOv2 vision transformer (facebookresearch/dinov2 {@code DinoVisionTransformer}) with ITAE, on DJL NDArrays.
 *
 * <p>Shapes: B images, D = embedDim, H heads of hd = D / H, R registers, Np = gridH * gridW patches,
 * N = 1 + R + Np tokens (CLS, registers, patches). Pre-norm blocks:
 * {@code x = x + ls1 * attn(norm1(x)); x = x + ls2 * ffn(norm2(x))}, LayerNorm eps 1e-6, exact GELU (or SwiGLU).
 * Each block runs in its own child NDManager that is closed after it, so intermediates are freed block by block.
 *
 * <p>Test-time registers ({@link TestTimeRegisters}) append R more tokens after the patches: N' = N + R. Every output
 * (embedding, patch tokens, probes, norms) covers the original N tokens; the appended ones are reported apart.
 *
 * <p>Thread-safe: weights are read-only; every forward uses its own managers.
 */
public final class DinoV2 implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DinoV2.class);
    /** {@code -Ditae.compiledBlocks=false} keeps every forward on the Java blocks (for comparisons). */
    private static final boolean COMPILED_BLOCKS = !"false".equals(System.getProperty("itae.compiledBlocks"));

    private final DinoV2Config config;
    private final Device device;
    private final NDManager manager;
    private final NDArray clsToken;       // [1, 1, D]
    private final NDArray registerTokens; // [1, R, D] or null
    private final float[] clsPos;         // [D], pos_embed[0]
    private final float[] patchPosTable;  // [posGrid * posGrid * D]
    private final NDArray patchWeight;    // [D, 3, p, p], p = patch size
    private final NDArray patchBias;      // [D]
    private final List<Block> blocks;
    private final NDArray normWeight;     // [D]
    private final NDArray normBias;       // [D]
    /** Position embeddings per grid, [1, 1 + Np, D]: CLS entry then the interpolated patch table. */
    private final Map<Long, NDArray> positionCache = new ConcurrentHashMap<>();
    /** The blocks as one libtorch call for plain forwards, loaded on first use; see {@link #compiledBlocks()}. */
    private CompiledBlocks compiled;
    private boolean compiledRefused;

    private record Block(NDArray norm1W, NDArray norm1B, NDArray qkvW, NDArray qkvB, NDArray projW, NDArray projB,
                         NDArray ls1, NDArray norm2W, NDArray norm2B, NDArray fc1W, NDArray fc1B, NDArray fc2W,
                         NDArray fc2B, NDArray ls2) {
        /** The 14 arrays in declaration order: the order {@link CompiledBlocks} takes them in. */
        List<NDArray> arrays() {
            return List.of(norm1W, norm1B, qkvW, qkvB, projW, projB, ls1, norm2W, norm2B, fc1W, fc1B, fc2W, fc2B, ls2);
        }
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
            clsPos = Arrays.copyOfRange(pos, 0, d);
            patchPosTable = Arrays.copyOfRange(pos, d, pos.length);
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

    /**
     * SHA-256 (hex) of the learned CLS and position embeddings: the same weights give the same print in any file
     * layout, other weights a different one. Register-neuron files carry it so they are never used on another model.
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            f = computeFingerprint();
            fingerprint = f;
        }
        return f;
    }

    private volatile String fingerprint;

    private String computeFingerprint() {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * (clsPos.length + patchPosTable.length))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(clsPos).put(patchPosTable);
            md.update(buf);
            md.update(describeArchitecture().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line: width, depth, heads, MLP kind and hidden width, registers. */
    public String describeArchitecture() {
        return "dim=" + config.embedDim() + " depth=" + config.depth() + " heads=" + config.numHeads() + " ffn="
                + config.ffn() + " hidden=" + config.ffnHidden() + " registers=" + config.numRegisters();
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
        return forward(pixels, batch, height, width, request, COMPILED_BLOCKS);
    }

    /**
     * {@link #forward(float[], int, int, int, ForwardRequest)}, with the compiled blocks allowed or not: a request
     * that asks nothing of the blocks but their output runs them as one libtorch call when allowed and available.
     */
    ForwardResult forward(float[] pixels, int batch, int height, int width, ForwardRequest request,
                          boolean allowCompiled) {
        checkPixels(pixels, batch, height, width);
        int p = config.patchSize();
        int gridH = height / p;
        int gridW = width / p;
        try (NDManager fwd = manager.newSubManager()) {
            NDArray x = appendRegisters(embedTokens(fwd, pixels, batch, height, width, gridH, gridW), request.appendedTokens());
            CompiledBlocks c = allowCompiled && request.blocksOnly() ? compiledBlocks() : null;
            if (c != null) {
                return finish(c.run(x, fwd), newContext(request, Collections.emptySortedSet(), batch, gridH, gridW,
                        new TreeMap<>(), null, null), null);
            }
            return runBlocks(fwd, x, 0, batch, gridH, gridW, request);
        }
    }

    /** Whether plain forwards run the compiled blocks (loading them if not yet loaded): for reports. */
    public boolean usesCompiledBlocks() {
        return COMPILED_BLOCKS && compiledBlocks() != null;
    }

    /** Whether the compiled blocks are loaded (after a first plain forward, until {@link #close()}). */
    synchronized boolean compiledBlocksLoaded() {
        return compiled != null;
    }

    /** The compiled blocks, loaded once; null where libtorch refused them (said once in the log: then the Java blocks run). */
    private synchronized CompiledBlocks compiledBlocks() {
        if (compiled == null && !compiledRefused) {
            try {
                compiled = CompiledBlocks.load(manager, blocks.stream().flatMap(b -> b.arrays().stream()).toList(), config);
            } catch (IOException | RuntimeException e) {
                compiledRefused = true;
                LOG.warn("compiled blocks unavailable, using the Java blocks: {}", e.getMessage());
            }
        }
        return compiled;
    }

    private void checkPixels(float[] pixels, int batch, int height, int width) {
        int p = config.patchSize();
        if (height % p != 0 || width % p != 0) {
            throw new IllegalArgumentException("input " + width + "x" + height + " is not a multiple of the patch size " + p);
        }
        if (pixels.length != (long) batch * 3 * height * width) {
            throw new IllegalArgumentException("pixel buffer has " + pixels.length + " values, expected "
                    + batch + "x3x" + height + "x" + width);
        }
    }

    // ---- register-neuron calibration (plain model) -----------------------------------------------------------

    /** Fraction of tokens below {@link #SPARSE_ACTIVATION} for a unit to count as sparse (the official default). */
    public static final double SPARSE_FRACTION = 0.5;
    /** Activation below which a token counts as inactive for the sparsity filter (the official default). */
    public static final double SPARSE_ACTIVATION = 0.5;

    /**
     * L2 norms of every token at the output of block {@code layer} of the plain model (blocks after it do not run).
     *
     * @return [image][token], CLS first, then registers, then patches
     */
    public float[][] outputNorms(float[] pixels, int batch, int height, int width, int layer) {
        checkLayer(layer);
        checkPixels(pixels, batch, height, width);
        int p = config.patchSize();
        try (NDManager fwd = manager.newSubManager()) {
            NDArray x = embedTokens(fwd, pixels, batch, height, width, height / p, width / p);
            ForwardRequest request = ForwardRequest.plain().withBlockNorms(true);
            return runBlocks(fwd, x, 0, layer, batch, height / p, width / p, request, null, null).blockNorms()[layer];
        }
    }

    /**
     * What calibration scores register neurons by, for a batch of the plain model: for every MLP hidden unit of
     * blocks 0..lastBlock, the mean |activation| over the image's flagged tokens; with the sparsity filter, units
     * not sparse in that image (fewer than half of all its tokens below 0.5, as the official code counts) score 0.
     *
     * @param outliers [image][token] flags over the N tokens (CLS, registers, patches); an image may have none
     * @return [image][block][unit] (an image without flagged tokens gets zeros)
     */
    public float[][][] outlierActivations(float[] pixels, int batch, int height, int width, boolean[][] outliers,
                                          int lastBlock, boolean sparsityFilter) {
        checkLayer(lastBlock);
        checkPixels(pixels, batch, height, width);
        int p = config.patchSize();
        int n = config.prefixTokens() + (height / p) * (width / p);
        float[] mask = new float[batch * n];
        float[] counts = new float[batch];
        for (int i = 0; i < batch; i++) {
            if (outliers[i].length != n) {
                throw new IllegalArgumentException("outlier flags of image " + i + " cover " + outliers[i].length
                        + " tokens, expected " + n);
            }
            for (int t = 0; t < n; t++) {
                if (outliers[i][t]) {
                    mask[i * n + t] = 1f;
                    counts[i]++;
                }
            }
            counts[i] = Math.max(1f, counts[i]);
        }
        float[][][] out = new float[batch][lastBlock + 1][];
        try (NDManager fwd = manager.newSubManager()) {
            NDArray x = embedTokens(fwd, pixels, batch, height, width, height / p, width / p);
            NDArray m = fwd.create(mask, new Shape(batch, n, 1));
            NDArray c = fwd.create(counts, new Shape(batch, 1));
            HiddenHook hook = (layer, hidden) -> {
                NDArray score = hidden.abs().mul(m).sum(new int[] {1}).div(c);                 // [B, hidden]
                if (sparsityFilter) {
                    NDArray inactive = hidden.lt((float) SPARSE_ACTIVATION).toType(DataType.FLOAT32, false).sum(new int[] {1});
                    score = score.mul(inactive.gte((float) (SPARSE_FRACTION * n)).toType(DataType.FLOAT32, false));
                }
                float[][] r = rows(score.toFloatArray(), batch);
                for (int i = 0; i < batch; i++) {
                    out[i][layer] = r[i];
                }
            };
            runBlocks(fwd, x, 0, lastBlock, batch, height / p, width / p, ForwardRequest.plain(), hook, null);
        }
        return out;
    }

    /**
     * The attention weights softmax(A_l) of blocks {@code layers}, after ITAE where {@code itae} acts, as arrays of
     * {@code out} ([B, H, N, N] each, this model's device): they stay on the device for a caller that computes with
     * them (attention transfer's teacher). Blocks after the last of {@code layers} do not run. Call it with
     * autograd's grad mode off.
     *
     * @param itae ITAE on the attention, or null for the plain model
     */
    public Map<Integer, NDArray> attentionWeights(float[] pixels, int batch, int height, int width, ItaeConfig itae,
                                                  SortedSet<Integer> layers, NDManager out) {
        checkPixels(pixels, batch, height, width);
        if (layers.isEmpty()) {
            return Map.of();
        }
        checkLayer(layers.first());
        checkLayer(layers.last());
        int p = config.patchSize();
        Map<Integer, NDArray> weights = new HashMap<>();
        try (NDManager fwd = manager.newSubManager()) {
            NDArray x = embedTokens(fwd, pixels, batch, height, width, height / p, width / p);
            AttentionHook keep = (layer, attn) -> {
                if (layers.contains(layer)) {
                    attn.attach(out);
                    weights.put(layer, attn);
                }
            };
            runBlocks(fwd, x, 0, layers.last(), batch, height / p, width / p, ForwardRequest.plain().withItae(itae),
                    null, keep);
        }
        return weights;
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= config.depth()) {
            throw new IllegalArgumentException("layer " + layer + " does not exist: the model has " + config.depth() + " blocks");
        }
    }

    /**
     * Continues a forward pass from hidden states captured before block {@code startLayer}; with the same request
     * this equals {@link #forward} (blocks before startLayer must not be changed by the request's ITAE).
     *
     * @param hidden [image][tokens * dim] as returned in {@link ForwardResult#captured()}
     */
    public ForwardResult forwardFrom(int startLayer, float[][] hidden, int gridH, int gridW, ForwardRequest request) {
        int n = config.prefixTokens() + gridH * gridW + request.appendedTokens();
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

    /** Test-time registers: R zero tokens after all others, with no position embedding; [B, N + R, D]. */
    private NDArray appendRegisters(NDArray x, int count) {
        if (count == 0) {
            return x;
        }
        Shape s = x.getShape();
        return x.concat(x.getManager().zeros(new Shape(s.get(0), count, s.get(2))), 1);
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

    /**
     * Per-forward state shared by the blocks; {@code probes} and {@code clsStates} are filled by the blocks.
     *
     * @param itaeLayers blocks ITAE acts on (empty without ITAE)
     * @param clsStates  the last block's CLS state per image, when the request captures them
     * @param ttrUnits   test-time registers' chosen units per block (empty without them)
     * @param blockNorms per block, [image][token] output norms of the original tokens, when requested
     * @param appendedNorms per block, [image][r] output norms of the appended test-time registers, when requested
     * @param hook       sees every block's MLP hidden activation before any edit (calibration), or null
     * @param attention  sees every block's attention weights once the block has used them, or null
     */
    private record Context(ForwardRequest request, SortedSet<Integer> itaeLayers, int batch, int gridH, int gridW,
                           Map<Integer, LayerProbe> probes, List<ClsState> clsStates, SortedMap<Integer, long[]> ttrUnits,
                           Map<Integer, float[][]> blockNorms, Map<Integer, float[][]> appendedNorms, HiddenHook hook,
                           AttentionHook attention) {

        int patches() {
            return gridH * gridW;
        }

        int appended() {
            return request.appendedTokens();
        }

        boolean itaeAt(int layer) {
            return itaeLayers.contains(layer);
        }

        boolean probeAt(int layer) {
            return request.probeLayers().contains(layer);
        }
    }

    private static Context newContext(ForwardRequest request, SortedSet<Integer> itaeLayers, int batch, int gridH,
                                      int gridW, SortedMap<Integer, long[]> ttrUnits, HiddenHook hook,
                                      AttentionHook attention) {
        return new Context(request, itaeLayers, batch, gridH, gridW, new HashMap<>(), new ArrayList<>(), ttrUnits,
                new HashMap<>(), new HashMap<>(), hook, attention);
    }

    /** Sees one block's MLP hidden activation [B, N', hidden] (before test-time registers edit it). */
    private interface HiddenHook {
        void accept(int layer, NDArray hidden);
    }

    /** Sees one block's attention weights [B, H, N', N'] after the block has used them (it may keep them). */
    private interface AttentionHook {
        void accept(int layer, NDArray weights);
    }

    private ForwardResult runBlocks(NDManager fwd, NDArray x, int startLayer, int batch, int gridH, int gridW,
                                    ForwardRequest request) {
        return runBlocks(fwd, x, startLayer, config.depth() - 1, batch, gridH, gridW, request, null, null);
    }

    /** Runs blocks startLayer..lastLayer; the result is finished (final norm, pooling) only when lastLayer is the last. */
    private ForwardResult runBlocks(NDManager fwd, NDArray x, int startLayer, int lastLayer, int batch, int gridH,
                                    int gridW, ForwardRequest request, HiddenHook hook, AttentionHook attention) {
        SortedMap<Integer, long[]> ttrUnits = new TreeMap<>();
        if (request.ttr() != null) {
            request.ttr().checkModel(fingerprint());
            request.ttr().validate(config.depth(), config.ffnHidden());
            if (request.captureClsState()) {
                throw new IllegalArgumentException("CLS states are not captured with test-time registers");
            }
            request.ttr().unitsByBlock().forEach((b, u) -> ttrUnits.put(b, Arrays.stream(u).asLongStream().toArray()));
        }
        SortedSet<Integer> itaeLayers = request.itae() == null ? Collections.emptySortedSet()
                : request.itae().resolveLayers(config.depth());
        for (int l : request.probeLayers()) {
            if (l < 0 || l >= config.depth()) {
                throw new IllegalArgumentException("layer " + l + " does not exist: the model has " + config.depth() + " blocks");
            }
        }
        Context ctx = newContext(request, itaeLayers, batch, gridH, gridW, ttrUnits, hook, attention);
        float[][] captured = null;
        for (int i = startLayer; i <= lastLayer; i++) {
            if (i == request.captureLayer()) {
                captured = rows(x.toFloatArray(), batch);
            }
            try (NDManager blockManager = fwd.newSubManager()) {
                x.tempAttach(blockManager);
                NDArray out = block(blocks.get(i), x, i, ctx);
                if (request.blockNorms()) {
                    recordNorms(out, i, ctx);
                }
                out.attach(fwd);
                x = out;
            }
        }
        return lastLayer == config.depth() - 1 ? finish(x, ctx, captured)
                : new ForwardResult(gridH, gridW, null, null, Map.copyOf(ctx.probes()), captured, null, blockNorms(ctx),
                        byLayer(ctx.appendedNorms()));
    }

    /**
     * Keeps the L2 norm of every token of a block's output [B, N', D]: the original tokens' in {@code blockNorms},
     * the appended test-time registers' apart in {@code appendedNorms} (they are never mixed into the patch grid).
     */
    private void recordNorms(NDArray x, int layer, Context ctx) {
        float[][] all = rows(x.norm(new int[] {-1}).toFloatArray(), ctx.batch());     // [B][N + R]
        if (ctx.appended() == 0) {
            ctx.blockNorms().put(layer, all);
            return;
        }
        int n = config.prefixTokens() + ctx.patches();
        float[][] original = new float[all.length][];
        float[][] appended = new float[all.length][];
        for (int b = 0; b < all.length; b++) {
            original[b] = Arrays.copyOfRange(all[b], 0, n);
            appended[b] = Arrays.copyOfRange(all[b], n, all[b].length);
        }
        ctx.blockNorms().put(layer, original);
        ctx.appendedNorms().put(layer, appended);
    }

    /** [layer][image][token] block output norms, or null when not requested. */
    private static float[][][] blockNorms(Context ctx) {
        return byLayer(ctx.blockNorms());
    }

    private static float[][][] byLayer(Map<Integer, float[][]> norms) {
        if (norms.isEmpty()) {
            return null;
        }
        int max = norms.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
        float[][][] out = new float[max + 1][][];
        norms.forEach((l, v) -> out[l] = v);
        return out;
    }

    /** Final LayerNorm, pooling and the requested outputs. */
    private ForwardResult finish(NDArray x, Context ctx, float[][] captured) {
        int batch = ctx.batch();
        int patches = ctx.gridH() * ctx.gridW();
        NDArray normed = layerNorm(x, normWeight, normBias);                       // [B, N, D]
        int prefix = config.prefixTokens();
        NDArray patchTokens = ctx.appended() == 0 ? normed.get(":, " + prefix + ":, :")     // [B, Np, D]
                : normed.get(":, " + prefix + ":" + (prefix + patches) + ", :");
        NDArray pooled = ctx.request().pooling() == Pooling.MEAN ? patchTokens.mean(new int[] {1}) : normed.get(":, 0, :");
        float[][] embeddings = rows(pooled.toFloatArray(), batch);
        float[][][] tokens = null;
        if (ctx.request().patchTokens()) {
            float[][] flat = rows(patchTokens.toFloatArray(), batch);
            tokens = new float[batch][][];
            for (int b = 0; b < batch; b++) {
                tokens[b] = rows(flat[b], patches);
            }
        }
        float[][] clsStates = ctx.clsStates().isEmpty() ? null
                : ctx.clsStates().stream().map(ClsState::pack).toArray(float[][]::new);
        return new ForwardResult(ctx.gridH(), ctx.gridW(), embeddings, tokens, Map.copyOf(ctx.probes()), captured, clsStates,
                blockNorms(ctx), byLayer(ctx.appendedNorms()));
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
        boolean capture = ctx.request().captureClsState() && layer == config.depth() - 1;
        float[][] clsInput = capture ? rows(x.get(":, 0, :").toFloatArray(), ctx.batch()) : null; // [B][D]
        x.addi(attention(blk, layerNorm(x, blk.norm1W, blk.norm1B), layer, ctx, clsInput).muli(blk.ls1));
        return x.addi(ffn(blk, layerNorm(x, blk.norm2W, blk.norm2B), layer, ctx).muli(blk.ls2));
    }

    private NDArray ffn(Block blk, NDArray h) {
        return Linear.linear(mlpHidden(blk, h), blk.fc2W, blk.fc2B).singletonOrThrow();
    }

    /** The MLP of a block, with the calibration hook and test-time registers where the forward has them. */
    private NDArray ffn(Block blk, NDArray h, int layer, Context ctx) {
        NDArray hidden = mlpHidden(blk, h);                                         // [B, N', hidden]
        if (ctx.hook() != null) {
            ctx.hook().accept(layer, hidden);
        }
        long[] units = ctx.ttrUnits().get(layer);
        if (units != null) {
            hidden = moveToRegisters(hidden, units, ctx);
        }
        return Linear.linear(hidden, blk.fc2W, blk.fc2B).singletonOrThrow();
    }

    /** The MLP hidden activation: GELU(fc1 h), or silu(x1) * x2 for SwiGLU; [B, N, hidden]. */
    private NDArray mlpHidden(Block blk, NDArray h) {
        if (config.ffn() == DinoV2Config.FfnType.SWIGLU) {
            NDArray x12 = Linear.linear(h, blk.fc1W, blk.fc1B).singletonOrThrow(); // [B, N, 2 * hidden]
            int hid = config.ffnHidden();
            NDArray x1 = x12.get("..., 0:" + hid);
            NDArray x2 = x12.get("..., " + hid + ":");
            return x1.mul(Activation.sigmoid(x1)).mul(x2);                          // silu(x1) * x2
        }
        return Activation.gelu(Linear.linear(h, blk.fc1W, blk.fc1B).singletonOrThrow()); // exact erf GELU
    }

    /**
     * Test-time registers in one block, each image on its own: the appended tokens' chosen units take the value of
     * largest magnitude (sign kept; the negative one on a tie) among the block's chosen units over all N' tokens;
     * the patches' chosen units become 0, their mean, or lose their outliers. Only the U chosen columns are read, edited
     * and written back in place, so the cost is work on [B, N', U] (no copy of the whole hidden state).
     *
     * @param hidden [B, N', hidden] after the activation
     * @param units  the block's chosen units (ascending)
     */
    private NDArray moveToRegisters(NDArray hidden, long[] units, Context ctx) {
        NDManager m = hidden.getManager();
        long b = hidden.getShape().get(0);
        long n = hidden.getShape().get(1);
        int u = units.length;
        int prefix = config.prefixTokens();
        int np = ctx.patches();
        NDIndex columns = new NDIndex(":, :, {}", m.create(units));                 // the U chosen units
        NDArray chosen = hidden.get(columns);                                        // [B, N', U]
        NDArray flat = chosen.reshape(b, n * u);
        NDArray hi = flat.max(new int[] {1}, true);                                  // [B, 1]
        NDArray lo = flat.min(new int[] {1}, true);
        NDArray signMax = NDArrays.where(hi.abs().gt(lo.abs()), hi, lo).reshape(b, 1, 1); // [B, 1, 1]
        NDArray patches = chosen.get(":, " + prefix + ":" + (prefix + np) + ", :");  // [B, Np, U]
        NDArray newPatches = switch (ctx.request().ttr().patchValues()) {
            case ZERO -> patches.zerosLike();
            case MEAN -> patches.mean(new int[] {1}, true).broadcast(patches.getShape());
            case ONLY_OUTLIERS -> {
                NDArray mean = patches.mean(new int[] {1}, true);                    // [B, 1, U]
                NDArray std = patches.sub(mean).square().sum(new int[] {1}, true).div((float) (np - 1)).sqrt(); // unbiased
                yield NDArrays.where(patches.gt(mean.add(std)), mean.broadcast(patches.getShape()), patches);
            }
        };
        NDArray registers = signMax.broadcast(new Shape(b, ctx.appended(), u));
        NDArray edited = chosen.get(":, 0:" + prefix + ", :").concat(newPatches, 1).concat(registers, 1);
        // in place (index_put_): the activation is this forward's own temporary, and a scatter would copy all of it
        hidden.set(columns, edited);
        return hidden;
    }

    // ---- attention, in steps ---------------------------------------------------------------------------------

    /**
     * One block's attention inputs.
     *
     * @param qkv    raw projections [B, N, 3D] (q | k | v along the last axis)
     * @param v      values per head [B, H, N, hd]
     * @param logits pre-softmax, pre-ITAE scores [B, H, N, N], q scaled by hd^-0.5
     */
    private record Projections(NDArray qkv, NDArray v, NDArray logits) {
        long tokens() {
            return qkv.getShape().get(1);
        }
    }

    /**
     * Multi-head self-attention of one block, with ITAE, probes and CLS-state capture where the request asks.
     *
     * @param h        the normed hidden state [B, N, D]
     * @param clsInput the CLS tokens entering the block [B][D] when its CLS states are captured, else null
     */
    private NDArray attention(Block blk, NDArray h, int layer, Context ctx, float[][] clsInput) {
        Projections p = project(blk, h, ctx.batch());
        boolean itaeHere = ctx.itaeAt(layer);
        boolean probeHere = ctx.probeAt(layer);
        ItaeConfig itae = ctx.request().itae();
        NDArray originalQkv = ctx.appended() == 0 ? p.qkv()
                : p.qkv().get(":, 0:" + (config.prefixTokens() + ctx.patches()) + ", :");   // [B, N, 3D]
        QkvNorms norms = probeHere || itaeHere ? qkvNorms(originalQkv, probeHere ? null : itae.component(), ctx.batch()) : null;
        if (clsInput != null) {
            ctx.clsStates().addAll(clsStates(clsInput, p, ctx.batch()));
        }
        Artifacts artifacts = Artifacts.none(ctx.batch());
        NDArray logits = p.logits();
        if (itaeHere) {
            artifacts = detectArtifacts(itae, patchScores(norms.of(itae.component())));
            float[] mask = artifacts.columnMask((int) p.tokens(), config.prefixTokens());
            logits = attenuate(logits, mask, itae.rows() == ItaeConfig.Rows.CLS, itae.strength(), config.prefixTokens(),
                    ctx.patches());
        }
        NDArray attn = logits.softmax(-1);                                         // [B, H, N, N]
        if (probeHere) {
            ctx.probes().put(layer, probe(layer, norms, attn, artifacts, ctx));
        }
        long n = p.tokens();
        NDArray out = attn.matMul(p.v()).transpose(0, 2, 1, 3).reshape(ctx.batch(), n, config.embedDim()); // [B, N, D]
        NDArray projected = Linear.linear(out, blk.projW, blk.projB).singletonOrThrow();
        if (ctx.attention() != null) { // after its last use here: a hook that keeps it moves only this array
            ctx.attention().accept(layer, attn);
        }
        return projected;
    }

    /** The qkv projection, the values per head and the scaled dot-product logits. */
    private Projections project(Block blk, NDArray h, int b) {
        int heads = config.numHeads();
        int hd = config.headDim();
        long n = h.getShape().get(1);
        NDArray qkv = Linear.linear(h, blk.qkvW, blk.qkvB).singletonOrThrow();   // [B, N, 3D]
        NDArray split = qkv.reshape(b, n, 3, heads, hd).transpose(2, 0, 3, 1, 4); // [3, B, H, N, hd]
        NDArray q = split.get(0).mul((float) Math.pow(hd, -0.5));
        NDArray k = split.get(1);
        NDArray logits = q.matMul(k.transpose(0, 1, 3, 2));                      // [B, H, N, N]
        return new Projections(qkv, split.get(2), logits);
    }

    /**
     * L2 norms of the raw q, k and v projections per token, each [image][token]; a component not computed is null.
     */
    private record QkvNorms(float[][] q, float[][] k, float[][] v) {
        float[][] of(ItaeConfig.Component c) {
            return switch (c) {
                case Q -> q;
                case K -> k;
                case V -> v;
            };
        }
    }

    /** Norms of every component, or of {@code only} that one when it is not null. */
    private QkvNorms qkvNorms(NDArray qkv, ItaeConfig.Component only, int b) {
        int d = config.embedDim();
        float[][][] norms = new float[3][][];
        for (ItaeConfig.Component c : ItaeConfig.Component.values()) {
            if (only == null || only == c) {
                int at = c.ordinal() * d;
                norms[c.ordinal()] = rows(qkv.get(":, :, " + at + ":" + (at + d)).norm(new int[] {-1}).toFloatArray(), b);
            }
        }
        return new QkvNorms(norms[0], norms[1], norms[2]);
    }

    /** Each image's token scores without the prefix tokens (CLS and registers are never artifacts). */
    private float[][] patchScores(float[][] tokenScores) {
        int prefix = config.prefixTokens();
        float[][] out = new float[tokenScores.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(tokenScores[i], prefix, tokenScores[i].length);
        }
        return out;
    }

    /**
     * Artifact patches and the threshold used, per image.
     *
     * @param indices    [image] ascending patch indices
     * @param thresholds [image] resolved threshold (NaN where ITAE did not run)
     */
    private record Artifacts(int[][] indices, double[] thresholds) {
        static Artifacts none(int batch) {
            double[] t = new double[batch];
            Arrays.fill(t, Double.NaN);
            return new Artifacts(new int[batch][0], t);
        }

        /** 1 at the artifact columns of each image's N tokens [B * N]. */
        float[] columnMask(int tokens, int prefix) {
            float[] mask = new float[indices.length * tokens];
            for (int i = 0; i < indices.length; i++) {
                for (int j : indices[i]) {
                    mask[i * tokens + prefix + j] = 1f;
                }
            }
            return mask;
        }
    }

    /** The one artifact decision of the model, for full forwards and the CLS fast path alike. */
    private static Artifacts detectArtifacts(ItaeConfig itae, float[][] patchScores) {
        int b = patchScores.length;
        int[][] indices = new int[b][];
        double[] thresholds = new double[b];
        for (int i = 0; i < b; i++) {
            thresholds[i] = ArtifactDetector.resolveThreshold(itae, patchScores[i]);
            indices[i] = ArtifactDetector.indices(ArtifactDetector.detect(patchScores[i], thresholds[i], itae.direction()));
        }
        return new Artifacts(indices, thresholds);
    }

    /** What a probed block returns: norms, CLS attention over the patches (and the full attention on request). */
    private LayerProbe probe(int layer, QkvNorms norms, NDArray attn, Artifacts artifacts, Context ctx) {
        int b = ctx.batch();
        int heads = config.numHeads();
        int prefix = config.prefixTokens();
        int end = prefix + ctx.patches();
        String patchColumns = ctx.appended() == 0 ? prefix + ":" : prefix + ":" + end;
        float[][] cls = rows(attn.get(":, :, 0, " + patchColumns).toFloatArray(), b); // [B][H*Np]
        float[][][] clsAttention = new float[b][][];
        for (int i = 0; i < b; i++) {
            clsAttention[i] = rows(cls[i], heads);
        }
        float[][][] appended = null;
        NDArray original = attn;
        if (ctx.appended() > 0) {
            float[][] reg = rows(attn.get(":, :, 0, " + end + ":").toFloatArray(), b);      // [B][H*R]
            appended = new float[b][][];
            for (int i = 0; i < b; i++) {
                appended[i] = rows(reg[i], heads);
            }
            original = attn.get(":, :, 0:" + end + ", 0:" + end);
        }
        float[][][][] full = ctx.request().fullAttention() ? fullAttention(original, b) : null;
        return new LayerProbe(layer, norms.q(), norms.k(), norms.v(), clsAttention, full, artifacts.indices(),
                artifacts.thresholds(), appended);
    }

    /** [image][head][query][key] copy of the attention [B, H, N, N]. */
    private float[][][][] fullAttention(NDArray attn, int b) {
        int heads = config.numHeads();
        int n = (int) attn.getShape().get(2);
        float[][] flat = rows(attn.toFloatArray(), b);
        float[][][][] full = new float[b][heads][][];
        for (int i = 0; i < b; i++) {
            float[][] perHead = rows(flat[i], heads);
            for (int hh = 0; hh < heads; hh++) {
                full[i][hh] = rows(perHead[hh], n);
            }
        }
        return full;
    }

    /** The last block's {@link ClsState} of every image (logits taken before ITAE). */
    private List<ClsState> clsStates(float[][] clsInput, Projections p, int b) {
        int d = config.embedDim();
        int n = (int) p.tokens();
        NDArray qkv = p.qkv();
        float[][] clsLogits = rows(p.logits().get(":, :, 0, :").toFloatArray(), b);          // [B][H*N]
        float[][] v = rows(qkv.get(":, :, " + 2 * d + ":").toFloatArray(), b);               // [B][N*D]
        float[][] norms = rows(qkv.reshape(b, n, 3, d).norm(new int[] {-1}).transpose(0, 2, 1).toFloatArray(), b); // [B][3*N]
        List<ClsState> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            out.add(new ClsState(clsInput[i], clsLogits[i], v[i], norms[i]));
        }
        return out;
    }

    // ---- CLS fast path ---------------------------------------------------------------------------------------

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
        if (itae != null && (itae.rows() != ItaeConfig.Rows.CLS || !itae.resolveLayers(config.depth()).equals(Set.of(last)))) {
            throw new IllegalArgumentException("the CLS fast path needs ITAE on the last block's CLS row only: " + itae.key());
        }
        int b = packed.length;
        int d = config.embedDim();
        int heads = config.numHeads();
        // Copy straight out of the packed arrays (no per-image unpacking: this runs on thousands of states).
        int n = ClsState.tokens(packed[0].length, d, heads);
        int logitsAt = d;
        int vAt = logitsAt + heads * n;
        int normsAt = vAt + n * d;
        float[] x = new float[b * d];
        float[] logits = new float[b * heads * n];
        float[] v = new float[b * n * d];
        float[][] scores = new float[b][];
        for (int i = 0; i < b; i++) {
            float[] p = packed[i];
            if (p.length != packed[0].length) {
                throw new IllegalArgumentException("CLS states of different token counts in one batch");
            }
            System.arraycopy(p, 0, x, i * d, d);
            System.arraycopy(p, logitsAt, logits, i * heads * n, heads * n);
            System.arraycopy(p, vAt, v, i * n * d, n * d);
            if (itae != null) {
                int from = normsAt + itae.component().ordinal() * n;
                scores[i] = Arrays.copyOfRange(p, from, from + n);
            }
        }
        Artifacts artifacts = itae == null ? Artifacts.none(b) : detectArtifacts(itae, patchScores(scores));
        try (NDManager m = manager.newSubManager()) {
            NDArray l = m.create(logits, new Shape(b, heads, 1, n));                        // [B, H, 1, N]
            if (itae != null) { // the one query row is the CLS row
                l = attenuate(l, artifacts.columnMask(n, config.prefixTokens()), false, itae.strength(), config.prefixTokens(),
                        n - config.prefixTokens());
            }
            NDArray vh = m.create(v, new Shape(b, n, heads, config.headDim())).transpose(0, 2, 1, 3); // [B, H, N, hd]
            NDArray o = l.softmax(-1).matMul(vh).reshape(b, d);                              // [B, D]
            float[][] emb = rows(lastBlockClsTail(o, m.create(x, new Shape(b, d))).toFloatArray(), b);
            return new ClsReembedding(emb, artifacts.indices(), artifacts.thresholds());
        }
    }

    /** The rest of the last block for CLS rows: projection, LayerScale, MLP, then the final norm; [B, D]. */
    private NDArray lastBlockClsTail(NDArray attended, NDArray xCls) {
        Block blk = blocks.get(config.depth() - 1);
        NDArray y = xCls.add(Linear.linear(attended, blk.projW, blk.projB).singletonOrThrow().mul(blk.ls1));
        y = y.add(ffn(blk, layerNorm(y, blk.norm2W, blk.norm2B)).mul(blk.ls2));
        return layerNorm(y, normWeight, normBias);
    }

    /** Result of {@link #embedFromClsStates}: embeddings, and the artifacts and threshold used per image. */
    public record ClsReembedding(float[][] embeddings, int[][] artifacts, double[] thresholds) {
    }

    /**
     * ITAE on pre-softmax logits [B, H, rows, N]: for artifact columns j, l'_j = l_j - s (l_j - min over patch
     * columns), applied to the CLS query row or to every row. Multiplying by a 0/1 mask leaves every other logit
     * bit-identical.
     *
     * @param columnMask [B * N], 1 at artifact columns
     * @param patches    patch columns after the prefix (later columns are appended registers)
     */
    private static NDArray attenuate(NDArray logits, float[] columnMask, boolean clsRowOnly, double strength, int prefix,
                                     int patches) {
        NDManager m = logits.getManager();
        Shape s = logits.getShape();
        int b = (int) s.get(0);
        int n = (int) s.get(3);
        // the minimum is over patch columns only (appended test-time registers come after them)
        String patchColumns = prefix + patches == n ? prefix + ":" : prefix + ":" + (prefix + patches);
        NDArray minPatch = logits.get(":, :, :, " + patchColumns).min(new int[] {-1}, true); // [B, H, rows, 1]
        NDArray mask = m.create(columnMask, new Shape(b, 1, 1, n));
        if (clsRowOnly) {
            float[] rowMask = new float[n];
            rowMask[0] = 1f;
            mask = mask.mul(m.create(rowMask, new Shape(1, 1, n, 1)));               // [B, 1, N, N]
        }
        return logits.sub(logits.sub(minPatch).mul(mask).mul((float) strength));
    }

    /** Splits a flat array into {@code count} equal rows. */
    static float[][] rows(float[] flat, int count) {
        int len = flat.length / count;
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            out[i] = Arrays.copyOfRange(flat, i * len, (i + 1) * len);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (compiled != null) {
            compiled.close();
            compiled = null;
        }
        manager.close();
    }
}
