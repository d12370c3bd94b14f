package org.itaestudio.cluster;

import java.util.Locale;

/** How embeddings are laid out on the 2-D map. */
public enum MapMethod {
    /** Barnes-Hut (or exact, for small sets) t-SNE ({@link TsneMap}). */
    TSNE,
    /** The first two principal components ({@link PcaMap}). */
    PCA,
    /** UMAP ({@link UmapMap}). */
    UMAP,
    /** No map (a run that keeps an earlier map, or a CLI run without {@code --with-map}). */
    NONE;

    /** The lower-case name used on the command line and in preferences. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** How the map is named to a person: "t-SNE", "PCA", "none". */
    public String label() {
        return switch (this) {
            case TSNE -> "t-SNE";
            case PCA -> "PCA";
            case UMAP -> "UMAP";
            case NONE -> "none";
        };
    }
}
