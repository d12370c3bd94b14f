package org.itaestudio.model.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny Hugging Face hub on 127.0.0.1 (ephemeral ports) with the headers the real hub sends:
 * <ul>
 *   <li>{@code HEAD/GET /<org>/<name>/resolve/<rev>/config.json}: 200, {@code ETag: "<git blob sha1>"},
 *       {@code X-Repo-Commit};</li>
 *   <li>{@code .../model.safetensors}: 302 to a CDN on a second port (another origin, like cdn-lfs), with
 *       {@code X-Linked-Etag: "<sha256>"}, {@code X-Linked-Size}, {@code X-Repo-Commit} and the LFS pointer's
 *       ETag;</li>
 *   <li>CDN {@code GET /cdn/<sha256>}: the bytes, honouring {@code Range: bytes=N-} with 206.</li>
 * </ul>
 * Fault knobs break the CDN transfer on purpose. Every request is logged. Threads are daemons, the pool is
 * bounded, and both servers stop on close() or, at the latest, after {@link #MAX_LIFETIME_SECONDS}.
 */
final class FakeHub implements AutoCloseable {

    static final String COMMIT = "4f5a1b2c3d4e5f60718293a4b5c6d7e8f9012345";
    static final String CONFIG_JSON = "{\n  \"model_type\": \"dinov2\",\n  \"hidden_size\": 384\n}\n";
    static final int WEIGHTS_SIZE = 300 * 1024;
    static final int MAX_LIFETIME_SECONDS = 120;
    /** A repo id that redirects to the (first) served repo, as the hub does after a rename. */
    static final String RENAMED = "facebook/old-dinov2-name";

    record Request(String server, String method, String path, String range, String authorization) {
    }

    final byte[] config = CONFIG_JSON.getBytes(StandardCharsets.UTF_8);
    final byte[] weights;
    final String configEtag;   // git blob sha1, as the hub sends for regular files
    final String weightsSha256;
    final String pointerEtag;  // the LFS pointer file's git sha1 (sent as ETag on the 302)

    /** Knobs (set before a request; read by the server threads). */
    volatile int abortTransfers;            // this many CDN GETs write abortAfter bytes, then break off
    volatile long abortAfter = 100_000;
    volatile boolean ignoreRange;           // answer 200 with the whole file even for a Range request
    volatile boolean corrupt;               // flip a byte in the middle (same length)
    volatile long pauseAfter = -1;          // write this many bytes, then wait for release (bounded)
    volatile CountDownLatch release = new CountDownLatch(0);
    volatile CountDownLatch hubRelease = new CountDownLatch(0); // hub answers wait for it (bounded)
    volatile String requiredToken;          // 401 on resolve URLs without "Bearer <token>"

    private final Set<String> repos;
    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService pool;
    private final List<Request> requests = new ArrayList<>();
    private final AtomicInteger abortedSoFar = new AtomicInteger();

    FakeHub(String... repoIds) throws IOException {
        this.repos = Set.of(repoIds.length == 0 ? new String[] {"facebook/dinov2-small"} : repoIds);
        this.weights = fakeWeights();
        this.configEtag = gitBlobSha1(config);
        this.weightsSha256 = sha256Hex(weights);
        this.pointerEtag = gitBlobSha1(("version https://git-lfs.github.com/spec/v1\noid sha256:" + weightsSha256
                + "\nsize " + WEIGHTS_SIZE + "\n").getBytes(StandardCharsets.UTF_8));
        this.pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-hub");
            t.setDaemon(true);
            return t;
        });
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 16);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 16);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.setExecutor(pool);
        cdn.setExecutor(pool);
        hub.start();
        cdn.start();
        // a broken test never leaves the servers running: they close themselves after their maximum lifetime
        Thread reaper = new Thread(() -> {
            try {
                if (!closed.await(MAX_LIFETIME_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                    close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fake-hub-reaper");
        reaper.setDaemon(true);
        reaper.start();
    }

    /** Counted down by {@link #close()}; the reaper waits on it. */
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    String endpoint() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    String cdnOrigin() {
        return "http://127.0.0.1:" + cdn.getAddress().getPort();
    }

    /** An environment with the cache at {@code cacheRoot} and this hub as endpoint. */
    Map<String, String> env(Path cacheRoot) {
        Map<String, String> env = new HashMap<>();
        env.put("HF_HUB_CACHE", cacheRoot.toString());
        env.put("HF_ENDPOINT", endpoint());
        return env;
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Waits (at most 10 s) until the requests so far satisfy {@code until}. */
    synchronized void awaitRequests(Predicate<List<Request>> until) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!until.test(List.copyOf(requests))) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("requests not reached within 10 s: " + requests);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    synchronized int requestCount() {
        return requests.size();
    }

    /** CDN GETs so far (actual transfers of the weights). */
    synchronized List<Request> cdnGets() {
        return requests.stream().filter(r -> r.server().equals("cdn") && r.method().equals("GET")).toList();
    }

    @Override
    public void close() {
        closed.countDown();
        release.countDown();
        hubRelease.countDown();
        hub.stop(0);
        cdn.stop(0);
        pool.shutdownNow();
    }

    // ----------------------------------------------------------------------------------------------------------

    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/([^/]+)");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private void handleHub(HttpExchange ex) throws IOException {
        try (ex) {
            log("hub", ex);
            try {
                hubRelease.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException("interrupted", e);
            }
            Matcher m = RESOLVE.matcher(ex.getRequestURI().getPath());
            if (!m.matches()) {
                error(ex, 404, "EntryNotFound", "no such route");
                return;
            }
            String token = requiredToken;
            if (token != null && !("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                error(ex, 401, "RepoNotFound", "Invalid credentials in Authorization header");
                return;
            }
            String repo = m.group(1);
            String revision = m.group(2);
            String file = m.group(3);
            if (repo.equals(RENAMED)) { // the hub answers a renamed repo with a relative 307 to the new name
                ex.getResponseHeaders().set("Location", "/" + repos.iterator().next() + "/resolve/" + revision + "/"
                        + file);
                ex.sendResponseHeaders(307, -1);
                return;
            }
            if (!repos.contains(repo)) {
                error(ex, 404, "RepoNotFound", "Repository not found");
                return;
            }
            if (!revision.equals("main") && !revision.equals(COMMIT)) {
                error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
                return;
            }
            var headers = ex.getResponseHeaders();
            headers.set("X-Repo-Commit", COMMIT);
            boolean head = ex.getRequestMethod().equals("HEAD");
            switch (file) {
                case "config.json" -> {
                    headers.set("ETag", "\"" + configEtag + "\"");
                    headers.set("Content-Type", "text/plain; charset=utf-8");
                    if (head) {
                        headers.set("Content-Length", Integer.toString(config.length));
                        ex.sendResponseHeaders(200, -1);
                    } else {
                        ex.sendResponseHeaders(200, config.length);
                        ex.getResponseBody().write(config);
                    }
                }
                case "model.safetensors" -> {
                    headers.set("ETag", "\"" + pointerEtag + "\"");
                    headers.set("X-Linked-Etag", "\"" + weightsSha256 + "\"");
                    headers.set("X-Linked-Size", Integer.toString(weights.length));
                    headers.set("Location", cdnOrigin() + "/cdn/" + weightsSha256 + "?signed=1");
                    ex.sendResponseHeaders(302, -1);
                }
                default -> error(ex, 404, "EntryNotFound", file + " does not exist on \"" + revision + "\"");
            }
        }
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        try (ex) {
            log("cdn", ex);
            if (!ex.getRequestURI().getPath().equals("/cdn/" + weightsSha256) || !ex.getRequestMethod().equals("GET")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = weights;
            if (corrupt) {
                body = weights.clone();
                body[body.length / 2] ^= 0x5A;
            }
            long start = 0;
            String range = ex.getRequestHeaders().getFirst("Range");
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m != null && m.matches() && !ignoreRange) {
                start = Long.parseLong(m.group(1));
                if (start >= body.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range",
                        "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
                ex.sendResponseHeaders(206, body.length - start);
            } else {
                ex.sendResponseHeaders(200, body.length);
            }
            OutputStream out = ex.getResponseBody();
            int from = (int) start;
            if (abortedSoFar.get() < abortTransfers) {
                abortedSoFar.incrementAndGet();
                int stop = (int) Math.min(body.length, from + abortAfter);
                out.write(body, from, stop - from);
                out.flush();
                // an exception out of the handler makes the server drop the connection mid-body
                throw new IOException("fake hub: breaking the transfer off on purpose");
            }
            if (pauseAfter >= 0 && from < pauseAfter) {
                int stop = (int) Math.min(body.length, pauseAfter);
                out.write(body, from, stop - from);
                out.flush();
                from = stop;
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException("interrupted", e);
                }
            }
            out.write(body, from, body.length - from);
        }
    }

    private synchronized void log(String server, HttpExchange ex) {
        requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getPath(),
                ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization")));
        notifyAll();
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        ex.getResponseHeaders().set("X-Error-Code", code);
        ex.getResponseHeaders().set("X-Error-Message", message);
        ex.sendResponseHeaders(status, -1);
    }

    /**
     * WEIGHTS_SIZE pseudo-random bytes that tools/hf_cache_golden.py reproduces: block i (32 bytes) is
     * sha256("itae-fake-weights" + i as 4 big-endian bytes).
     */
    static byte[] fakeWeights() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] out = new byte[WEIGHTS_SIZE];
            byte[] prefix = "itae-fake-weights".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0, pos = 0; pos < out.length; i++, pos += 32) {
                sha.update(prefix);
                sha.update(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
                byte[] block = sha.digest();
                System.arraycopy(block, 0, out, pos, Math.min(32, out.length - pos));
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** git's object id of a blob: sha1("blob <size>\0" + content). */
    static String gitBlobSha1(byte[] data) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha1.digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
