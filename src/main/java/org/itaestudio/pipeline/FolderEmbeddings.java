package org.itaestudio.pipeline;

import java.nio.file.Path;
import java.util.List;

/**
 * Embeddings of a folder's readable images, in scan order (sorted relative paths).
 *
 * @param folder     the scanned folder
 * @param paths      relative paths with '/' separators
 * @param embeddings one row per path
 * @param skipped    unreadable files (and unreadable directories) with reasons
 * @param fromCache  rows that came from the embedding cache
 * @param seconds    wall time of the embedding stage
 */
public record FolderEmbeddings(Path folder, List<String> paths, float[][] embeddings, List<SkippedFile> skipped,
                               int fromCache, double seconds) {
}
