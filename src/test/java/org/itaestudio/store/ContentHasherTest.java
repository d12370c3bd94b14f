package org.itaestudio.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SHA-256 against the FIPS 180-2 test vectors; memo behaviour by counting the file reads. */
class ContentHasherTest {

    @TempDir
    Path tmp;

    @Test
    void hashesMatchTheStandardTestVectors() throws IOException {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                ContentHasher.sha256Hex(write("abc.bin", "abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ContentHasher.sha256Hex(write("empty.bin", new byte[0])));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                ContentHasher.sha256Hex(write("448.bin",
                        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes(StandardCharsets.US_ASCII))));
        byte[] millionA = new byte[1_000_000]; // streams across many buffer fills
        Arrays.fill(millionA, (byte) 'a');
        try (ContentHasher hasher = ContentHasher.open(tmp.resolve("cache"))) {
            assertEquals("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                    hasher.hash(write("million-a.bin", millionA)));
        }
    }

    @Test
    void anUnchangedFileIsReadOnceEvenAcrossReopening() throws IOException {
        Path f = old(write("img.jpg", "pixels".getBytes(StandardCharsets.UTF_8)));
        String first;
        try (ContentHasher hasher = ContentHasher.open(tmp.resolve("cache"))) {
            first = hasher.hash(f);
            assertEquals(first, hasher.hash(f));
            assertEquals(first, hasher.hash(tmp.resolve("x/../img.jpg"))); // same absolute path once normalised
            assertEquals(1, hasher.filesRead());
            assertEquals(2, hasher.memoHits());
        }
        try (ContentHasher reopened = ContentHasher.open(tmp.resolve("cache"))) {
            assertEquals(first, reopened.hash(f));
            assertEquals(0, reopened.filesRead());
            assertEquals(1, reopened.memoHits());
        }
    }

    @Test
    void aChangedSizeOrModificationTimeIsReadAgain() throws IOException {
        Path f = old(write("img.jpg", "aaaa".getBytes(StandardCharsets.UTF_8)));
        try (ContentHasher hasher = ContentHasher.open(tmp.resolve("cache"))) {
            String a = hasher.hash(f);
            old(write("img.jpg", "bbbbb".getBytes(StandardCharsets.UTF_8))); // new size, same old mtime
            String b = hasher.hash(f);
            assertNotEquals(a, b);
            assertEquals(ContentHasher.sha256Hex(f), b);
            Files.write(f, "ccccc".getBytes(StandardCharsets.UTF_8)); // same size, new mtime
            Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(1800)));
            String c = hasher.hash(f);
            assertEquals(ContentHasher.sha256Hex(f), c);
            assertNotEquals(b, c);
            assertEquals(3, hasher.filesRead());
        }
    }

    @Test
    void aJustModifiedFileIsNotTrustedFromTheMemo() throws IOException {
        Instant mtime = Instant.parse("2026-01-02T03:04:05Z");
        Path f = write("fresh.jpg", "new".getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(f, FileTime.from(mtime));
        Instant justInside = mtime.plusNanos(ContentHasher.RACY_WINDOW_NANOS).minusMillis(1);
        try (ContentHasher hasher = ContentHasher.open(tmp.resolve("cache"), Clock.fixed(justInside, ZoneOffset.UTC))) {
            hasher.hash(f);
            hasher.hash(f);
            assertEquals(2, hasher.filesRead(), "an mtime within the racy window must be re-read");
        }
    }

    @Test
    void aMemoRecordedOneRacyWindowAfterTheModificationIsTrusted() throws IOException {
        Instant mtime = Instant.parse("2026-01-02T03:04:05Z");
        Path f = write("settled.jpg", "new".getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(f, FileTime.from(mtime));
        Instant atTheEdge = mtime.plusNanos(ContentHasher.RACY_WINDOW_NANOS);
        try (ContentHasher hasher = ContentHasher.open(tmp.resolve("cache"), Clock.fixed(atTheEdge, ZoneOffset.UTC))) {
            hasher.hash(f);
            hasher.hash(f);
            assertEquals(1, hasher.filesRead(), "the window has passed: the memo holds");
            assertEquals(1, hasher.memoHits());
        }
    }

    @Test
    void severalThreadsHashCorrectly() throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] content = new byte[1000 + i * 997];
            Arrays.fill(content, (byte) i);
            files.add(old(write("f" + i + ".bin", content)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (ContentHasher hasher = ContentHasher.open(tmp.resolve("cache"))) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        for (Path f : files) {
                            if (!hasher.hash(f).equals(ContentHasher.sha256Hex(f))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get(60, TimeUnit.SECONDS));
            }
            assertEquals(6 * 3 * 40, hasher.filesRead() + hasher.memoHits());
            // each thread's own first round memoises every file, so its later rounds are all hits
            assertTrue(hasher.memoHits() >= 6 * 2 * 40, "memo used: " + hasher.memoHits());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchReportsUnreadableFilesAndHashesTheRest() throws IOException {
        Path a = old(write("a.jpg", "A".getBytes(StandardCharsets.UTF_8)));
        Path b = old(write("b.jpg", "B".getBytes(StandardCharsets.UTF_8)));
        Path missing = tmp.resolve("missing.jpg");
        try (ContentHasher hasher = ContentHasher.open(tmp.resolve("cache"))) {
            Map<Path, IOException> failures = new LinkedHashMap<>();
            Map<Path, String> hashes = hasher.hashAll(List.of(a, missing, b), failures::put);
            assertEquals(List.of(a, b), new ArrayList<>(hashes.keySet()));
            assertEquals(ContentHasher.sha256Hex(a), hashes.get(a));
            assertEquals(ContentHasher.sha256Hex(b), hashes.get(b));
            assertEquals(List.of(missing), new ArrayList<>(failures.keySet()));
            assertTrue(failures.get(missing).getMessage().contains("missing.jpg"));
            assertEquals(2, hasher.filesRead());

            Map<Path, String> again = hasher.hashAll(List.of(b, a), (f, e) -> { throw new AssertionError(f + ": " + e); });
            assertEquals(hashes.get(a), again.get(a));
            assertEquals(2, hasher.filesRead(), "second batch served from the memo");
            assertEquals(2, hasher.memoHits());
        }
    }

    @Test
    void aMissingFileIsAnIoErrorNamingIt() {
        Path missing = tmp.resolve("nope.jpg");
        try (ContentHasher hasher = ContentHasher.open(tmp.resolve("cache"))) {
            IOException e = assertThrows(IOException.class, () -> hasher.hash(missing));
            assertTrue(e.getMessage().contains("nope.jpg"), e.getMessage());
            IOException dir = assertThrows(IOException.class, () -> hasher.hash(tmp));
            assertTrue(dir.getMessage().contains("not a regular file"), dir.getMessage());
        }
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }

    /** Sets the modification time an hour back, outside the racy window. */
    private static Path old(Path f) throws IOException {
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(3600)));
        return f;
    }
}
