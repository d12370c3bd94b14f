package org.itaestudio.pipeline;

import java.util.function.Consumer;
import org.itaestudio.cluster.ClusterMethod;
import org.itaestudio.cluster.Hdbscan;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;
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
 * @param density       HDBSCAN's settings (used when clusterMethod is HDBSCAN)
 * @param ttr           test-time registers, or null for none
 */
public record AnalysisSettings(String model, DeviceChoice device, int resize, Integer crop, boolean jpegDraft, Pooling pooling,
                               int batchSize, ItaeConfig itae, ClusterMethod clusterMethod, int k, MapMethod mapMethod,
                               long seed, Hdbscan.Settings density, TestTimeRegisters ttr) {

    public static AnalysisSettings defaults(String model) {
        return new AnalysisSettings(model, DeviceChoice.AUTO, 256, 224, false, Pooling.CLS, 8, null, ClusterMethod.KMEANS, 0,
                MapMethod.TSNE, 42L, Hdbscan.Settings.DEFAULTS, null);
    }

    public AnalysisSettings withTtr(TestTimeRegisters t) {
        return with(b -> b.ttr = t);
    }

    public AnalysisSettings withItae(ItaeConfig c) {
        return with(b -> b.itae = c);
    }

    public AnalysisSettings withK(int newK) {
        return with(b -> b.k = newK);
    }

    public AnalysisSettings withJpegDraft(boolean draft) {
        return with(b -> b.jpegDraft = draft);
    }

    public AnalysisSettings withMapMethod(MapMethod m) {
        return with(b -> b.mapMethod = m);
    }

    /**
     * These settings with some fields changed, e.g. {@code s.with(b -> { b.k = 5; b.seed = 1; })}: the one place that
     * lists every field is {@link Builder}, so adding a setting touches the record, the builder and nothing else.
     */
    public AnalysisSettings with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The fields of a settings record, open for change inside {@link #with}. */
    public static final class Builder {
        public String model;
        public DeviceChoice device;
        public int resize;
        public Integer crop;
        public boolean jpegDraft;
        public Pooling pooling;
        public int batchSize;
        public ItaeConfig itae;
        public ClusterMethod clusterMethod;
        public int k;
        public MapMethod mapMethod;
        public long seed;
        public Hdbscan.Settings density;
        public TestTimeRegisters ttr;

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
            density = s.density;
            ttr = s.ttr;
        }

        private AnalysisSettings build() {
            return new AnalysisSettings(model, device, resize, crop, jpegDraft, pooling, batchSize, itae, clusterMethod, k,
                    mapMethod, seed, density, ttr);
        }
    }
}
