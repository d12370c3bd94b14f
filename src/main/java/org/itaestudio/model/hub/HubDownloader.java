package org.itaestudio.model.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.itaestudio.progress.RateMeter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads single files of a Hugging Face model repo into the hub cache, the way huggingface_hub's
 * hf_hub_download does:
 * <ol>
 *   <li>HEAD {@code <endpoint>/<repo>/resolve/<revision>/<file>} (redirects within the hub's origin followed,
 *       the one to a CDN not): commit from {@code X-Repo-Commit}, etag and size from {@code X-Linked-Etag}/{@code X-Linked-Size}
 *       (LFS files, whose HEAD redirects to a CDN) or {@code ETag}/{@code Content-Length};</li>
 *   <li>{@code refs/<revision>} records the commit ({@code CACHEDIR.TAG} marks the cache root for backup tools);
 *       an existing snapshot file or blob is reused;</li>
 *   <li>under a lock ({@code .locks/models--x--y/<etag>.lock}, in-process and FileChannel.lock between
 *       processes) GET the location into {@code blobs/<etag>.incomplete}, resuming an earlier partial file with
 *       {@code Range: bytes=N-} (206 appends; a server that ignores Range and answers 200 restarts the file);</li>
 *   <li>check the size and, when the etag is a SHA-256, the checksum (a mismatch deletes the file), move it
 *       atomically to {@code blobs/<etag>} and link {@code snapshots/<commit>/<file>} to it.</li>
 * </ol>
 * A transfer that breaks off mid-body is retried (resuming) up to {@code maxAttempts} times; if it still fails
 * the partial file stays for the next call. Cancellation (the supplier, or interrupting the thread) is noticed
 * within about 100 ms, even while waiting for a stalled server, and also keeps the partial file. The bearer
 * token goes to the endpoint's origin only, never to a CDN a redirect points to.
 */
