package org.itaestudio.ui;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.ProgressListener;

/**
 * Finds models where the product says they live: a path given directly, or a model name in the standard Hugging
 * Face cache ({@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}). This class only
 * looks; it cannot download (a downloading {@link ModelService} wraps it when the hub client is available).
 */
public class LocalModelService implements ModelService {

    static final Map<String, String> REPOS = Map.of(
            "dinov2-small", "facebook/dinov2-small",
            "dinov2-base", "facebook/dinov2-base",
            "dinov2-large", "facebook/dinov2-large",
            "dinov2-giant", "facebook/dinov2-giant",
            "dinov2-small-reg", "facebook/dinov2-with-registers-small",
            "dinov2-base-reg", "facebook/dinov2-with-registers-base",
            "dinov2-large-reg", "facebook/dinov2-with-registers-large",
            "dinov2-giant-reg", "facebook/dinov2-with-registers-giant");

    private final Map<String, String> env;

    public LocalModelService() {
        this(System.getenv());
    }

    LocalModelService(Map<String, String> env) {
        this.env = env;
    }

    public static boolean isModelName(String spec) {
        return spec != null && REPOS.containsKey(spec.toLowerCase(Locale.ROOT));
    }

    public Path hubCache() {
        String cache = env.get("HF_HUB_CACHE");
        if (cache != null && !cache.isBlank()) {
            return Path.of(cache);
        }
        String home = env.get("HF_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "hub");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    @Override
    public Status status(String spec) {
        if (spec == null || spec.isBlank()) {
            return new Status(false, "No model is selected. Choose a model name (e.g. dinov2-small) or a local "
                    + "checkpoint.", false);
        }
        if (isModelName(spec)) {
            String repo = REPOS.get(spec.toLowerCase(Locale.ROOT));
            Path dir = hubCache().resolve("models--" + repo.replace("/", "--")).resolve("snapshots");
            if (snapshotHasWeights(dir)) {
                return Status.ok();
            }
            return new Status(false, "The model " + spec + " (" + repo + ") is not on this computer. It was looked "
                    + "for in the Hugging Face cache at " + dir.getParent() + ". Place config.json and "
                    + "model.safetensors of " + repo + " there, download it, or pick a local checkpoint "
                    + "(.safetensors, .pth or a model folder).", false);
        }
        Path p = Path.of(spec);
        if (Files.isRegularFile(p) || (Files.isDirectory(p) && Files.exists(p.resolve("config.json")))) {
            return Status.ok();
        }
        if (Files.isDirectory(p)) {
            return new Status(false, "The folder " + p + " holds no config.json, so it is not a Hugging Face model "
                    + "folder. Pick a folder with config.json and model.safetensors, or a .safetensors/.pth file.", false);
        }
        return new Status(false, "The model file " + p + " does not exist. Pick a .safetensors or .pth checkpoint, "
                + "a Hugging Face model folder, or a model name such as dinov2-small.", false);
    }

    private static boolean snapshotHasWeights(Path snapshots) {
        if (!Files.isDirectory(snapshots)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(snapshots)) {
            for (Path snap : ds) {
                if (Files.exists(snap.resolve("model.safetensors")) || Files.exists(snap.resolve("pytorch_model.bin"))) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    @Override
    public Path download(String spec, ProgressListener progress, Cancellation cancel) throws IOException {
        throw new IOException("downloading is not available in this build; place the model files in " + hubCache());
    }
}
