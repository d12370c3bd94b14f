package org.itaestudio.cluster;

import java.util.Locale;

/** How a folder's embeddings are grouped. */
public enum ClusterMethod {
    /** Seeded k-means with restarts ({@link KMeansClusterer}). */
    KMEANS,
    /** Ward's agglomerative clustering ({@link WardClusterer}). */
    AGGLOMERATIVE,
    /** Density clusters with noise ({@link Hdbscan}); k is found, not given. */
    HDBSCAN;

    /** The lower-case name used on the command line and in preferences. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