public final class HubDownloader {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long to wait for response headers, and for the next bytes of a body, before giving up. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    /** Where a file ended up in the cache. {@code downloaded}: bytes were transferred by this call. */
    public record HubFile(String repoId, String filename, String commitHash, Path path, boolean downloaded) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(HubDownloader.class);
    private static final long POLL_MILLIS = 100;
    private static final int MAX_REDIRECTS = 10;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)");
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final HubEnvironment env;
    private final HubCache cache;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxAttempts;
    private final URI endpoint;
    private final Optional<String> token;
    private volatile HttpClient client; // created on first network use: a cached model never needs one

    public HubDownloader(HubEnvironment env) {
        this(env, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_MAX_ATTEMPTS);
    }

    /**
     * @param connectTimeout limit for opening a connection (keeps "no internet" a quick, clean error)
     * @param readTimeout    limit for the response headers and for any pause in a body
     * @param maxAttempts    transfer attempts per call when a body breaks off (each resumes the previous)
     */
    public HubDownloader(HubEnvironment env, Duration connectTimeout, Duration readTimeout, int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
        this.env = Objects.requireNonNull(env);
        this.cache = new HubCache(env.cacheRoot());
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxAttempts = maxAttempts;
        String base = env.endpoint();
        try {
            this.endpoint = URI.create(base + "/");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("HF_ENDPOINT is not a valid URL: " + base, e);
        }
        if (endpoint.getHost() == null || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
            throw new IllegalArgumentException("HF_ENDPOINT is not an http(s) URL: " + base);
        }
        this.token = env.token();
    }

    public HubCache cache() {
        return cache;
    }

    public HubEnvironment environment() {
        return env;
    }

    /** {@link #download(String, String, String, DownloadListener, BooleanSupplier)} without progress or cancellation. */
    public HubFile download(String repoId, String revision, String filename) throws ModelResolveException {
        return download(repoId, revision, filename, DownloadListener.NONE, () -> false);
    }

    /**
     * Makes {@code snapshots/<commit>/<filename>} of the repo exist in the cache and returns it.
     *
     * @param revision  a branch ("main") or a 40-hex commit hash; a commit whose file is cached needs no network
     * @param listener  progress of the transfer, if one happens
     * @param cancelled polled about every 100 ms; true stops the transfer (partial file kept for resume)
     */
    public HubFile download(String repoId, String revision, String filename, DownloadListener listener,
            BooleanSupplier cancelled) throws ModelResolveException {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(cancelled, "cancelled");
        if (!HubCache.isSafeName(filename) || !HubCache.isSafeName(revision)) {
            throw new IllegalArgumentException("invalid file name or revision: " + filename + " @ " + revision);
        }
        cache.repoFolder(repoId); // validates the repo id
        if (HubCache.isCommitHash(revision)) {
            Path pointer = cache.snapshotFolder(repoId, revision).resolve(filename);
            if (Files.isRegularFile(pointer)) {
                return new HubFile(repoId, filename, revision, pointer, false);
            }
        }
        if (env.offline()) {
            Optional<Path> snapshot = cache.cachedSnapshot(repoId, revision, List.of(filename));
            if (snapshot.isPresent()) {
                return new HubFile(repoId, filename, snapshot.get().getFileName().toString(),
                        snapshot.get().resolve(filename), false);
            }
            throw new ModelResolveException(ModelResolveException.Reason.NOT_CACHED_OFFLINE,
                    filename + " of " + repoId + " is not in the Hugging Face cache and HF_HUB_OFFLINE is set: place it"
                            + " (from " + env.endpoint() + "/" + repoId + ") in "
                            + cache.placementFolder(repoId, revision) + "/");
        }
        checkCancelled(cancelled, filename, null);

        FileMetadata meta = head(repoId, revision, filename, cancelled);
        Path pointer = cache.snapshotFolder(repoId, meta.commit()).resolve(filename);
        Path blob = cache.blobPath(repoId, meta.etag());
        try {
            if (Files.isRegularFile(pointer)) {
                try {
                    updateRef(repoId, revision, meta.commit());
                } catch (IOException e) {
                    // a read-only cache still serves what it holds (as in huggingface_hub)
                }
                return new HubFile(repoId, filename, meta.commit(), pointer, false);
            }
            cache.tagAsCache();
            updateRef(repoId, revision, meta.commit());
            if (Files.isRegularFile(blob)) {
                HubCache.linkSnapshotFile(blob, pointer, false);
                return new HubFile(repoId, filename, meta.commit(), pointer, false);
            }
        } catch (IOException e) {
            throw ioError(e, cache.repoFolder(repoId));
        }
        boolean transferred = withBlobLock(cache.lockPath(repoId, meta.etag()), filename, cancelled, () -> {
            if (Files.isRegularFile(pointer)) {
                return false;
            }
            boolean fresh = !Files.isRegularFile(blob); // else another process finished it while we waited
            if (fresh) {
                new Transfer(meta, filename, cache.incompletePath(repoId, meta.etag()), listener, cancelled)
                        .run(blob);
            }
            HubCache.linkSnapshotFile(blob, pointer, fresh);
            return fresh;
        });
        return new HubFile(repoId, filename, meta.commit(), pointer, transferred);
    }

    private void updateRef(String repoId, String revision, String commit) throws IOException {
        if (!revision.equals(commit)) {
            cache.writeRef(repoId, revision, commit);
        }
    }

    /** The resolve URL of a file: {@code <endpoint>/<repo>/resolve/<revision>/<file>}. */
    public URI resolveUrl(String repoId, String revision, String filename) {
        return endpoint.resolve(repoId + "/resolve/" + encode(revision) + "/" + encode(filename));
    }

    // ---------------------------------------------------------------------------------------------- metadata

    private record FileMetadata(URI location, String commit, String etag, long size) {
    }

    private FileMetadata head(String repoId, String revision, String filename, BooleanSupplier cancelled)
            throws ModelResolveException {
        URI current = resolveUrl(repoId, revision, filename);
        for (int redirects = 0; ; redirects++) {
            HttpRequest request = requestBuilder(current).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
            HttpResponse<Void> response;
            try {
                response = await(client().sendAsync(request, HttpResponse.BodyHandlers.discarding()), cancelled,
                        () -> cancelledError(filename, null, null));
            } catch (TransportFailure f) {
                throw new ModelResolveException(ModelResolveException.Reason.NETWORK,
                        "cannot reach " + env.endpoint() + ": " + f.getMessage(), f.getCause());
            }
            int status = response.statusCode();
            HttpHeaders headers = response.headers();
            if (isRedirect(status)) {
                String location = headers.firstValue("Location").orElseThrow(() -> new ModelResolveException(
                        ModelResolveException.Reason.HTTP, "HTTP " + status + " without Location from " + origin(
                                response.uri()) + " for " + repoId + "/" + filename));
                URI target = resolveLocation(response.uri(), location, filename);
                // like huggingface_hub, follow redirects that stay on the hub (renamed repos) but not the one to a
                // CDN: that response carries the metadata, and its Location is where the bytes are
                if ((isRelative(location) || sameOrigin(target, response.uri())) && redirects < MAX_REDIRECTS) {
                    current = target;
                    continue;
                }
                return metadata(headers, target, true, repoId, filename);
            }
            if (status >= 400) {
                throw httpError(status, headers, response.uri(), repoId + "/" + filename);
            }
            return metadata(headers, current, false, repoId, filename);
        }
    }

    private FileMetadata metadata(HttpHeaders headers, URI location, boolean redirect, String repoId,
            String filename) throws ModelResolveException {
        String commit = headers.firstValue("X-Repo-Commit").map(String::trim).orElse(null);
        String etag = normalizeEtag(headers.firstValue("X-Linked-Etag")
                .orElse(headers.firstValue("ETag").orElse(null)));
        // a redirect's Content-Length is that of the redirect's own body, not of the file
        long size = parseSize(headers.firstValue("X-Linked-Size")
                .orElse(redirect ? null : headers.firstValue("Content-Length").orElse(null)));
        if (commit == null || etag == null || !HubCache.isSafeName(commit) || !HubCache.isSafeName(etag)) {
            throw new ModelResolveException(ModelResolveException.Reason.HTTP, env.endpoint()
                    + " sent no usable X-Repo-Commit/ETag headers for " + repoId + "/" + filename
                    + " (got commit " + commit + ", etag " + etag + "): is HF_ENDPOINT a Hugging Face hub?");
        }
        return new FileMetadata(location, commit, etag, size);
    }

    // ---------------------------------------------------------------------------------------------- transfer

    /** One blob's download, across attempts; the SHA-256 state survives attempts so a resume never re-reads. */
    private final class Transfer {
        private final FileMetadata meta;
        private final String filename;
        private final Path incomplete;
        private final DownloadListener listener;
        private final BooleanSupplier cancelled;
        private final MessageDigest digest;
        private long hashedBytes = -1; // bytes of the file covered by digest; -1: digest not in sync
        private boolean listenerStarted;

        Transfer(FileMetadata meta, String filename, Path incomplete, DownloadListener listener,
                BooleanSupplier cancelled) {
            this.meta = meta;
            this.filename = filename;
            this.incomplete = incomplete;
            this.listener = listener;
            this.cancelled = cancelled;
            this.digest = SHA256.matcher(meta.etag()).matches() ? sha256() : null;
        }

        void run(Path blob) throws IOException {
            Files.createDirectories(incomplete.getParent());
            try {
                for (int attempt = 1; ; attempt++) {
                    try {
                        attempt();
                        break;
                    } catch (TransportFailure failure) {
                        if (attempt >= maxAttempts) {
                            throw giveUp(failure);
                        }
                        LOG.info("{}: {}; resuming (attempt {} of {})", filename, failure.getMessage(), attempt + 1,
                                maxAttempts);
                        pause(250L * attempt);
                    }
                }
                publish(blob);
            } finally {
                if (listenerStarted) {
                    listener.finished();
                }
            }
        }

        private void attempt() throws IOException, TransportFailure {
            long have = sizeOf(incomplete);
            long expected = meta.size();
            if (expected >= 0 && have > expected) {
                Files.deleteIfExists(incomplete); // cannot be a prefix of this file
                have = 0;
            }
            if (expected >= 0 && have == expected && have > 0) {
                return; // an earlier run got every byte before it stopped
            }
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = get(have);
            int status = response.statusCode();
            if (status == 416) {
                discard(response);
                Matcher m = UNSATISFIED_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (m.matches() && Long.parseLong(m.group(1)) == have) {
                    return; // the partial file is in fact complete
                }
                Files.deleteIfExists(incomplete);
                throw new TransportFailure("the server refused to resume at byte " + have + "; starting over", null);
            }
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    discard(response);
                    Files.deleteIfExists(incomplete);
                    throw new TransportFailure("the server resumed at the wrong offset ("
                            + response.headers().firstValue("Content-Range").orElse("no Content-Range")
                            + " for byte " + have + "); starting over", null);
                }
            } else if (status == 200) {
                have = 0; // no Range sent, or the server ignored it: the body is the whole file
            } else {
                discard(response);
                throw httpError(status, response.headers(), response.uri(), filename);
            }
            receive(response, have, expected);
        }

        private void receive(HttpResponse<Flow.Publisher<List<ByteBuffer>>> response, long offset, long expected)
                throws IOException, TransportFailure {
            BodyStream body = new BodyStream();
            response.body().subscribe(body);
            try (FileChannel out = FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                out.truncate(offset);
                out.position(offset);
                syncDigest(offset);
                long done = offset;
                RateMeter rate = new RateMeter();
                long lastData = System.nanoTime();
                rate.record(lastData, done);
                report(done, expected, 0);
                while (true) {
                    Object item;
                    try {
                        item = body.poll(POLL_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        body.cancel();
                        throw cancelledError(filename, done);
                    }
                    if (cancelled.getAsBoolean()) {
                        body.cancel();
                        throw cancelledError(filename, done);
                    }
                    if (item == null) {
                        if (System.nanoTime() - lastData > readTimeout.toNanos()) {
                            body.cancel();
                            throw new TransportFailure("no data from " + origin(response.uri()) + " for "
                                    + seconds(readTimeout), null);
                        }
                        continue;
                    }
                    if (item == BodyStream.END) {
                        break;
                    }
                    if (item instanceof Throwable t) {
                        throw new TransportFailure("the connection broke off (" + t.getMessage() + ")", t);
                    }
                    @SuppressWarnings("unchecked")
                    List<ByteBuffer> buffers = (List<ByteBuffer>) item;
                    for (ByteBuffer buffer : buffers) {
                        if (digest != null) {
                            digest.update(buffer.duplicate());
                        }
                        done += buffer.remaining();
                        while (buffer.hasRemaining()) {
                            out.write(buffer);
                        }
                    }
                    hashedBytes = digest != null ? done : -1;
                    lastData = System.nanoTime();
                    report(done, expected, rate.record(lastData, done));
                    body.requestMore();
                }
                if (expected >= 0 && done < expected) {
                    throw new TransportFailure("the connection closed after " + done + " of " + expected + " bytes",
                            null);
                }
            } catch (IOException | RuntimeException e) {
                body.cancel();
                throw e;
            }
        }

        private void publish(Path blob) throws IOException {
            long size = Files.size(incomplete);
            if (meta.size() >= 0 && size != meta.size()) {
                Files.deleteIfExists(incomplete);
                throw new ModelResolveException(ModelResolveException.Reason.CHECKSUM, "size mismatch for " + filename
                        + ": expected " + meta.size() + " bytes, got " + size + " (the download was discarded)");
            }
            if (digest != null) {
                syncDigest(size);
                String actual = HexFormat.of().formatHex(digest.digest());
                hashedBytes = -1;
                if (!actual.equalsIgnoreCase(meta.etag())) {
                    Files.deleteIfExists(incomplete);
                    throw new ModelResolveException(ModelResolveException.Reason.CHECKSUM, "checksum mismatch for "
                            + filename + ": expected " + meta.etag().toLowerCase(Locale.ROOT) + ", got " + actual
                            + " (the download was discarded)");
                }
            }
            HubCache.moveAtomically(incomplete, blob);
        }

        /** Makes the digest cover exactly the first {@code length} bytes of the file on disk. */
        private void syncDigest(long length) throws IOException {
            if (digest == null || hashedBytes == length) {
                return;
            }
            digest.reset();
            if (length > 0) {
                try (InputStream in = Files.newInputStream(incomplete)) {
                    byte[] buffer = new byte[1 << 16];
                    long left = length;
                    while (left > 0) {
                        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                        if (n < 0) {
                            throw new IOException("file shrank while hashing: " + incomplete);
                        }
                        digest.update(buffer, 0, n);
                        left -= n;
                    }
                }
            }
            hashedBytes = length;
        }

        private HttpResponse<Flow.Publisher<List<ByteBuffer>>> get(long offset)
                throws ModelResolveException, TransportFailure {
            URI current = meta.location();
            for (int redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
                HttpRequest.Builder builder = requestBuilder(current).GET();
                if (offset > 0) {
                    builder.header("Range", "bytes=" + offset + "-");
                }
                HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = await(
                        client().sendAsync(builder.build(), HttpResponse.BodyHandlers.ofPublisher()), cancelled,
                        () -> cancelledError(filename, offset));
                if (!isRedirect(response.statusCode())) {
                    return response;
                }
                discard(response);
                String location = response.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    return response; // reported as an HTTP error by the caller
                }
                current = resolveLocation(response.uri(), location, filename);
            }
            throw new ModelResolveException(ModelResolveException.Reason.HTTP,
                    "too many redirects downloading " + filename + " from " + origin(meta.location()));
        }

        private void report(long done, long total, double bytesPerSecond) {
            listenerStarted = true;
            listener.progress(done, total, bytesPerSecond);
        }

        private ModelResolveException giveUp(TransportFailure failure) {
            long kept = sizeOf(incomplete);
            if (kept > 0) {
                return new ModelResolveException(ModelResolveException.Reason.INTERRUPTED, "download of " + filename
                        + " from " + origin(meta.location()) + " was interrupted after " + kept
                        + (meta.size() >= 0 ? " of " + meta.size() : "") + " bytes (" + failure.getMessage()
                        + "); run again to resume from " + incomplete, failure.getCause());
            }
            return new ModelResolveException(ModelResolveException.Reason.NETWORK, "cannot download " + filename
                    + " from " + origin(meta.location()) + ": " + failure.getMessage(), failure.getCause());
        }

        private void pause(long millis) throws ModelResolveException {
            long end = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < end) {
                checkCancelled(cancelled, filename, sizeOf(incomplete));
                try {
                    Thread.sleep(Math.min(POLL_MILLIS, millis));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw cancelledError(filename, sizeOf(incomplete));
                }
            }
        }

        private ModelResolveException cancelledError(String file, long kept) {
            return HubDownloader.this.cancelledError(file, kept > 0 ? kept : null, incomplete);
        }
    }

    // ---------------------------------------------------------------------------------------------- locking

    private interface LockedAction {
        boolean run() throws IOException;
    }

    /**
     * Runs the action while holding the blob's lock: a per-path lock in this JVM (FileChannel locks belong to the
     * whole process) and an OS file lock against other processes. Waiting can be cancelled.
     */
    private boolean withBlobLock(Path lockFile, String filename, BooleanSupplier cancelled, LockedAction action)
            throws ModelResolveException {
        ReentrantLock local = IN_PROCESS_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(),
                k -> new ReentrantLock());
        try {
            while (!local.tryLock(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                checkCancelled(cancelled, filename, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelledError(filename, null, null);
        }
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = tryLock(channel, lockFile);
                boolean announced = false;
                while (lock == null && channel.isOpen()) {
                    if (!announced) {
                        LOG.info("waiting for another process downloading {} (lock {})", filename, lockFile);
                        announced = true;
                    }
                    checkCancelled(cancelled, filename, null);
                    Thread.sleep(POLL_MILLIS);
                    lock = tryLock(channel, lockFile);
                }
                try {
                    return action.run();
                } finally {
                    if (lock != null && lock.isValid()) {
                        lock.release();
                    }
                }
            }
        } catch (ModelResolveException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelledError(filename, null, null);
        } catch (IOException e) {
            throw ioError(e, cache.root());
        } finally {
            local.unlock();
        }
    }

    /** null when another process holds it; a dummy-free "no lock" (proceed) where the file system has no locks. */
    private static FileLock tryLock(FileChannel channel, Path lockFile) throws IOException {
        try {
            FileLock lock = channel.tryLock();
            return lock;
        } catch (IOException e) {
            // e.g. some network file systems: huggingface_hub proceeds without the lock too
            LOG.warn("file locks not supported at {} ({}); downloading without a lock", lockFile, e.getMessage());
            return new NoLock(channel);
        }
    }

    /** Stands for "proceed unlocked" on file systems without lock support. */
    private static final class NoLock extends FileLock {
        private boolean valid = true;

        NoLock(FileChannel channel) {
            super(channel, 0, Long.MAX_VALUE, false);
        }

        @Override
        public boolean isValid() {
            return valid;
        }

        @Override
        public void release() {
            valid = false;
        }
    }

    // ---------------------------------------------------------------------------------------------- HTTP plumbing

    /** A transfer-level failure (network, stall, broken body) that a later attempt may get past. */
    private static final class TransportFailure extends Exception {
        private static final long serialVersionUID = 1L;

        TransportFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(connectTimeout)
                            .followRedirects(HttpClient.Redirect.NEVER) // by hand: the token must not follow
                            .proxy(new EnvProxySelector(env, ProxySelector.getDefault()))
                            .build();
                    client = c;
                }
            }
        }
        return c;
    }

    private HttpRequest.Builder requestBuilder(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(readTimeout)
                .header("User-Agent", "itae-studio; java/" + Runtime.version().feature())
                .header("Accept-Encoding", "identity");
        if (token.isPresent() && sameOrigin(uri, endpoint)) {
            builder.header("Authorization", "Bearer " + token.get());
        }
        return builder;
    }

    /** Waits for response headers, polling for cancellation; transport errors become a {@link TransportFailure}. */
    private <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> future, BooleanSupplier cancelled,
            Supplier<ModelResolveException> onCancel) throws ModelResolveException, TransportFailure {
        while (true) {
            if (cancelled.getAsBoolean()) {
                future.cancel(true);
                throw onCancel.get();
            }
            try {
                return future.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // poll again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                future.cancel(true);
                throw onCancel.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new TransportFailure(describeNetworkFailure(cause), cause);
            }
        }
    }

    private String describeNetworkFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return "cannot resolve the host name (no DNS or no internet?)";
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof HttpConnectTimeoutException) {
                return "no connection within " + seconds(connectTimeout) + " (no internet or a firewall?)";
            }
            if (c instanceof HttpTimeoutException) {
                return "no response within " + seconds(readTimeout);
            }
            if (c instanceof ConnectException) {
                return "connection failed" + (c.getMessage() != null ? " (" + c.getMessage() + ")" : "");
            }
            if (c instanceof SSLException) {
                return "TLS error: " + c.getMessage();
            }
        }
        return t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
    }

    private ModelResolveException httpError(int status, HttpHeaders headers, URI uri, String what) {
        String serverMessage = headers.firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
        String hint = switch (status) {
            case 401 -> ": authentication required or the repository does not exist; set HF_TOKEN if it is private";
            case 403 -> ": access denied; for a gated model accept its terms on the hub and set HF_TOKEN";
            case 404 -> ": not found";
            default -> status >= 500 ? ": server error, try again later" : "";
        };
        return new ModelResolveException(ModelResolveException.Reason.HTTP,
                origin(uri) + " answered HTTP " + status + " for " + what + hint + serverMessage);
    }

    private ModelResolveException cancelledError(String filename, Long kept, Path incomplete) {
        String detail = kept != null && kept > 0 && incomplete != null
                ? " (" + kept + " bytes kept in " + incomplete + " for resume)" : "";
        return new ModelResolveException(ModelResolveException.Reason.CANCELLED,
                "download of " + filename + " cancelled" + detail);
    }

    private void checkCancelled(BooleanSupplier cancelled, String filename, Long kept) throws ModelResolveException {
        if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
            throw cancelledError(filename, kept, null);
        }
    }

    private static ModelResolveException ioError(IOException e, Path where) {
        if (e instanceof ModelResolveException m) {
            return m;
        }
        return new ModelResolveException(ModelResolveException.Reason.IO,
                "cannot write the Hugging Face cache at " + where + ": " + e, e);
    }

    private static void discard(HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) {
        BodyStream sink = new BodyStream();
        sink.cancel();
        response.body().subscribe(sink);
    }

    private static URI resolveLocation(URI base, String location, String filename) throws ModelResolveException {
        try {
            URI target = base.resolve(location.trim());
            if (!"http".equals(target.getScheme()) && !"https".equals(target.getScheme())) {
                throw new IllegalArgumentException("not http(s)");
            }
            return target;
        } catch (IllegalArgumentException e) {
            throw new ModelResolveException(ModelResolveException.Reason.HTTP,
                    "invalid redirect for " + filename + " from " + origin(base) + ": " + location);
        }
    }

    private static boolean isRelative(String location) {
        try {
            return URI.create(location.trim()).getHost() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() != -1 ? ":" + uri.getPort() : "");
    }

    /** Strips the weak marker and quotes: {@code W/"abc"} -> {@code abc}. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        e = e.replace("\"", "").trim();
        return e.isEmpty() ? null : e;
    }

    private static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static long parseSize(String value) {
        if (value == null) {
            return -1;
        }
        try {
            long size = Long.parseLong(value.trim());
            return size >= 0 ? size : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JRE", e);
        }
    }
}
