package org.itaestudio.image;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FolderScannerTest {

    @TempDir
    Path temp;

    private final FolderScanner scanner = new FolderScanner();

    private Path touch(String relative) throws IOException {
        Path p = temp.resolve("root").resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {1});
        return p;
    }

    @Test
    void findsImagesRecursivelyInStableOrderAndSkipsHiddenAndOtherFiles() throws IOException {
        touch("b/z.JPG");
        touch("b/a.png");
        touch("a.jpeg");
        touch("B.Tiff");
        touch("b.gif");
        touch("b/c/d/deep.webp");
        touch("x.bmp");
        touch("y.tif");
        touch("notes.txt");
        touch("noext");
        touch("jpg");            // a name without a dot, not an extension
        touch(".hidden.png");
        touch(".cache/inside.jpg");
        touch("b/.thumbs/t.jpg");
        touch("ü/é.png");        // non-ASCII sorts after ASCII by code point

        FolderScanner.ScanResult result = scanner.scan(temp.resolve("root"));
        List<String> paths = result.images().stream().map(FolderScanner.ImageFile::relativePath).toList();
        assertEquals(List.of("B.Tiff", "a.jpeg", "b.gif", "b/a.png", "b/c/d/deep.webp", "b/z.JPG", "x.bmp", "y.tif",
                "ü/é.png"), paths);
        for (FolderScanner.ImageFile image : result.images()) {
            assertTrue(image.path().isAbsolute(), image.path().toString());
            assertEquals(temp.resolve("root").resolve(image.relativePath()).toAbsolutePath(), image.path());
            assertTrue(Files.isRegularFile(image.path()));
        }
        assertTrue(result.problems().isEmpty(), result.problems().toString());
    }

    @Test
    void followsLinksButNotLoops() throws IOException {
        Path root = temp.resolve("root");
        touch("photos/cat.jpg");
        touch("photos/sub/dog.png");
        Path outside = temp.resolve("outside");
        Files.createDirectories(outside);
        Files.write(outside.resolve("bird.jpg"), new byte[] {1});
        Files.write(outside.resolve("fish.png"), new byte[] {1});
        // a link to a file outside, a link to a folder outside, two loops back up, a broken link
        Files.createSymbolicLink(root.resolve("linked.jpg"), outside.resolve("bird.jpg"));
        Files.createSymbolicLink(root.resolve("ext"), outside);
        Files.createSymbolicLink(root.resolve("photos/sub/up"), root.resolve("photos"));
        Files.createSymbolicLink(root.resolve("photos/self"), Path.of("."));
        Files.createSymbolicLink(root.resolve("gone.jpg"), temp.resolve("missing.jpg"));
        // the same real folder a second time through a non-looping link: scanned once, under its real path
        // (although "alias" sorts before "photos")
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("photos/sub"));

        FolderScanner.ScanResult result = scanner.scan(root);
        List<String> paths = result.images().stream().map(FolderScanner.ImageFile::relativePath).toList();
        assertEquals(List.of("ext/bird.jpg", "ext/fish.png", "linked.jpg", "photos/cat.jpg", "photos/sub/dog.png"),
                paths);
        assertEquals(outside.resolve("bird.jpg").toRealPath(), result.images().get(0).path().toRealPath());
        List<String> problems = result.problems().stream()
                .map(p -> p.relativePath() + ": " + p.reason()).toList();
        assertEquals(List.of(
                "alias: same folder as photos/sub, not scanned twice",
                "gone.jpg: broken symbolic link",
                "photos/self: symbolic link loop (back to photos), not followed",
                "photos/sub/up: symbolic link loop (back to photos), not followed"), problems);

        // a link straight back to the scanned folder
        Files.createSymbolicLink(root.resolve("photos/sub/top"), root);
        assertTrue(scanner.scan(root).problems().stream().anyMatch(p -> p.relativePath().equals("photos/sub/top")
                && p.reason().equals("symbolic link loop (back to the scanned folder), not followed")));
    }

    @Test
    void unreadableFolderIsReportedNotFatal() throws IOException {
        touch("ok/a.jpg");
        Path locked = touch("locked/b.jpg").getParent();
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            Assumptions.assumeFalse(Files.isReadable(locked), "running as root: permissions are not enforced");
            FolderScanner.ScanResult result = scanner.scan(temp.resolve("root"));
            assertEquals(List.of("ok/a.jpg"),
                    result.images().stream().map(FolderScanner.ImageFile::relativePath).toList());
            assertEquals(1, result.problems().size());
            assertEquals("locked", result.problems().get(0).relativePath());
            assertEquals("permission denied", result.problems().get(0).reason());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** The same through a fault seam, so it runs where permissions are not enforced (root on CI). */
    @Test
    void aFolderThatCannotBeListedIsReportedNotFatal() throws IOException {
        touch("ok/a.jpg");
        Path locked = touch("locked/b.jpg").getParent().toAbsolutePath();
        FolderScanner.ScanResult result = new FolderScanner(new DenyingFileAccess(locked)).scan(temp.resolve("root"));
        assertEquals(List.of("ok/a.jpg"),
                result.images().stream().map(FolderScanner.ImageFile::relativePath).toList());
        assertEquals(1, result.problems().size());
        assertEquals("locked", result.problems().get(0).relativePath());
        assertEquals("permission denied", result.problems().get(0).reason());

        Path root = temp.resolve("root").toAbsolutePath();
        AccessDeniedException e = assertThrows(AccessDeniedException.class,
                () -> new FolderScanner(new DenyingFileAccess(root)).scan(root));
        assertEquals(root + ": permission denied", e.getMessage());
    }

    @Test
    void rootErrorsAreExceptions() throws IOException {
        assertThrows(NoSuchFileException.class, () -> scanner.scan(temp.resolve("nope")));
        Path file = touch("file.jpg");
        assertThrows(NotDirectoryException.class, () -> scanner.scan(file));
        // a hidden root is scanned (only entries below it are filtered)
        Path hidden = temp.resolve(".hiddenroot");
        Files.createDirectories(hidden);
        Files.write(hidden.resolve("p.png"), new byte[] {1});
        assertEquals(1, scanner.scan(hidden).images().size());
    }

    @Test
    void codePointOrderMatchesPythonSorted() {
        // Python: sorted(["a/b", "a.b", "aB", "ab", "\uFB01", "\uD83D\uDE00"]) == ['a.b', 'a/b', 'aB', 'ab', 'ﬁ', '😀']
        // (UTF-16 order would put the surrogate pair before U+FB01)
        List<String> sorted = new java.util.ArrayList<>(List.of("\uD83D\uDE00", "ab", "aB", "a/b", "\uFB01", "a.b"));
        sorted.sort(FolderScanner.CODE_POINT_ORDER);
        assertEquals(List.of("a.b", "a/b", "aB", "ab", "\uFB01", "\uD83D\uDE00"), sorted);
        assertTrue(FolderScanner.isImageName("X.WebP"));
        assertFalse(FolderScanner.isImageName(".png"));
        assertFalse(FolderScanner.isImageName("a.heic"));
    }
}
