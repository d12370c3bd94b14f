package org.itaestudio.pipeline;

import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.Pooling;

/**
 * Everything that determines an analysis of a folder.
 *
 * @param model      model spec: a name (dinov2-small, ...-reg), an HF directory, a .safetensors or .pth file
 * @param device     "cpu", "gpu" or "auto"
 * @param resize     shorter side after resizing (256)
 * @param crop       centre crop side (224), or null to keep the whole resized image (trimmed to multiples of 14)
 * @param jpegDraft  decode large JPEGs at reduced size like Pillow's {@code draft} (see {@code PreprocessConfig})
 * @param pooling    CLS or mean of patch tokens
 * @param batchSize  images per forward pass
 * @param itae       ITAE settings, or null for the plain model
 * @param clusterMethod "kmeans" or "agglomerative"
 * @param k          number of clusters, or 0 for automatic (silhouette)
 * @param mapMethod  "tsne" or "pca"
 * @param seed       seed of every random choice (k-means init, t-SNE)
 */
public record AnalysisSettings(String model, String device, int resize, Integer crop, boolean jpegDraft, Pooling pooling, int batchSize,
                               ItaeConfig itae, String clusterMethod, int k, String mapMethod, long seed) {

    public static AnalysisSettings defaults(String model) {
        return new AnalysisSettings(model, "auto", 256, 224, false, Pooling.CLS, 8, null, "kmeans", 0, "tsne", 42L);
    }

    public AnalysisSettings withItae(ItaeConfig c) {
        return new AnalysisSettings(model, device, resize, crop, jpegDraft, pooling, batchSize, c, clusterMethod, k, mapMethod, seed);
    }

    public AnalysisSettings withK(int newK) {
        return new AnalysisSettings(model, device, resize, crop, jpegDraft, pooling, batchSize, itae, clusterMethod, newK, mapMethod, seed);
    }

    public AnalysisSettings withModel(String m) {
        return new AnalysisSettings(m, device, resize, crop, jpegDraft, pooling, batchSize, itae, clusterMethod, k, mapMethod, seed);
    }

    public AnalysisSettings withJpegDraft(boolean draft) {
        return new AnalysisSettings(model, device, resize, crop, draft, pooling, batchSize, itae, clusterMethod, k, mapMethod, seed);
    }

    public AnalysisSettings withMapMethod(String m) {
        return new AnalysisSettings(model, device, resize, crop, jpegDraft, pooling, batchSize, itae, clusterMethod, k, m, seed);
    }
}
