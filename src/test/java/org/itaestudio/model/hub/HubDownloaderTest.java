package org.itaestudio.model.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The transfer itself against {@link FakeHub}: checksum, cancellation and resume, locking, token, odd servers. */
@Timeout(60)
class HubDownloaderTest {

    private static final String REPO = "facebook/dinov2-small";
    private static final String WEIGHTS = "model.safetensors";

    @TempDir
    Path tmp;
    private FakeHub hub;
    private Path cache;
    private HubCache layout;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub(REPO);
        cache = tmp.resolve("cache");
        layout = new HubCache(cache);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HubDownloader downloader(Map<String, String> env) {
        return new HubDownloader(HubEnvironment.of(env), Duration.ofSeconds(5), Duration.ofSeconds(5), 3);
    }

    // (c) ----------------------------------------------------------------------------------------------------

    @Test
    void corruptBytesAreRefusedAndLeaveNoBlob() throws IOException {
        hub.corrupt = true;
        byte[] corrupted = hub.weights.clone();
        corrupted[corrupted.length / 2] ^= 0x5A;

        ModelResolveException e = assertThrows(ModelResolveException.class,
                () -> downloader(hub.env(cache)).download(REPO, "main", WEIGHTS));
        assertEquals(ModelResolveException.Reason.CHECKSUM, e.reason());
        assertEquals("checksum mismatch for model.safetensors: expected " + hub.weightsSha256 + ", got "
                + FakeHub.sha256Hex(corrupted) + " (the download was discarded)", e.getMessage());
        assertFalse(Files.exists(layout.blobPath(REPO, hub.weightsSha256)));
        assertFalse(Files.exists(layout.incompletePath(REPO, hub.weightsSha256)));
        assertFalse(Files.exists(layout.snapshotFolder(REPO, FakeHub.COMMIT).resolve(WEIGHTS)));

        // nothing poisoned: once the server is fixed the same cache downloads the right file
        hub.corrupt = false;
        HubDownloader.HubFile file = downloader(hub.env(cache)).download(REPO, "main", WEIGHTS);
        assertArrayEquals(hub.weights, Files.readAllBytes(file.path()));
        assertNull(hub.cdnGets().get(1).range());
    }

    // (h) ----------------------------------------------------------------------------------------------------

