package org.itaestudio.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.CacheBudget;
import org.itaestudio.store.CacheKind;
import org.itaestudio.store.CacheUsage;

/**
 * The core service the desktop app and the CLI share: folder analysis (scan, embed with cache, cluster, map) and
 * single-image inspection. Implementations are thread-safe; every method may block and must not be called on the
 * UI thread.
 */
public interface StudioEngine extends AutoCloseable {

    /** Scans and embeds a folder (cached); unreadable files are skipped and listed, never fatal. */
    FolderEmbeddings embed(Path folder, AnalysisSettings settings, ProgressListener progress, Cancellation cancel)
            throws IOException;

    /** Scans, embeds (cached), clusters and maps a folder. Unreadable files are skipped and listed, never fatal. */
    FolderAnalysis analyze(Path folder, AnalysisSettings settings, ProgressListener progress, Cancellation cancel)
            throws IOException;

    /** Re-clusters (and re-maps) existing embeddings with new cluster settings; no model needed. */
    FolderAnalysis recluster(FolderAnalysis analysis, AnalysisSettings settings, ProgressListener progress,
                             Cancellation cancel);

    /**
     * Live ITAE preview of an analysed folder: embeddings recomputed from the states cached by the analysis (no
     * decoding, no full forward), re-clustered with the same k and method; the map of {@code base} is kept.
     * Returns null when some image has no cached state (then run {@link #analyze} instead). Nothing is written to
     * the embedding cache: slider positions are transient.
     */
    default FolderAnalysis previewItae(FolderAnalysis base, ItaeConfig itae, ProgressListener progress,
                                       Cancellation cancel) throws IOException {
        return null;
    }

    /** Runs one image and returns the probes of one block, with the given ITAE settings (null: plain model). */
    Inspection inspect(Path image, AnalysisSettings settings, int layer, ItaeConfig itae) throws IOException;

    /**
     * Finds the register neurons of the settings' model on a seeded sample of the folder (test-time registers); the
     * result's {@code registers(count, values)} goes into {@link AnalysisSettings#withTtr}.
     *
     * @throws RegisterCalibration.NoOutliersException when no sampled image has an outlier token at the threshold
     */
    default RegisterNeurons calibrateRegisters(Path folder, AnalysisSettings settings, CalibrationSettings calibration,
                                               ProgressListener progress, Cancellation cancel) throws IOException {
        throw new UnsupportedOperationException("this engine cannot calibrate register neurons");
    }

    /**
     * The register neurons last calibrated on this folder with the settings' model, kept in the cache (empty when
     * there are none, or the engine has no caches). Loads the model to know its fingerprint.
     */
    default Optional<RegisterNeurons> cachedRegisters(Path folder, AnalysisSettings settings) throws IOException {
        return Optional.empty();
    }

    /**
     * Checks that register neurons fit the settings' model: same weights (fingerprint), blocks and units that exist.
     *
     * @throws IllegalArgumentException with a one-line reason otherwise
     */
    default void checkRegisters(RegisterNeurons neurons, AnalysisSettings settings) throws IOException {
    }

    /** Number of blocks of the settings' model (loads it if needed). */
    int depth(AnalysisSettings settings) throws IOException;

    /**
     * What runs the settings' model, for status bars and logs (e.g. "DINOv2 ViT-S/14 on CPU"); empty when the
     * engine has nothing to say (test doubles). May load the model.
     */
    default Optional<String> describe(AnalysisSettings settings) throws IOException {
        return Optional.empty();
    }

    /** What the engine's caches take on disk, per kind; empty when it runs without caches. */
    default Optional<CacheUsage> cacheUsage() {
        return Optional.empty();
    }

    /** True when the engine keeps caches (so {@link #cachedRegisters} can find something); cheap, loads nothing. */
    default boolean hasCaches() {
        return false;
    }

    /** The caches' disk budget; empty when the engine runs without caches. */
    default Optional<CacheBudget> cacheBudget() {
        return Optional.empty();
    }

    /**
     * Empties the given caches (all of them for an empty set) and returns what that freed.
     *
     * @throws IllegalStateException when the engine has no caches
     */
    default CacheUsage clearCache(Set<CacheKind> kinds) {
        throw new IllegalStateException("this engine has no caches");
    }

    @Override
    void close();
}
