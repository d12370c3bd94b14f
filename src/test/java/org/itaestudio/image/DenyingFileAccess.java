package org.itaestudio.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Set;

/** The real file system, except that opening or listing one of the given paths is denied, as for a user without rights. */
record DenyingFileAccess(Set<Path> denied) implements FileAccess {

    DenyingFileAccess(Path... denied) {
        this(Set.of(denied));
    }

    @Override
    public RandomAccessFile openForReading(Path file) throws IOException {
        check(file);
        return SYSTEM.openForReading(file);
    }

    @Override
    public DirectoryStream<Path> list(Path dir) throws IOException {
        check(dir);
        return SYSTEM.list(dir);
    }

    private void check(Path p) throws AccessDeniedException {
        if (denied.contains(p.toAbsolutePath().normalize())) {
            throw new AccessDeniedException(p.toString());
        }
    }
}
