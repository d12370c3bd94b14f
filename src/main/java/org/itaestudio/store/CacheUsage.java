package org.itaestudio.store;

import java.nio.file.Path;

/**
 * Bytes each cache takes on disk, measured from the files alone (no database is opened, so it works while another
 * process holds them).
 *
 * @param directory    the cache directory
 * @param embeddings   {@value EmbeddingCache#FILE_NAME} with its WAL
 * @param fileHashes   {@value ContentHasher#FILE_NAME} with its WAL
 * @param hiddenStates everything under {@value HiddenStateStore#DIR_NAME}
 * @param registerNeurons everything under {@value RegisterNeuronFiles#DIR_NAME}
 */
public record CacheUsage(Path directory, long embeddings, long fileHashes, long hiddenStates, long registerNeurons) {

    public CacheUsage(Path directory, long embeddings, long fileHashes, long hiddenStates) {
        this(directory, embeddings, fileHashes, hiddenStates, 0);
    }

    /** The sizes of the caches in {@code cacheDir} (zeros where nothing exists). */
    public static CacheUsage measure(Path cacheDir) {
        return new CacheUsage(cacheDir,
                SqliteCacheFile.sizeOnDisk(cacheDir.resolve(EmbeddingCache.FILE_NAME)),
                SqliteCacheFile.sizeOnDisk(cacheDir.resolve(ContentHasher.FILE_NAME)),
                HiddenStateStore.sizeOnDisk(cacheDir.resolve(HiddenStateStore.DIR_NAME)),
                RegisterNeuronFiles.sizeOnDisk(cacheDir.resolve(RegisterNeuronFiles.DIR_NAME)));
    }

    public long of(CacheKind kind) {
        return switch (kind) {
            case EMBEDDINGS -> embeddings;
            case FILE_HASHES -> fileHashes;
            case HIDDEN_STATES -> hiddenStates;
            case REGISTER_NEURONS -> registerNeurons;
        };
    }

    public long total() {
        return embeddings + fileHashes + hiddenStates + registerNeurons;
    }

    /** What was freed going from {@code this} to {@code after} (never negative per kind). */
    public CacheUsage minus(CacheUsage after) {
        return new CacheUsage(directory, Math.max(0, embeddings - after.embeddings),
                Math.max(0, fileHashes - after.fileHashes), Math.max(0, hiddenStates - after.hiddenStates),
                Math.max(0, registerNeurons - after.registerNeurons));
    }
}
