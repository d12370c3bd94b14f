package org.itaestudio.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.itaestudio.cluster.KMeansClusterer;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.image.FolderScanner.ImageFile;
import org.itaestudio.image.FolderScanner;
import org.itaestudio.image.ImageDecodeException;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.ModelInput;
import org.itaestudio.image.PreprocessConfig;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.image.RgbImage;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.ForwardResult;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.CacheBudget;
import org.itaestudio.store.CacheDirs;
import org.itaestudio.store.CacheGuard;
import org.itaestudio.store.CacheKind;
import org.itaestudio.store.CacheUsage;
import org.itaestudio.store.Caches;
import org.itaestudio.store.HiddenStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real {@link StudioEngine}: embeddings are cached in SQLite by content hash and settings; with ITAE on, the
 * hidden states entering the first engineered block are cached (fp16) so that changing ITAE re-runs only the
 * engineered blocks; a single-image inspection keeps its own hidden states so a slider move costs a few blocks.
 */
public final class DefaultStudioEngine implements StudioEngine {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultStudioEngine.class);

    /** Bump when numerics change, so stale cache rows are never reused. */
    static final String ENGINE_VERSION = "engine1";

    /** k-means restarts of a live preview (an analysis uses the clusterer's default, 10). */
    static final int PREVIEW_RESTARTS = 3;

    private final ModelProvider models;
    private final Caches caches;                 // null: no caches at all (--no-cache)
    private final ImageDecoder decoder = new ImageDecoder();
    private final Map<String, InspectState> inspections = new ConcurrentHashMap<>();

    /** Engine with the user's cache directory and the standard model resolver; cache warnings only go to the log. */
    public DefaultStudioEngine() {
        this(CacheDirs.resolve().cache(), new ModelResolver());
    }

    /**
     * @param cacheDir where the caches live, or null for none (every run embeds everything)
     * @param resolver how model specs become local files
     */
    public DefaultStudioEngine(Path cacheDir, ModelResolver resolver) {
        this(cacheDir, resolver, HiddenStateStore.Precision.FP16);
    }

    /** @param statePrecision how hidden states are kept for incremental ITAE (FP16 halves the disk use) */
    public DefaultStudioEngine(Path cacheDir, ModelResolver resolver, HiddenStateStore.Precision statePrecision) {
        this(cacheDir, resolver, statePrecision, CacheGuard.logOnly(), null);
    }

    /**
     * @param guard            reports cache faults (once each) and lets the run go on without the failed cache
     * @param budgetPreference the app's cache size preference, or null (see {@link CacheBudget})
     */
    public DefaultStudioEngine(Path cacheDir, ModelResolver resolver, HiddenStateStore.Precision statePrecision,
                               CacheGuard guard, String budgetPreference) {
        this.caches = cacheDir == null ? null : Caches.open(cacheDir, statePrecision, guard, budgetPreference);
        this.models = new ModelProvider(resolver, caches == null ? null : caches.hasher());
    }

    // ---- folders -------------------------------------------------------------------------------------------

    @Override
    public FolderEmbeddings embed(Path folder, AnalysisSettings settings, ProgressListener progress, Cancellation cancel)
            throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("not a folder: " + folder);
        }
        long start = System.nanoTime();
        progress.onProgress(new Progress("Scanning", 0, 0, 0, null, 0));
        FolderScanner.ScanResult scan = new FolderScanner().scan(folder);
        List<SkippedFile> skipped = new ArrayList<>();
        scan.problems().forEach(p -> skipped.add(new SkippedFile(p.relativePath(), p.reason())));
        List<ImageFile> files = scan.images();
        try (ModelProvider.Lease lease = models.acquire(settings.model(), settings.device())) {
            DinoV2 model = lease.model();
            Preprocessor pre = new Preprocessor(preprocessConfig(settings));
            ForwardRequest request = ForwardRequest.embedding(settings.itae(), settings.pooling()).withTtr(settings.ttr());
            String configKey = configKey(lease.loaded, settings);

            // Keep what makes the next ITAE change cheap: for the paper's setting (last block, CLS row, CLS pooling)
            // the last block's CLS state; otherwise the hidden states entering the first engineered block.
            int depth = model.config().depth();
            boolean fastPath = settings.pooling() == org.itaestudio.model.Pooling.CLS
                    && (settings.itae() == null || clsFastPathApplies(settings.itae(), depth));
            // states are kept within the disk budget (the store refuses what does not fit), read while readable;
            // test-time registers change every block (the appended tokens take part in attention from block 0): no
            // kept states for them
            boolean keepStates = caches != null && caches.statesReadable() && settings.crop() != null
                    && settings.ttr() == null;
            boolean captureStates = keepStates && caches.statesWritable();
            String stateKey = null;
            int stateLayer = -1;
            if (keepStates && fastPath) {
                stateKey = stateKey(lease.loaded, settings, "cls@" + (depth - 1));
                request = request.withClsStateCapture(captureStates);
            } else if (keepStates && settings.itae() != null) {
                stateLayer = settings.itae().resolveLayers(depth).first();
                stateKey = stateKey(lease.loaded, settings, "states@" + stateLayer);
                if (captureStates) {
                    request = request.withCapture(stateLayer);
                }
            }
            CachedStore store = new CachedStore(configKey, stateKey, model.config().embedDim());
            hashWithProgress(files, store, progress, cancel);
            Map<String, float[]> incremental = Map.of();
            if (stateKey != null && settings.itae() != null) {
                ItaeConfig itae = settings.itae();
                if (fastPath) {
                    incremental = runFromStates(files, store, 64, "Re-embedding (last block, CLS row)",
                            packed -> model.embedFromClsStates(packed, itae).embeddings(), progress, cancel);
                } else {
                    int grid = settings.crop() / model.config().patchSize();
                    int from = stateLayer;
                    ForwardRequest resume = ForwardRequest.embedding(itae, settings.pooling());
                    incremental = runFromStates(files, store, Math.max(1, settings.batchSize()),
                            "Re-embedding (ITAE blocks only)",
                            hidden -> model.forwardFrom(from, hidden, grid, grid, resume).embeddings(), progress, cancel);
                }
            }
            Map<String, float[]> known = incremental;
            EmbeddingPipeline.Store withIncremental = new EmbeddingPipeline.Store() {
                @Override
                public Map<String, float[]> lookup(List<ImageFile> fs) {
                    Map<String, float[]> m = new HashMap<>(store.lookup(fs));
                    m.putAll(known);
                    return m;
                }

                @Override
                public void save(Map<ImageFile, float[]> batch, Map<ImageFile, float[]> captured) {
                    store.save(batch, captured);
                }
            };
            EmbeddingPipeline pipeline = new EmbeddingPipeline(model, pre, decoder, request, settings.batchSize(),
                    EmbeddingPipeline.defaultDecodeThreads());
            EmbeddingPipeline.Result r = pipeline.run(files, withIncremental, progress, cancel);
            skipped.addAll(r.skipped());
            if (caches != null) {
                caches.enforceBudget(configKey);
            }
            return new FolderEmbeddings(folder, r.paths(), r.embeddings(), List.copyOf(skipped), r.fromCache(),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** Files hashed per progress report while opening a folder. */
    static final int HASH_CHUNK = 1_000;

    /**
     * Hashes every file (from the memo when unchanged) in chunks with progress, before the cache look-ups that need
     * the hashes: a first open of 100,000 files reads them all, which takes minutes, and must not look stuck.
     */
    private void hashWithProgress(List<ImageFile> files, CachedStore store, ProgressListener progress,
                                  Cancellation cancel) {
        if (caches == null) {
            return;
        }
        EmbeddingPipeline.ProgressMeter meter = new EmbeddingPipeline.ProgressMeter(files.size(), 0);
        for (int from = 0; from < files.size(); from += HASH_CHUNK) {
            cancel.throwIfCancelled();
            List<ImageFile> part = files.subList(from, Math.min(files.size(), from + HASH_CHUNK));
            store.hashAll(part);
            meter.add(part.size());
            progress.onProgress(meter.progress("Hashing", 0));
        }
    }

    /**
     * Embeds from cached states every file whose embedding is not cached but whose state is; files without a state
     * are left to the full pipeline. States are read batch by batch (a ViT-S state is ~0.4 MB as floats).
     *
     * @param embedBatch states of a batch -> their embeddings
     */
    private Map<String, float[]> runFromStates(List<ImageFile> files, CachedStore store, int batch, String stage,
                                               java.util.function.UnaryOperator<float[][]> embedBatch,
                                               ProgressListener progress, Cancellation cancel) {
        Map<String, float[]> cached = store.lookup(files);
        List<ImageFile> missing = files.stream().filter(f -> !cached.containsKey(f.relativePath())).toList();
        Map<String, float[]> out = new LinkedHashMap<>();
        EmbeddingPipeline.ProgressMeter meter = new EmbeddingPipeline.ProgressMeter(missing.size(), 0);
        for (int from = 0; from < missing.size(); from += batch) {
            cancel.throwIfCancelled();
            List<ImageFile> part = missing.subList(from, Math.min(missing.size(), from + batch));
            Map<String, float[]> found = store.lookupStates(part);
            List<ImageFile> hits = part.stream().filter(f -> found.containsKey(f.relativePath())).toList();
            if (!hits.isEmpty()) {
                float[][] emb = embedBatch.apply(hits.stream().map(f -> found.get(f.relativePath())).toArray(float[][]::new));
                Map<ImageFile, float[]> saved = new LinkedHashMap<>();
                for (int i = 0; i < emb.length; i++) {
                    out.put(hits.get(i).relativePath(), emb[i]);
                    saved.put(hits.get(i), emb[i]);
                }
                store.save(saved, null);
            }
            meter.add(part.size());
            progress.onProgress(meter.progress(stage, 0));
        }
        LOG.info("{}: {} of {} images from cached states", stage, out.size(), missing.size());
        return out;
    }

    @Override
    public FolderAnalysis analyze(Path folder, AnalysisSettings settings, ProgressListener progress, Cancellation cancel)
            throws IOException {
        FolderEmbeddings e = embed(folder, settings, progress, cancel);
        return Analysis.of(e, settings, progress, cancel);
    }

    @Override
    public FolderAnalysis recluster(FolderAnalysis analysis, AnalysisSettings settings, ProgressListener progress,
                                    Cancellation cancel) {
        FolderEmbeddings e = new FolderEmbeddings(analysis.folder(), analysis.paths(), analysis.embeddings(),
                analysis.skipped(), analysis.size(), 0);
        // the map depends on the embeddings, the method and the seed only: a new k or clustering method keeps it
        // (a 10,000-image t-SNE is ~20 s)
        boolean sameMap = analysis.map() != null && analysis.map().length == analysis.size() && analysis.size() > 0
                && analysis.settings().mapMethod() == settings.mapMethod()
                && analysis.settings().seed() == settings.seed();
        return Analysis.of(e, settings, progress, cancel, KMeansClusterer.DEFAULT_RESTARTS,
                sameMap ? analysis.map() : null);
    }

    @Override
    public FolderAnalysis previewItae(FolderAnalysis base, ItaeConfig itae, ProgressListener progress,
                                      Cancellation cancel) throws IOException {
        AnalysisSettings settings = base.settings().withItae(itae);
        if (caches == null || !caches.statesReadable() || settings.crop() == null || base.size() == 0
                || settings.ttr() != null) {
            return null;
        }
        List<ImageFile> files = new ArrayList<>();
        for (String p : base.paths()) {
            files.add(new ImageFile(p, base.folder().resolve(p)));
        }
        try (ModelProvider.Lease lease = models.acquire(settings.model(), settings.device())) {
            DinoV2 model = lease.model();
            int depth = model.config().depth();
            boolean fastPath = settings.pooling() == org.itaestudio.model.Pooling.CLS
                    && (itae == null || clsFastPathApplies(itae, depth));
            if (!fastPath) {
                return null;
            }
            CachedStore store = new CachedStore(configKey(lease.loaded, settings),
                    stateKey(lease.loaded, settings, "cls@" + (depth - 1)), model.config().embedDim());
            float[][] emb = new float[files.size()][];
            int batch = 64;
            EmbeddingPipeline.ProgressMeter meter = new EmbeddingPipeline.ProgressMeter(files.size(), 0);
            for (int from = 0; from < files.size(); from += batch) {
                cancel.throwIfCancelled();
                List<ImageFile> part = files.subList(from, Math.min(files.size(), from + batch));
                Map<String, float[]> found = store.lookupStates(part);
                if (found.size() < part.size()) {
                    return null;
                }
                float[][] packed = part.stream().map(f -> found.get(f.relativePath())).toArray(float[][]::new);
                float[][] e = model.embedFromClsStates(packed, itae).embeddings();
                System.arraycopy(e, 0, emb, from, e.length);
                meter.add(part.size());
                progress.onProgress(meter.progress("Preview", 0));
            }
            FolderEmbeddings fe = new FolderEmbeddings(base.folder(), base.paths(), emb, base.skipped(), files.size(), 0);
            AnalysisSettings keepMap = settings.withK(base.k()).withMapMethod(MapMethod.NONE);
            FolderAnalysis a = Analysis.of(fe, keepMap, progress, cancel, PREVIEW_RESTARTS);
            return new FolderAnalysis(a.folder(), a.paths(), a.embeddings(), a.labels(), a.k(), a.distances(),
                    base.map(), a.skipped(), settings);
        }
    }

    // ---- single image ----------------------------------------------------------------------------------------

    /**
     * The last inspected image's model input, the hidden states entering block {@code layer}, and the output norms
     * of the blocks before it ([layer][token], or null): those blocks run before any edit a resumed pass makes, so a
     * resumed inspection reports them from here.
     */
    private record InspectState(String key, RgbImage shown, ModelInput input, int layer, float[] hidden,
                                float[][] normsBefore) {
    }

    @Override
    public Inspection inspect(Path image, AnalysisSettings settings, int layer, ItaeConfig itae) throws IOException {
        try (ModelProvider.Lease lease = models.acquire(settings.model(), settings.device())) {
            DinoV2 model = lease.model();
            int depth = model.config().depth();
            if (layer < 0 || layer >= depth) {
                throw new IllegalArgumentException("layer " + layer + " does not exist: the model has " + depth + " blocks (0.." + (depth - 1) + ")");
            }
            int start = layer;
            if (itae != null) {
                start = Math.min(start, itae.resolveLayers(depth).first());
            }
            if (settings.ttr() != null) {
                start = 0; // the appended registers take part in attention from the first block
            }
            String imageKey = lease.loaded.identity + "|" + image.toAbsolutePath() + "|" + Files.getLastModifiedTime(image)
                    + "|" + preKey(settings);
            String key = imageKey + (settings.ttr() == null ? "" : "|" + settings.ttr().key());
            InspectState st = inspections.get(key);
            ForwardRequest request = ForwardRequest.embedding(itae, settings.pooling()).withProbes(Set.of(layer), false)
                    .withTtr(settings.ttr()).withBlockNorms(true);
            ForwardResult r;
            int from = 0;
            if (st != null && st.layer() <= start) {
                from = st.layer();
                int patch = model.config().patchSize();
                r = model.forwardFrom(st.layer(), new float[][] {st.hidden()}, st.input().height() / patch,
                        st.input().width() / patch, request);
            } else {
                RgbImage shown;
                ModelInput input;
                Preprocessor pre = new Preprocessor(preprocessConfig(settings));
                try {
                    shown = pre.resizeAndCrop(pre.decode(decoder, image));
                    input = Preprocessor.toModelInput(shown);
                } catch (ImageDecodeException e) {
                    throw new IOException(image.getFileName() + ": " + e.reason(), e);
                }
                r = model.forward(input.chw(), 1, input.height(), input.width(), request.withCapture(start));
                // keep one image (states are ~1 MB for ViT-S, much more for ViT-g), but its states with and without
                // test-time registers side by side: the inspector's fix comparison alternates between them
                inspections.keySet().removeIf(k -> !k.startsWith(imageKey + "|") && !k.equals(imageKey));
                float[][] before = null;
                if (r.blockNorms() != null) {
                    before = new float[start][];
                    for (int l = 0; l < start; l++) {
                        before[l] = r.blockNorms()[l][0];
                    }
                }
                st = new InspectState(key, shown, input, start, r.captured()[0], before);
                inspections.put(key, st); // not read back: another thread's inspection may clear the map meanwhile
            }
            int[] rgb = new int[st.shown().width() * st.shown().height()];
            for (int y = 0, i = 0; y < st.shown().height(); y++) {
                for (int x = 0; x < st.shown().width(); x++, i++) {
                    rgb[i] = st.shown().rgbAt(x, y);
                }
            }
            float[][] blockNorms = null;
            // a resumed forward has no norms for the blocks it skipped: those come from the state it resumed from
            if (r.blockNorms() != null && (from == 0 || st.normsBefore() != null)) {
                blockNorms = new float[depth][];
                for (int l = 0; l < depth; l++) {
                    blockNorms[l] = l < from ? st.normsBefore()[l] : r.blockNorms()[l][0];
                }
            }
            float[][] appendedNorms = null;
            if (r.appendedNorms() != null) {
                appendedNorms = new float[depth][];
                for (int l = from; l < depth; l++) {
                    appendedNorms[l] = r.appendedNorms()[l][0];
                }
            }
            return new Inspection(image, st.shown().width(), st.shown().height(), rgb, r.gridH(), r.gridW(),
                    model.config().numRegisters(), layer, r.probes().get(layer).image(0), r.embeddings()[0], blockNorms,
                    appendedNorms);
        }
    }

    // ---- register-neuron calibration ---------------------------------------------------------------------------

    /**
     * Calibrates register neurons on a seeded sample of the folder's images (all of them when it has fewer), with the
     * plain model and the settings' preprocessing. Unreadable images are skipped.
     *
     * @throws RegisterCalibration.NoOutliersException when no sampled image has an outlier token
     */
    @Override
    public RegisterNeurons calibrateRegisters(Path folder, AnalysisSettings settings, CalibrationSettings calibration,
                                              ProgressListener progress, Cancellation cancel) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("not a folder: " + folder);
        }
        progress.onProgress(new Progress("Scanning", 0, 0, 0, null, 0));
        List<ImageFile> sample = sample(new FolderScanner().scan(folder).images(), calibration.images(), calibration.seed());
        if (sample.isEmpty()) {
            throw new IOException("no images in " + folder);
        }
        Preprocessor pre = new Preprocessor(preprocessConfig(settings));
        try (ModelProvider.Lease lease = models.acquire(settings.model(), settings.device())) {
            RegisterNeurons result = RegisterCalibration.run(lease.model(), settings.model(), sample.size(), i -> {
                try {
                    return pre.load(decoder, sample.get(i).path());
                } catch (ImageDecodeException e) {
                    LOG.info("calibration skips {}: {}", sample.get(i).relativePath(), e.reason());
                    return null;
                }
            }, calibration, progress, cancel);
            if (caches != null) {
                caches.putRegisterNeurons(neuronKey(lease.model(), folder), result.toJson());
            }
            return result;
        }
    }

    @Override
    public boolean hasCaches() {
        return caches != null;
    }

    @Override
    public Optional<RegisterNeurons> cachedRegisters(Path folder, AnalysisSettings settings) throws IOException {
        if (caches == null) {
            return Optional.empty();
        }
        try (ModelProvider.Lease lease = models.acquire(settings.model(), settings.device())) {
            DinoV2 model = lease.model();
            Optional<String> text = caches.registerNeurons(neuronKey(model, folder));
            if (text.isEmpty()) {
                return Optional.empty();
            }
            try {
                RegisterNeurons n = RegisterNeurons.parse(text.get(), "the cached register-neuron file");
                checkRegisters(model, n);
                return Optional.of(n);
            } catch (IllegalArgumentException e) {
                LOG.info("cached register neurons for {} not used: {}", folder, e.getMessage());
                return Optional.empty();
            }
        }
    }

    @Override
    public void checkRegisters(RegisterNeurons neurons, AnalysisSettings settings) throws IOException {
        try (ModelProvider.Lease lease = models.acquire(settings.model(), settings.device())) {
            checkRegisters(lease.model(), neurons);
        }
    }

    private static void checkRegisters(DinoV2 model, RegisterNeurons neurons) {
        neurons.checkModel(model.fingerprint(), model.describeArchitecture());
        neurons.registers(1, org.itaestudio.itae.TestTimeRegisters.PatchValues.ZERO)
                .validate(model.config().depth(), model.config().ffnHidden());
    }

    /** Register neurons are kept per model (weights fingerprint) and folder. */
    static String neuronKey(DinoV2 model, Path folder) {
        return "neurons|" + model.fingerprint() + "|" + folder.toAbsolutePath().normalize();
    }

    /** A seeded sample of {@code count} files (all when there are fewer), in path order. */
    static List<ImageFile> sample(List<ImageFile> files, int count, long seed) {
        List<ImageFile> shuffled = new ArrayList<>(files);
        java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
        List<ImageFile> out = new ArrayList<>(shuffled.subList(0, Math.min(count, shuffled.size())));
        out.sort(java.util.Comparator.comparing(ImageFile::relativePath));
        return out;
    }

    @Override
    public int depth(AnalysisSettings settings) throws IOException {
        try (ModelProvider.Lease lease = models.acquire(settings.model(), settings.device())) {
            return lease.model().config().depth();
        }
    }

    /** Description of the loaded model and the device it runs on (for status bars and logs). */
    @Override
    public Optional<String> describe(AnalysisSettings settings) throws IOException {
        try (ModelProvider.Lease lease = models.acquire(settings.model(), settings.device())) {
            String note = lease.loaded.device.note();
            return Optional.of(lease.loaded.description + " on " + lease.loaded.device.label()
                    + (note == null ? "" : " (" + note + ")"));
        }
    }

    // ---- keys and stores ---------------------------------------------------------------------------------------

    static PreprocessConfig preprocessConfig(AnalysisSettings s) {
        return new PreprocessConfig(s.resize(), s.crop(), s.jpegDraft());
    }

    /** Preprocessing in cache keys: "256/224", plus "/draft" with JPEG draft decoding (older keys stay valid). */
    static String preKey(AnalysisSettings s) {
        return s.resize() + "/" + s.crop() + (s.jpegDraft() ? "/draft" : "");
    }

    static String configKey(ModelProvider.Loaded m, AnalysisSettings s) {
        return configKey(m.identity, s);
    }

    /** What an embedding depends on besides the image: engine, model content, preprocessing, pooling, ITAE, TTR. */
    static String configKey(String modelIdentity, AnalysisSettings s) {
        return ENGINE_VERSION + "|m=" + modelIdentity + "|pre=" + preKey(s) + "|pool=" + s.pooling()
                + "|" + (s.itae() == null ? "plain" : s.itae().key()) + (s.ttr() == null ? "" : "|" + s.ttr().key());
    }

    static String stateKey(ModelProvider.Loaded m, AnalysisSettings s, String what) {
        return ENGINE_VERSION + "|m=" + m.identity + "|pre=" + preKey(s) + "|" + what;
    }

    /** The paper's setting: ITAE on the last block's CLS row only (then {@link DinoV2#embedFromClsStates} applies). */
    static boolean clsFastPathApplies(ItaeConfig itae, int depth) {
        return itae.rows() == ItaeConfig.Rows.CLS && itae.resolveLayers(depth).equals(Set.of(depth - 1));
    }

    /** Embedding cache (and optional hidden-state store) seen through file paths. */
    private final class CachedStore implements EmbeddingPipeline.Store {
        private final String configKey;
        private final String stateKey;
        private final int dim;
        private final Map<String, String> hashes = new ConcurrentHashMap<>();

        CachedStore(String configKey, String stateKey, int dim) {
            this.configKey = configKey;
            this.stateKey = stateKey;
            this.dim = dim;
        }

        /** Content hash -> relative path for the given files; unreadable files are left out (the decoder says why). */
        private Map<String, String> hashAll(List<ImageFile> files) {
            List<Path> unknown = new ArrayList<>();
            Map<Path, ImageFile> byPath = new HashMap<>();
            for (ImageFile f : files) {
                if (!hashes.containsKey(f.relativePath())) {
                    unknown.add(f.path());
                    byPath.put(f.path(), f);
                }
            }
            if (!unknown.isEmpty()) {
                caches.hasher().hashAll(unknown, (p, e) -> { }).forEach((p, h) -> hashes.put(byPath.get(p).relativePath(), h));
            }
            Map<String, String> byHash = new LinkedHashMap<>();
            for (ImageFile f : files) {
                String h = hashes.get(f.relativePath());
                if (h != null) {
                    byHash.putIfAbsent(h, f.relativePath());
                }
            }
            return byHash;
        }

        @Override
        public Map<String, float[]> lookup(List<ImageFile> files) {
            if (caches == null) {
                return Map.of();
            }
            Map<String, String> byHash = hashAll(files);
            Map<String, float[]> out = new HashMap<>();
            caches.embeddings(configKey, byHash.keySet()).forEach((h, v) -> out.put(byHash.get(h), v));
            // the same content under two names: both get the vector
            for (ImageFile f : files) {
                String h = hashes.get(f.relativePath());
                if (h != null && !out.containsKey(f.relativePath())) {
                    float[] v = out.get(byHash.get(h));
                    if (v != null) {
                        out.put(f.relativePath(), v);
                    }
                }
            }
            return out;
        }

        Map<String, float[]> lookupStates(List<ImageFile> files) {
            if (caches == null || stateKey == null) {
                return Map.of();
            }
            Map<String, String> byHash = hashAll(files);
            Map<String, float[]> out = new HashMap<>();
            caches.states(stateKey, byHash.keySet()).forEach((h, v) -> out.put(byHash.get(h), v));
            return out;
        }

        @Override
        public void save(Map<ImageFile, float[]> batch, Map<ImageFile, float[]> captured) {
            if (caches == null) {
                return;
            }
            Map<String, float[]> rows = new LinkedHashMap<>();
            batch.forEach((f, v) -> {
                String h = hashes.get(f.relativePath());
                if (h == null) {
                    hashAll(List.of(f));
                    h = hashes.get(f.relativePath());
                }
                if (h != null) {
                    rows.put(h, v);
                }
            });
            caches.putEmbeddings(configKey, rows);
            if (captured != null && stateKey != null && !captured.isEmpty() && caches.statesWritable()) {
                Map<String, float[]> byHash = new LinkedHashMap<>();
                captured.forEach((f, v) -> {
                    String h = hashes.get(f.relativePath());
                    if (h != null) {
                        byHash.put(h, v);
                    }
                });
                int length = captured.values().iterator().next().length;
                // hidden states are tokens x dim; packed CLS states are stored as one row of their own length
                boolean hidden = length % dim == 0 && !stateKey.contains("|cls@");
                caches.putStates(stateKey, hidden ? length / dim : 1, hidden ? dim : length, byHash);
            }
        }
    }

    @Override
    public void close() {
        models.close();
        inspections.clear();
        if (caches != null) {
            caches.close();
        }
    }

    // ---- cache management ------------------------------------------------------------------------------------

    @Override
    public Optional<CacheUsage> cacheUsage() {
        return caches == null ? Optional.empty() : Optional.of(caches.usage());
    }

    @Override
    public Optional<CacheBudget> cacheBudget() {
        return caches == null ? Optional.empty() : Optional.of(caches.budget());
    }

    @Override
    public CacheUsage clearCache(Set<CacheKind> kinds) {
        if (caches == null) {
            throw new IllegalStateException("this engine runs without caches");
        }
        return caches.clear(kinds);
    }

    /** The cache warnings given so far (each also went to the guard's sink and the log). */
    public List<String> cacheWarnings() {
        return caches == null ? List.of() : caches.guard().warnings();
    }
}
