package org.itaestudio.model.hub;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.itaestudio.cli.ConsoleProgress;

/**
 * Turns a model spec (the CLI's {@code --model M}) into local files:
 * <ul>
 *   <li>a name ({@code dinov2-small|base|large|giant}, optionally {@code -reg}; case-insensitive) resolves
 *       through the Hugging Face cache: a complete cached snapshot is used with no network access at all;
 *       otherwise config.json and model.safetensors are downloaded once ({@link HubDownloader}), unless
 *       HF_HUB_OFFLINE is set, which gives one line saying which files to place where. A name always means the
 *       hub, even if a folder of that name exists (write {@code ./dinov2-small} for the folder);</li>
 *   <li>a path: a Hugging Face model directory (config.json + model.safetensors), a cache repo folder
 *       ({@code models--facebook--dinov2-small}, its snapshot for main), a {@code .safetensors} or a
 *       {@code .pth}/{@code .pt} file. The repo ids themselves ({@code facebook/dinov2-small}) are accepted as
 *       names when no such path exists.</li>
 * </ul>
 * Every failure is a {@link ModelResolveException} with a one-line message.
 */
public final class ModelResolver {

    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    /** The files a Hugging Face DINOv2 model directory must hold. */
    public static final List<String> REQUIRED_FILES = List.of(CONFIG_FILE, WEIGHTS_FILE);

    /** Creates the progress display of one file transfer; {@code ConsoleProgress::new} fits. */
    @FunctionalInterface
    public interface ProgressFactory {
        ProgressFactory NONE = (label, bytesTotal) -> DownloadListener.NONE;

        /**
         * @param label      e.g. {@code dinov2-small/model.safetensors}
         * @param bytesTotal the file's size, -1 if unknown
         */
        DownloadListener start(String label, long bytesTotal);
    }

    private final HubDownloader downloader;
    private final HubEnvironment env;
    private final HubCache cache;

    /** Reads the process environment (HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE, HF_ENDPOINT, HF_TOKEN...). */
    public ModelResolver() {
        this(HubEnvironment.system());
    }

    /** Reads the given environment instead of the process's (tests). */
    public ModelResolver(Map<String, String> environment) {
        this(HubEnvironment.of(environment));
    }

    public ModelResolver(HubEnvironment env) {
        this(new HubDownloader(env));
    }

    /** Uses this downloader (its environment and timeouts). */
    public ModelResolver(HubDownloader downloader) {
        this.downloader = Objects.requireNonNull(downloader);
        this.env = downloader.environment();
        this.cache = downloader.cache();
    }

    public HubEnvironment environment() {
        return env;
    }

    /** The Hugging Face repo of a model name ({@code dinov2-small-reg -> facebook/dinov2-with-registers-small}). */
    public static Optional<String> repoIdFor(String name) {
        return ModelCatalog.byName(name).map(ModelCatalog.Model::repo);
    }

    /** Resolves without progress display or cancellation. */
    public ResolvedModel resolve(String spec) throws ModelResolveException {
        return resolve(spec, ProgressFactory.NONE, () -> false);
    }

    /**
     * @param progress  called when a file transfer starts (never for cached models or paths)
     * @param cancelled polled during downloads; true stops them (partial files kept for resume)
     */
    public ResolvedModel resolve(String spec, ProgressFactory progress, BooleanSupplier cancelled)
            throws ModelResolveException {
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(cancelled, "cancelled");
        if (spec == null || spec.isBlank()) {
            throw new ModelResolveException(ModelResolveException.Reason.UNKNOWN_MODEL,
                    "no model given (expected " + expectedSpecs() + ")");
        }
        String trimmed = spec.trim();
        Optional<String> repo = repoIdFor(trimmed);
        if (repo.isPresent()) {
            return resolveHub(trimmed.toLowerCase(Locale.ROOT), spec, repo.get(), progress, cancelled);
        }
        Path path = toPath(trimmed);
        if (path != null && Files.exists(path)) {
            return resolvePath(spec, path);
        }
        Optional<ModelCatalog.Model> byRepo = ModelCatalog.byRepo(trimmed);
        if (byRepo.isPresent()) {
            return resolveHub(byRepo.get().name(), spec, byRepo.get().repo(), progress, cancelled);
        }
        if (path != null && looksLikePath(trimmed)) {
            throw new ModelResolveException(ModelResolveException.Reason.PATH_NOT_FOUND,
                    "model path not found: " + path);
        }
        throw new ModelResolveException(ModelResolveException.Reason.UNKNOWN_MODEL,
                "unknown model name: " + trimmed + " (expected " + expectedSpecs() + ")");
    }

    // ---------------------------------------------------------------------------------------------- hub names

