package org.itaestudio.store;

/**
 * The caches under the cache directory, in the order they are given up when the disk budget is short (register
 * neurons, a few KB per model and folder, are never evicted).
 */
public enum CacheKind {
    /** Hidden states for incremental ITAE: the largest (~200 KB per ViT-S image) and evicted first. */
    HIDDEN_STATES("hidden states"),
    /** The memo of file content hashes: small, rebuilt by re-reading files. */
    FILE_HASHES("file hashes"),
    /** Embeddings: ~1.5 KB per ViT-S image and the most expensive to recompute, so kept longest. */
    EMBEDDINGS("embeddings"),
    /** Register-neuron files of test-time registers, per model and folder: tiny, and minutes to recompute. */
    REGISTER_NEURONS("register neurons");

    private final String label;

    CacheKind(String label) {
        this.label = label;
    }

    /** Words for messages ("hidden states"). */
    public String label() {
        return label;
    }
}
