package org.itaestudio.model.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a model spec points on disk.
 *
 * @param spec       what the user gave (name or path)
 * @param path       absolute path: a Hugging Face model directory (config.json + model.safetensors; for a hub
 *                   name, the cache's {@code snapshots/<commit>} folder) or a .safetensors / .pth file
 * @param repoId     the Hugging Face repo for a model name, e.g. {@code facebook/dinov2-small}; null for paths
 * @param downloaded true when this resolution transferred bytes from the hub
 */
public record ResolvedModel(String spec, Path path, String repoId, boolean downloaded) {

    public enum Format {
        /** A directory with config.json and model.safetensors. */
        HF_DIRECTORY,
        /** A single .safetensors file. */
        SAFETENSORS,
        /** A torch-hub checkpoint (.pth/.pt, a zip holding a pickled state dict). */
        PTH
    }

    public Format format() {
        if (Files.isDirectory(path)) {
            return Format.HF_DIRECTORY;
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".safetensors") ? Format.SAFETENSORS : Format.PTH;
    }

    /** The file holding the tensors: {@code path/model.safetensors} for a directory, else {@code path}. */
    public Path weightsFile() {
        return format() == Format.HF_DIRECTORY ? path.resolve(ModelResolver.WEIGHTS_FILE) : path;
    }

    /** {@code path/config.json} for a directory; empty for a single file. */
    public Optional<Path> configFile() {
        return format() == Format.HF_DIRECTORY ? Optional.of(path.resolve(ModelResolver.CONFIG_FILE)) : Optional.empty();
    }
}
