package org.itaestudio.model.hub;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.itaestudio.model.DinoV2Config;

/**
 * The released DINOv2 models known by name, read once from {@code models.json} on the classpath (resources/models.json
 * in the checkout): each name's Hugging Face repo and architecture. Names are matched case-insensitively.
 */
public final class ModelCatalog {

    /**
     * One released model.
     *
     * @param name      what users type, e.g. {@code dinov2-small-reg}
     * @param repo      its Hugging Face repo, e.g. {@code facebook/dinov2-with-registers-small}
     * @param embedDim  token width
     * @param depth     transformer blocks
     * @param registers register tokens (0 or 4)
     * @param ffn       MLP or SwiGLU (ViT-g)
     */
    public record Model(String name, String repo, int embedDim, int depth, int registers, DinoV2Config.FfnType ffn) {

        /** The architecture with the released checkpoints' interpolation settings. */
        public DinoV2Config config() {
            return DinoV2Config.of(embedDim, depth, registers, ffn);
        }
    }

    private record CatalogFile(List<Model> models) {
    }

    private static final String RESOURCE = "models.json";
    private static final List<Model> MODELS = load();

    private ModelCatalog() {
    }

    /** Every model, in the catalogue's order. */
    public static List<Model> models() {
        return MODELS;
    }

    /** The model names, in the catalogue's order. */
    public static List<String> names() {
        return MODELS.stream().map(Model::name).toList();
    }

    /** The model of a name (trimmed, any case). */
    public static Optional<Model> byName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String key = name.trim().toLowerCase(Locale.ROOT);
        return MODELS.stream().filter(m -> m.name().equals(key)).findFirst();
    }

    /** The model whose Hugging Face repo this is (any case). */
    public static Optional<Model> byRepo(String repo) {
        return MODELS.stream().filter(m -> m.repo().equalsIgnoreCase(repo.trim())).findFirst();
    }

    /** The architecture of a model name; unknown names are an {@link IllegalArgumentException}. */
    public static DinoV2Config config(String name) {
        return byName(name).map(Model::config).orElseThrow(() -> new IllegalArgumentException(
                "unknown model name: " + name + " (expected one of " + String.join(", ", names()) + ")"));
    }

    private static List<Model> load() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the classpath");
            }
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                CatalogFile file = new Gson().fromJson(r, CatalogFile.class);
                if (file == null || file.models() == null || file.models().isEmpty()) {
                    throw new IllegalStateException(RESOURCE + " lists no models");
                }
                for (Model m : file.models()) {
                    if (m.name() == null || m.repo() == null || m.ffn() == null) {
                        throw new IllegalStateException(RESOURCE + ": incomplete entry " + m);
                    }
                }
                return List.copyOf(file.models());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + " unreadable", e);
        } catch (JsonParseException e) {
            throw new IllegalStateException(RESOURCE + " is not valid: " + e.getMessage(), e);
        }
    }
}
