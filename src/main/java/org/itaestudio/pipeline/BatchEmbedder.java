package org.itaestudio.pipeline;

import java.io.IOException;
import java.util.List;
import org.itaestudio.image.FolderScanner.ImageFile;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.ContentHasher;

/**
 * Embeds given image files with one model and no caches, for callers that keep results themselves (the Spark job:
 * one per executor JVM). Same decoder, preprocessing, forward and pooling as {@link DefaultStudioEngine#embed}, so
 * the embeddings equal the CLI's {@code embed}; the model identity is the SHA-256 of its files (stable across
 * machines, unlike a path), and {@link #settingsKey()} is the key the app's embedding cache uses.
 */
public final class BatchEmbedder implements AutoCloseable {

    private final AnalysisSettings settings;
    private final ModelProvider models;
    private final ModelProvider.Lease lease;
    private final EmbeddingPipeline pipeline;

    private BatchEmbedder(AnalysisSettings settings, ModelResolver resolver, int decodeThreads) throws IOException {
        this.settings = settings;
        this.models = new ModelProvider(resolver, ContentHasher::sha256Hex);
        this.lease = models.acquire(settings.model(), settings.device());
        this.pipeline = new EmbeddingPipeline(lease.model(), new Preprocessor(DefaultStudioEngine.preprocessConfig(settings)),
                new ImageDecoder(), ForwardRequest.embedding(settings.itae(), settings.pooling()), settings.batchSize(),
                decodeThreads);
    }

    /**
     * Loads the model of {@code settings} (a name resolved through the local Hugging Face cache, a model folder, a
     * {@code .safetensors} or a {@code .pth} file) on its device.
     *
     * @param decodeThreads threads decoding images while the model runs (at least 1)
     * @throws IOException when the model cannot be found or its weights are refused (the message says why)
     */
    public static BatchEmbedder open(AnalysisSettings settings, int decodeThreads) throws IOException {
        return new BatchEmbedder(settings, new ModelResolver(), decodeThreads);
    }

    /** What {@link #modelIdentity()} and {@link #settingsKey()} give once the model is loaded. */
    public record Key(String modelIdentity, String settingsKey) {
    }

    /**
     * The model's identity and the settings key without loading the model: resolves it and hashes its files once
     * (a driver that schedules work checks each executor's model against this).
     *
     * @throws IOException when the model cannot be found
     */
    public static Key key(AnalysisSettings settings) throws IOException {
        java.nio.file.Path path = new ModelResolver().resolve(settings.model()).path();
        String identity = ModelProvider.identity(path, ContentHasher::sha256Hex);
        return new Key(identity, DefaultStudioEngine.configKey(identity, settings));
    }

    /** SHA-256 of the model's weights (and config, for a folder). */
    public String modelIdentity() {
        return lease.loaded.identity;
    }

    /** Everything an embedding depends on besides the image's bytes (engine, model content, preprocessing, ITAE). */
    public String settingsKey() {
        return DefaultStudioEngine.configKey(lease.loaded, settings);
    }

    /** Embedding length. */
    public int dimension() {
        return lease.model().config().embedDim();
    }

    /** Embeds the files in batches; files that cannot be decoded are in the result's skipped list with the reason. */
    public EmbeddingPipeline.Result embed(List<ImageFile> files, Cancellation cancel) {
        return pipeline.run(files, EmbeddingPipeline.Store.NONE, ProgressListener.NONE, cancel);
    }

    @Override
    public void close() {
        lease.close();
        models.close();
    }
}