    @Test
    void cancellingKeepsThePartialFileAndALaterCallResumesIt() throws Exception {
        hub.pauseAfter = 150_000;
        hub.release = new CountDownLatch(1);
        AtomicBoolean cancel = new AtomicBoolean();
        Reached paused = new Reached(150_000);
        Path incomplete = layout.incompletePath(REPO, hub.weightsSha256);

        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            Future<HubDownloader.HubFile> running = worker.submit(() -> downloader(hub.env(cache)).download(REPO,
                    "main", WEIGHTS, paused, cancel::get));
            // the server now holds the connection open after 150,000 bytes: cancel while the client waits
            paused.await();
            cancel.set(true);
            ExecutionException failure = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));

            ModelResolveException e = (ModelResolveException) failure.getCause();
            assertEquals(ModelResolveException.Reason.CANCELLED, e.reason());
            assertEquals("download of model.safetensors cancelled (150000 bytes kept in " + incomplete
                    + " for resume)", e.getMessage());
            assertEquals(1, hub.release.getCount(), "cancelled while the server still held the body back");
            assertEquals(150_000, Files.size(incomplete));
            assertFalse(Files.exists(layout.blobPath(REPO, hub.weightsSha256)));
        } finally {
            hub.release.countDown();
            worker.shutdownNow();
        }

        hub.pauseAfter = -1;
        HubDownloader.HubFile file = downloader(hub.env(cache)).download(REPO, "main", WEIGHTS);
        assertTrue(file.downloaded());
        assertArrayEquals(hub.weights, Files.readAllBytes(file.path()));
        List<FakeHub.Request> gets = hub.cdnGets();
        assertEquals("bytes=150000-", gets.get(gets.size() - 1).range());
        assertFalse(Files.exists(incomplete));
    }

    @Test
    void interruptingTheThreadCancelsToo() throws Exception {
        hub.pauseAfter = 50_000;
        hub.release = new CountDownLatch(1);
        Reached paused = new Reached(50_000);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            Future<HubDownloader.HubFile> running = worker.submit(() -> downloader(hub.env(cache)).download(REPO,
                    "main", WEIGHTS, paused, () -> false));
            paused.await();
            running.cancel(true);
            worker.shutdown();
            // the server holds the body for 20 s: stopping well before that can only be the interrupt
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS), "the download did not stop on interrupt");
            assertEquals(1, hub.release.getCount(), "stopped while the server still held the body back");
            assertEquals(50_000, Files.size(layout.incompletePath(REPO, hub.weightsSha256)));
        } finally {
            hub.release.countDown();
            worker.shutdownNow();
        }
    }

    @Test
    void aStalledBodyIsRetriedFromWhereItStopped() throws IOException {
        hub.pauseAfter = 80_000;
        hub.release = new CountDownLatch(1); // never released: the first transfer stalls
        HubDownloader impatient = new HubDownloader(HubEnvironment.of(hub.env(cache)), Duration.ofSeconds(5),
                Duration.ofMillis(400), 2);
        // the second attempt asks for bytes=80000-, which the fake serves without pausing
        HubDownloader.HubFile file = impatient.download(REPO, "main", WEIGHTS);
        assertArrayEquals(hub.weights, Files.readAllBytes(file.path()));
        assertEquals(List.of("null", "bytes=80000-"),
                hub.cdnGets().stream().map(r -> String.valueOf(r.range())).toList());
    }

    @Test
    void aServerThatIgnoresRangeRestartsTheFileFromZero() throws IOException {
        hub.abortTransfers = 1;
        hub.abortAfter = 90_000;
        hub.ignoreRange = true;
        HubDownloader.HubFile file = downloader(hub.env(cache)).download(REPO, "main", WEIGHTS);
        assertArrayEquals(hub.weights, Files.readAllBytes(file.path()));
        List<FakeHub.Request> gets = hub.cdnGets();
        assertEquals(2, gets.size());
        assertEquals("bytes=90000-", gets.get(1).range()); // asked to resume, got a 200 with the whole file
    }

    @Test
    void aCompletePartialFileIsVerifiedWithoutTransferringAgain() throws IOException {
        Path incomplete = layout.incompletePath(REPO, hub.weightsSha256);
        Files.createDirectories(incomplete.getParent());
        Files.write(incomplete, hub.weights); // e.g. the process died between the last byte and the move
        HubDownloader.HubFile file = downloader(hub.env(cache)).download(REPO, "main", WEIGHTS);
        assertTrue(file.downloaded());
        assertArrayEquals(hub.weights, Files.readAllBytes(file.path()));
        assertEquals(0, hub.cdnGets().size());
    }

    @Test
    void progressReportsResumedBytesAndEndsWithTheTotal() throws IOException {
        Path incomplete = layout.incompletePath(REPO, hub.weightsSha256);
        Files.createDirectories(incomplete.getParent());
        Files.write(incomplete, java.util.Arrays.copyOf(hub.weights, 60_000));
        List<long[]> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean finished = new AtomicBoolean();
        downloader(hub.env(cache)).download(REPO, "main", WEIGHTS, new DownloadListener() {
            @Override
            public void progress(long done, long total, double rate) {
                reports.add(new long[] {done, total});
            }

            @Override
            public void finished() {
                finished.set(true);
            }
        }, () -> false);
        assertArrayEquals(new long[] {60_000, FakeHub.WEIGHTS_SIZE}, reports.get(0));
        assertArrayEquals(new long[] {FakeHub.WEIGHTS_SIZE, FakeHub.WEIGHTS_SIZE}, reports.get(reports.size() - 1));
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i)[0] >= reports.get(i - 1)[0], "progress went backwards");
        }
        assertTrue(finished.get());
    }

    // locking --------------------------------------------------------------------------------------------------

    @Test
    void twoConcurrentDownloadsOfOneBlobTransferItOnce() throws Exception {
        hub.pauseAfter = 50_000;
        hub.release = new CountDownLatch(1);
        Reached firstPaused = new Reached(50_000);
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            Future<HubDownloader.HubFile> first = workers.submit(() -> downloader(hub.env(cache)).download(REPO,
                    "main", WEIGHTS, firstPaused, () -> false));
            firstPaused.await();
            Future<HubDownloader.HubFile> second = workers.submit(() -> downloader(hub.env(cache)).download(REPO,
                    "main", WEIGHTS));
            // the second has asked the hub for metadata and now waits for the lock
            hub.awaitRequests(rs -> rs.stream().filter(r -> r.method().equals("HEAD")).count() == 2);
            assertFalse(second.isDone(), "the lock is held until the first transfer is released");
            hub.release.countDown();

            HubDownloader.HubFile a = first.get(10, TimeUnit.SECONDS);
            HubDownloader.HubFile b = second.get(10, TimeUnit.SECONDS);
            assertTrue(a.downloaded());
            assertFalse(b.downloaded());
            assertEquals(a.path(), b.path());
            assertArrayEquals(hub.weights, Files.readAllBytes(b.path()));
            assertEquals(1, hub.cdnGets().size());
            assertTrue(Files.exists(layout.lockPath(REPO, hub.weightsSha256)));
        } finally {
            hub.release.countDown();
            workers.shutdownNow();
        }
    }

    @Test
    void anotherProcessHoldingTheLockMakesTheDownloadWaitAndTheWaitCanBeCancelled() throws Exception {
        Path lockFile = layout.lockPath(REPO, hub.weightsSha256);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), lockFile.toString()).redirectErrorStream(true).start();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            var fromHolder = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()));
            assertEquals("locked", fromHolder.readLine());

            // a waiting download can be cancelled
            AtomicBoolean cancel = new AtomicBoolean();
            Future<HubDownloader.HubFile> cancelled = workers.submit(() -> downloader(hub.env(cache)).download(REPO,
                    "main", WEIGHTS, DownloadListener.NONE, cancel::get));
            hub.awaitRequests(rs -> rs.size() == 1); // its HEAD: now it waits for the lock
            assertFalse(cancelled.isDone(), "the other process holds the lock");
            cancel.set(true);
            ExecutionException e = assertThrows(ExecutionException.class, () -> cancelled.get(2, TimeUnit.SECONDS));
            assertEquals(ModelResolveException.Reason.CANCELLED, ((ModelResolveException) e.getCause()).reason());

            // another one waits, then proceeds once the other process lets go
            Future<HubDownloader.HubFile> waiting = workers.submit(() -> downloader(hub.env(cache)).download(REPO,
                    "main", WEIGHTS));
            hub.awaitRequests(rs -> rs.size() == 2);
            assertFalse(waiting.isDone(), "the other process still holds the lock");
            assertEquals(0, hub.cdnGets().size());
            holder.getOutputStream().write('\n');
            holder.getOutputStream().flush();
            HubDownloader.HubFile file = waiting.get(10, TimeUnit.SECONDS);
            assertArrayEquals(hub.weights, Files.readAllBytes(file.path()));
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        } finally {
            holder.destroyForcibly();
            workers.shutdownNow();
        }
    }

    // token and errors -------------------------------------------------------------------------------------------

    @Test
    void theTokenGoesToTheHubButNotToTheCdn() throws IOException {
        hub.requiredToken = "hf_secret";
        Map<String, String> env = hub.env(cache);
        env.put("HF_TOKEN", "hf_secret");
        downloader(env).download(REPO, "main", WEIGHTS);
        for (FakeHub.Request r : hub.requests()) {
            if (r.server().equals("hub")) {
                assertEquals("Bearer hf_secret", r.authorization(), r.toString());
            } else {
                assertNull(r.authorization(), "token leaked to the CDN: " + r);
            }
        }
    }

    @Test
    void aMissingTokenIsExplained() {
        hub.requiredToken = "hf_secret";
        ModelResolveException e = assertThrows(ModelResolveException.class,
                () -> downloader(hub.env(cache)).download(REPO, "main", "config.json"));
        assertEquals(ModelResolveException.Reason.HTTP, e.reason());
        assertEquals(hub.endpoint() + " answered HTTP 401 for facebook/dinov2-small/config.json: authentication"
                + " required or the repository does not exist; set HF_TOKEN if it is private (Invalid credentials in"
                + " Authorization header)", e.getMessage());
    }

    @Test
    void offlineTheDownloaderServesCachedFilesAndRefusesTheRest() throws IOException {
        HubDownloader.HubFile online = downloader(hub.env(cache)).download(REPO, "main", "config.json");
        int requests = hub.requestCount();
        Map<String, String> env = hub.env(cache);
        env.put("HF_HUB_OFFLINE", "1");
        HubDownloader offline = downloader(env);
        assertEquals(online.path(), offline.download(REPO, "main", "config.json").path());
        ModelResolveException e = assertThrows(ModelResolveException.class,
                () -> offline.download(REPO, "main", WEIGHTS));
        assertEquals(ModelResolveException.Reason.NOT_CACHED_OFFLINE, e.reason());
        assertEquals(requests, hub.requestCount());
        // a commit whose file is cached needs no network even online
        assertEquals(online.path(), downloader(hub.env(cache)).download(REPO, FakeHub.COMMIT, "config.json").path());
        assertEquals(requests, hub.requestCount());
    }

    @Test
    void aRenamedRepoIsFollowedOnTheHubWithTheToken() throws IOException {
        Map<String, String> env = hub.env(cache);
        env.put("HF_TOKEN", "hf_secret");
        HubDownloader.HubFile file = downloader(env).download(FakeHub.RENAMED, "main", WEIGHTS);
        // stored under the name asked for, as huggingface_hub does
        assertEquals(new HubCache(cache).snapshotFolder(FakeHub.RENAMED, FakeHub.COMMIT).resolve(WEIGHTS), file.path());
        assertArrayEquals(hub.weights, Files.readAllBytes(file.path()));
        List<String> heads = hub.requests().stream().filter(r -> r.method().equals("HEAD"))
                .map(r -> r.path() + " " + r.authorization()).toList();
        assertEquals(List.of("/" + FakeHub.RENAMED + "/resolve/main/" + WEIGHTS + " Bearer hf_secret",
                "/" + REPO + "/resolve/main/" + WEIGHTS + " Bearer hf_secret"), heads);
    }

    @Test
    void etagsAreNormalisedLikeHuggingfaceHub() {
        assertEquals("abc", HubDownloader.normalizeEtag("W/\"abc\""));
        assertEquals("abc", HubDownloader.normalizeEtag("\"abc\""));
        assertNull(HubDownloader.normalizeEtag("\"\""));
    }

    /** A listener whose {@link #await} returns once the transfer has reached {@code bytes}. */
    private static final class Reached implements DownloadListener {
        private final long bytes;
        private final CountDownLatch reached = new CountDownLatch(1);

        Reached(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public void progress(long bytesDone, long bytesTotal, double bytesPerSecond) {
            if (bytesDone >= bytes) {
                reached.countDown();
            }
        }

        void await() throws InterruptedException {
            assertTrue(reached.await(10, TimeUnit.SECONDS), "the transfer did not reach " + bytes + " bytes");
        }
    }
}
