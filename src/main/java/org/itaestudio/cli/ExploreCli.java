package org.itaestudio.cli;

import java.nio.file.Path;
import org.itaestudio.pipeline.FolderEmbeddings;

/** What the exploration commands share. */
final class ExploreCli {
    private ExploreCli() {
    }

    /**
     * The row of {@code image} in a folder's embeddings, or -1 when the image is not one of the folder's readable
     * images (outside the folder, or skipped).
     */
    static int rowOf(Path folder, Path image, FolderEmbeddings fe) {
        Path dir = folder.toAbsolutePath().normalize();
        Path file = image.toAbsolutePath().normalize();
        if (!file.startsWith(dir)) {
            return -1;
        }
        String rel = dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
        return fe.paths().indexOf(rel);
    }
}
