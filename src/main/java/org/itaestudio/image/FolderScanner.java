package org.itaestudio.image;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the images under a folder, recursively.
 * <ul>
 *   <li>Images are recognised by extension, case-insensitively: {@link #IMAGE_EXTENSIONS}.</li>
 *   <li>Names starting with '.' (hidden files and folders) are skipped; the root itself may be hidden.</li>
 *   <li>Symbolic links are followed, to files and to folders, but every real folder (by
 *       {@link Path#toRealPath real path}) is scanned once: link loops end, and a folder reachable both directly
 *       and through links is listed under its real path. Real folders are walked first, then folder links in
 *       path order; a skipped link is reported as a loop (it points back up its own path) or as a duplicate.
 *       Links to files are listed as found (two links to one file give two entries).</li>
 *   <li>Folders that cannot be listed (permission denied, vanished, I/O error) and broken links with an image
 *       extension are reported in {@link ScanResult#problems()}; the scan goes on.</li>
 *   <li>Results are sorted by relative path ('/' separators) in Unicode code point order, the order of
 *       Python's {@code sorted()} on the same strings.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class FolderScanner {

    /** Recognised extensions (lower case, without the dot). */
    public static final Set<String> IMAGE_EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "webp");

    /** One image found by the scan. */
    public record ImageFile(String relativePath, Path path) {
    }

    /** Something the scan could not read, with a short reason; {@code relativePath} is "" for the root. */
    public record Problem(String relativePath, Path path, String reason) {
    }

    /** The images under {@code root} (sorted) and what could not be scanned (sorted). */
    public record ScanResult(Path root, List<ImageFile> images, List<Problem> problems) {
        public ScanResult {
            images = List.copyOf(images);
            problems = List.copyOf(problems);
        }
    }

    /** Compares strings by Unicode code point, like Python's string ordering. */
    public static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    };

    /** True when {@code fileName} has one of {@link #IMAGE_EXTENSIONS} (any case). */
    public static boolean isImageName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private final FileAccess files;

    public FolderScanner() {
        this(FileAccess.SYSTEM);
    }

    /** @param files how folders are listed (tests make it fail) */
    FolderScanner(FileAccess files) {
        this.files = files;
    }

    /**
     * Scans {@code root}.
     *
     * @throws IOException only when {@code root} itself is missing, not a folder or unreadable, with a one-line
     *                     message naming it; everything below the root is reported in the result instead
     */
    public ScanResult scan(Path root) throws IOException {
        Path base = root.toAbsolutePath().normalize();
        if (!Files.exists(base)) {
            throw new NoSuchFileException(base.toString(), null, "folder not found");
        }
        if (!Files.isDirectory(base)) {
            throw new NotDirectoryException(base + ": not a folder");
        }
        List<ImageFile> images = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Path realBase = base.toRealPath();
        try (DirectoryStream<Path> probe = files.list(base)) {
            probe.iterator().hasNext();
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(base.toString(), null, "permission denied");
        }
        Walk walk = new Walk(files, base, images, problems);
        walk.visited.put(realBase, "");
        walk.list(base);
        // folders reached through links come after all real folders, in path order, so a folder that is
        // both real and linked is listed under its real path
        while (!walk.pendingLinks.isEmpty()) {
            Path link = walk.pendingLinks.pollFirstEntry().getValue();
            walk.enter(link);
        }
        images.sort(Comparator.comparing(ImageFile::relativePath, CODE_POINT_ORDER));
        problems.sort(Comparator.comparing(Problem::relativePath, CODE_POINT_ORDER));
        return new ScanResult(base, images, problems);
    }

    /** The state of one scan: real folders already scanned, folder links still to follow. */
    private static final class Walk {
        final FileAccess files;
        final Path base;
        final List<ImageFile> images;
        final List<Problem> problems;
        final Map<Path, String> visited = new HashMap<>(); // real path -> relative path it was scanned as
        final TreeMap<String, Path> pendingLinks = new TreeMap<>(CODE_POINT_ORDER);

        Walk(FileAccess files, Path base, List<ImageFile> images, List<Problem> problems) {
            this.files = files;
            this.base = base;
            this.images = images;
            this.problems = problems;
        }

        /** Scans folder {@code dir} (reached by any path) unless its real folder was scanned already. */
        void enter(Path dir) {
            String rel = relative(base, dir);
            Path real;
            try {
                real = dir.toRealPath();
            } catch (IOException e) {
                problems.add(new Problem(rel, dir, "cannot resolve folder (" + ImageDecoder.oneLine(e.getMessage()) + ")"));
                return;
            }
            String seenAs = visited.get(real);
            if (seenAs != null) {
                boolean loop = seenAs.isEmpty() || rel.startsWith(seenAs + "/");
                problems.add(new Problem(rel, dir, loop
                        ? "symbolic link loop (back to " + (seenAs.isEmpty() ? "the scanned folder" : seenAs)
                                + "), not followed"
                        : "same folder as " + seenAs + ", not scanned twice"));
                return;
            }
            visited.put(real, rel);
            list(dir);
        }

        void list(Path dir) {
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = files.list(dir)) {
                for (Path entry : stream) {
                    entries.add(entry);
                }
            } catch (AccessDeniedException e) {
                problems.add(new Problem(relative(base, dir), dir, "permission denied"));
                return;
            } catch (IOException | RuntimeException e) { // DirectoryIteratorException wraps late I/O errors
                problems.add(new Problem(relative(base, dir), dir,
                        "cannot list folder (" + ImageDecoder.oneLine(String.valueOf(e.getMessage())) + ")"));
                return;
            }
            entries.sort(Comparator.comparing(p -> p.getFileName().toString(), CODE_POINT_ORDER));
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class); // follows links
                } catch (IOException e) {
                    if (isImageName(name)) {
                        problems.add(new Problem(relative(base, entry), entry, Files.isSymbolicLink(entry)
                                ? "broken symbolic link"
                                : "cannot read file attributes (" + ImageDecoder.oneLine(e.getMessage()) + ")"));
                    }
                    continue;
                }
                if (attributes.isDirectory()) {
                    if (Files.isSymbolicLink(entry)) {
                        pendingLinks.put(relative(base, entry), entry);
                    } else {
                        enter(entry);
                    }
                } else if (attributes.isRegularFile() && isImageName(name)) {
                    images.add(new ImageFile(relative(base, entry), entry));
                }
            }
        }
    }

    /** {@code path} relative to {@code base} with '/' separators ("" for the base itself). */
    static String relative(Path base, Path path) {
        Path rel = base.relativize(path);
        StringBuilder sb = new StringBuilder();
        for (Path part : rel) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(part);
        }
        return sb.toString();
    }
}
