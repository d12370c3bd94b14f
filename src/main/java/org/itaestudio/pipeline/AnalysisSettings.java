package org.itaestudio.pipeline;

import org.itaestudio.cluster.ClusterMethod;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.Pooling;

/**
 * Everything that determines an analysis of a folder.
 *
 * @param model         model spec: a name (dinov2-small, ...-reg), an HF directory, a .safetensors or .pth file
 * @param device        where the model runs
 * @param resize        shorter side after resizing (256)
 * @param crop          centre crop side (224), or null to keep the whole resized image (trimmed to whole patches)
 * @param jpegDraft     decode large JPEGs at reduced size like Pillow's {@code draft} (see {@code PreprocessConfig})
 * @param pooling       CLS or mean of patch tokens
 * @param batchSize     images per forward pass
 * @param itae          ITAE settings, or null for the plain model
 * @param clusterMethod how embeddings are grouped
 * @param k             number of clusters, or 0 for automatic (silhouette)
 * @param mapMethod     how the 2-D map is made
 * @param seed          seed of every random choice (k-means init, t-SNE)
 */
public record AnalysisSettings(String model, DeviceChoice device, int resize, Integer crop, boolean jpegDraft, Pooling pooling,
                               int batchSize, ItaeConfig itae, ClusterMethod clusterMethod, int k, MapMethod mapMethod,
                               long seed) {

    public static AnalysisSettings defaults(String model) {
        return new AnalysisSettings(model, DeviceChoice.AUTO, 256, 224, false, Pooling.CLS, 8, null, ClusterMethod.KMEANS, 0,
                MapMethod.TSNE, 42L);
    }

    public AnalysisSettings withItae(ItaeConfig c) {
        return toBuilder().itae(c).build();
    }

    public AnalysisSettings withK(int newK) {
        return toBuilder().k(newK).build();
    }

    public AnalysisSettings withModel(String m) {
        return toBuilder().model(m).build();
    }

    public AnalysisSettings withJpegDraft(boolean draft) {
        return toBuilder().jpegDraft(draft).build();
    }

    public AnalysisSettings withMapMethod(MapMethod m) {
        return toBuilder().mapMethod(m).build();
    }

    /** A builder that starts from these settings; the one place that lists every field. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes some fields of a settings record; {@link #build()} validates nothing beyond the record itself. */
    public static final class Builder {
        private String model;
        private DeviceChoice device;
        private int resize;
        private Integer crop;
        private boolean jpegDraft;
        private Pooling pooling;
        private int batchSize;
        private ItaeConfig itae;
        private ClusterMethod clusterMethod;
        private int k;
        private MapMethod mapMethod;
        private long seed;

        private Builder(AnalysisSettings s) {
            model = s.model;
            device = s.device;
            resize = s.resize;
            crop = s.crop;
            jpegDraft = s.jpegDraft;
            pooling = s.pooling;
            batchSize = s.batchSize;
            itae = s.itae;
            clusterMethod = s.clusterMethod;
            k = s.k;
            mapMethod = s.mapMethod;
            seed = s.seed;
        }

        public Builder model(String v) { model = v; return this; }
        public Builder device(DeviceChoice v) { device = v; return this; }
        public Builder resize(int v) { resize = v; return this; }
        public Builder crop(Integer v) { crop = v; return this; }
        public Builder jpegDraft(boolean v) { jpegDraft = v; return this; }
        public Builder pooling(Pooling v) { pooling = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder itae(ItaeConfig v) { itae = v; return this; }
        public Builder clusterMethod(ClusterMethod v) { clusterMethod = v; return this; }
        public Builder k(int v) { k = v; return this; }
        public Builder mapMethod(MapMethod v) { mapMethod = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        public AnalysisSettings build() {
            return new AnalysisSettings(model, device, resize, crop, jpegDraft, pooling, batchSize, itae, clusterMethod, k,
                    mapMethod, seed);
        }
    }
}