    private ResolvedModel resolveHub(String name, String spec, String repoId, ProgressFactory progress,
            BooleanSupplier cancelled) throws ModelResolveException {
        Optional<Path> cached = cache.cachedSnapshot(repoId, "main", REQUIRED_FILES);
        if (cached.isPresent()) {
            return new ResolvedModel(spec, cached.get().toAbsolutePath(), repoId, false);
        }
        if (env.offline()) {
            throw new ModelResolveException(ModelResolveException.Reason.NOT_CACHED_OFFLINE, name
                    + " is not in the Hugging Face cache and HF_HUB_OFFLINE is set: " + placementAdvice(repoId));
        }
        // config.json first (small: a wrong endpoint or a missing repo fails fast), then the weights pinned to
        // the same commit so both files land in one snapshot
        String revision = "main";
        Path snapshot = null;
        boolean downloaded = false;
        for (String file : REQUIRED_FILES) {
            HubDownloader.HubFile result;
            try {
                result = downloader.download(repoId, revision, file,
                        new LazyListener(progress, name + "/" + file), cancelled);
            } catch (ModelResolveException e) {
                throw explain(name, repoId, e);
            }
            revision = result.commitHash();
            snapshot = result.path().getParent();
            downloaded |= result.downloaded();
        }
        return new ResolvedModel(spec, snapshot.toAbsolutePath(), repoId, downloaded);
    }

    private ModelResolveException explain(String name, String repoId, ModelResolveException e) {
        return switch (e.reason()) {
            case NETWORK -> new ModelResolveException(e.reason(), "cannot download " + name + ": " + e.getMessage()
                    + "; connect to the internet (or set HF_ENDPOINT to a mirror), or " + placementAdvice(repoId), e);
            case HTTP, INTERRUPTED, CHECKSUM, IO -> new ModelResolveException(e.reason(),
                    "cannot download " + name + ": " + e.getMessage(), e);
            default -> e;
        };
    }

    /** "place config.json and model.safetensors from URL in DIR/ (or pass --model /path/to/dir)" */
    private String placementAdvice(String repoId) {
        Path dir = cache.placementFolder(repoId, "main");
        List<String> missing = new ArrayList<>();
        for (String file : REQUIRED_FILES) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                missing.add(file);
            }
        }
        return "place " + String.join(" and ", missing) + " from " + env.endpoint() + "/" + repoId + " in "
                + dir.toAbsolutePath() + "/ (or pass --model /path/to/dir)";
    }

    // ---------------------------------------------------------------------------------------------- paths

    private ResolvedModel resolvePath(String spec, Path path) throws ModelResolveException {
        Path p = path.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            if (Files.isDirectory(p.resolve("snapshots")) && !Files.exists(p.resolve(CONFIG_FILE))) {
                Path snapshot = HubCache.cachedSnapshotIn(p, "main", REQUIRED_FILES).orElseThrow(() ->
                        new ModelResolveException(ModelResolveException.Reason.INVALID_MODEL_PATH, "model directory "
                                + p + " is a Hugging Face cache folder without a complete snapshot for main ("
                                + String.join(" and ", REQUIRED_FILES) + ")"));
                return new ResolvedModel(spec, snapshot, null, false);
            }
            List<String> missing = new ArrayList<>();
            for (String file : REQUIRED_FILES) {
                if (!Files.isRegularFile(p.resolve(file))) {
                    missing.add(file);
                }
            }
            if (!missing.isEmpty()) {
                throw new ModelResolveException(ModelResolveException.Reason.INVALID_MODEL_PATH, "model directory " + p
                        + " has no " + String.join(" and no ", missing) + " (a Hugging Face model directory holds "
                        + String.join(" and ", REQUIRED_FILES) + ")");
            }
            return new ResolvedModel(spec, p, null, false);
        }
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!Files.isRegularFile(p) || !(name.endsWith(".safetensors") || name.endsWith(".pth")
                || name.endsWith(".pt"))) {
            throw new ModelResolveException(ModelResolveException.Reason.INVALID_MODEL_PATH,
                    "unsupported model file: " + p + " (expected a .safetensors or .pth file or a Hugging Face"
                            + " model directory)");
        }
        if (!Files.isReadable(p)) {
            throw new ModelResolveException(ModelResolveException.Reason.INVALID_MODEL_PATH,
                    "model file is not readable: " + p);
        }
        return new ResolvedModel(spec, p, null, false);
    }

    private Path toPath(String spec) {
        try {
            if (spec.equals("~") || spec.startsWith("~/") || spec.startsWith("~" + java.io.File.separator)) {
                return env.expand(spec).toAbsolutePath().normalize();
            }
            return Path.of(spec).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static boolean looksLikePath(String spec) {
        String lower = spec.toLowerCase(Locale.ROOT);
        return spec.contains("/") || spec.contains("\\") || spec.startsWith(".") || spec.startsWith("~")
                || lower.endsWith(".safetensors") || lower.endsWith(".pth") || lower.endsWith(".pt")
                || lower.endsWith(".bin") || lower.endsWith(".json");
    }

    private static String expectedSpecs() {
        return "one of " + String.join(", ", ModelCatalog.names())
                + ", or a path to a Hugging Face model directory, a .safetensors or a .pth file";
    }

    /** Creates the caller's progress display when the first progress report brings the total size. */
    private static final class LazyListener implements DownloadListener {
        private final ProgressFactory factory;
        private final String label;
        private DownloadListener delegate;

        LazyListener(ProgressFactory factory, String label) {
            this.factory = factory;
            this.label = label;
        }

        @Override
        public void progress(long bytesDone, long bytesTotal, double bytesPerSecond) {
            if (delegate == null) {
                delegate = Objects.requireNonNullElse(factory.start(label, bytesTotal), DownloadListener.NONE);
            }
            delegate.progress(bytesDone, bytesTotal, bytesPerSecond);
        }

        @Override
        public void finished() {
            if (delegate != null) {
                delegate.finished();
            }
        }
    }
}
