package org.itaestudio.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the image package opens files and lists folders. The app uses the file system as it is; tests pass one that
 * fails on purpose (an {@link java.nio.file.AccessDeniedException}), so permission errors are checked even where
 * permissions are not enforced, as for root on CI.
 */
interface FileAccess {

    FileAccess SYSTEM = new FileAccess() {
        @Override
        public RandomAccessFile openForReading(Path file) throws IOException {
            return new RandomAccessFile(file.toFile(), "r");
        }

        @Override
        public DirectoryStream<Path> list(Path dir) throws IOException {
            return Files.newDirectoryStream(dir);
        }
    };

    /** Opens {@code file} for random-access reading (what ImageIO and the JPEG probe read through). */
    RandomAccessFile openForReading(Path file) throws IOException;

    /** The entries of folder {@code dir}. */
    DirectoryStream<Path> list(Path dir) throws IOException;
}
