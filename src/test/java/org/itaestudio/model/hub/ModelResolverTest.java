package org.itaestudio.model.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** End to end against {@link FakeHub} on 127.0.0.1: names, cache layout, offline, environment, paths. */
@Timeout(60)
class ModelResolverTest {

    private static final String REPO_DIR = "models--facebook--dinov2-small";

    @TempDir
    Path tmp;
    private FakeHub hub;
    private Path cache;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub("facebook/dinov2-small", "facebook/dinov2-with-registers-small");
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    // (a) ----------------------------------------------------------------------------------------------------

    @Test
    void freshDownloadCreatesTheHuggingFaceCacheLayoutAndTheSecondResolveUsesNoNetwork() throws IOException {
        ModelResolver resolver = new ModelResolver(hub.env(cache));
        List<String> progressLabels = new ArrayList<>();
        ResolvedModel model = resolver.resolve("dinov2-small", (label, total) -> {
            progressLabels.add(label + ":" + total);
            return DownloadListener.NONE;
        }, () -> false);

        Path repo = cache.resolve(REPO_DIR);
        Path snapshot = repo.resolve("snapshots").resolve(FakeHub.COMMIT);
        assertEquals(new ResolvedModel("dinov2-small", snapshot.toAbsolutePath(), "facebook/dinov2-small", true),
                model);
        assertEquals(ResolvedModel.Format.HF_DIRECTORY, model.format());
        assertEquals(snapshot.resolve("model.safetensors").toAbsolutePath(), model.weightsFile());
        assertEquals(List.of("dinov2-small/config.json:" + hub.config.length,
                "dinov2-small/model.safetensors:" + FakeHub.WEIGHTS_SIZE), progressLabels);

        // exactly the tree the real huggingface_hub writes for the same repo (golden from tools/hf_cache_golden.py:
        // regular files, relative symlinks and their targets, lock files, CACHEDIR.TAG)
        JsonObject golden = golden();
        Map<String, String> expected = new TreeMap<>();
        golden.getAsJsonObject("tree").entrySet().forEach(e -> expected.put(e.getKey(), e.getValue().getAsString()));
        assertEquals(FakeHub.COMMIT, golden.get("commit").getAsString());
        assertTrue(expected.containsKey(REPO_DIR + "/blobs/" + hub.weightsSha256), "golden made from other bytes");
        assertEquals(expected, tree(cache));
        assertEquals(golden.get("refs_main").getAsString(), Files.readString(repo.resolve("refs/main")));
        assertEquals(FakeHub.COMMIT, Files.readString(repo.resolve("refs/main"))); // no newline, as huggingface_hub
        assertArrayEquals(hub.weights, Files.readAllBytes(model.weightsFile()));
        assertArrayEquals(hub.config, Files.readAllBytes(model.configFile().orElseThrow()));

        // HEAD+GET config at main; HEAD the weights pinned to the commit; GET from the CDN
        List<String> calls = hub.requests().stream().map(r -> r.server() + " " + r.method() + " " + r.path()).toList();
        assertEquals(List.of(
                "hub HEAD /facebook/dinov2-small/resolve/main/config.json",
                "hub GET /facebook/dinov2-small/resolve/main/config.json",
                "hub HEAD /facebook/dinov2-small/resolve/" + FakeHub.COMMIT + "/model.safetensors",
                "cdn GET /cdn/" + hub.weightsSha256), calls);

        // second resolve, new resolver: the cache answers, the server sees nothing
        int before = hub.requestCount();
        ResolvedModel again = new ModelResolver(hub.env(cache)).resolve("dinov2-small");
        assertEquals(new ResolvedModel("dinov2-small", snapshot.toAbsolutePath(), "facebook/dinov2-small", false),
                again);
        assertEquals(before, hub.requestCount());
        // and even with the hub unreachable
        Map<String, String> dead = hub.env(cache);
        dead.put("HF_ENDPOINT", "http://127.0.0.1:" + closedPort());
        assertEquals(snapshot.toAbsolutePath(), new ModelResolver(dead).resolve("dinov2-small").path());
    }

    @Test
    void registerModelsMapToTheWithRegistersRepos() throws IOException {
        assertEquals("facebook/dinov2-with-registers-giant", ModelResolver.repoIdFor("dinov2-giant-reg").orElseThrow());
        assertEquals("facebook/dinov2-base", ModelResolver.repoIdFor("DINOv2-Base").orElseThrow());
        ResolvedModel model = new ModelResolver(hub.env(cache)).resolve("dinov2-small-reg");
        assertEquals("facebook/dinov2-with-registers-small", model.repoId());
        assertEquals(cache.resolve("models--facebook--dinov2-with-registers-small/snapshots/" + FakeHub.COMMIT)
                .toAbsolutePath(), model.path());
        assertArrayEquals(hub.weights, Files.readAllBytes(model.weightsFile()));
        // the repo id itself is accepted as a name
        assertEquals(model.path(), new ModelResolver(hub.env(cache)).resolve("facebook/dinov2-with-registers-small")
                .path());
    }

    // (b) ----------------------------------------------------------------------------------------------------

    @Test
    void anInterruptedTransferIsResumedWithARangeRequest() throws IOException {
        hub.abortTransfers = 1;
        hub.abortAfter = 100_000;
        ResolvedModel model = new ModelResolver(hub.env(cache)).resolve("dinov2-small");

        assertArrayEquals(hub.weights, Files.readAllBytes(model.weightsFile()));
        List<FakeHub.Request> gets = hub.cdnGets();
        assertEquals(2, gets.size());
        assertNull(gets.get(0).range());
        assertEquals("bytes=100000-", gets.get(1).range());
        assertFalse(Files.exists(incomplete()));
    }

    @Test
    void aTransferThatKeepsFailingKeepsThePartialFileAndTheNextRunResumesIt() throws IOException {
        hub.abortTransfers = 1;
        hub.abortAfter = 120_000;
        ModelResolver oneAttempt = new ModelResolver(new HubDownloader(HubEnvironment.of(hub.env(cache)),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 1));

        ModelResolveException e = assertThrows(ModelResolveException.class, () -> oneAttempt.resolve("dinov2-small"));
        assertEquals(ModelResolveException.Reason.INTERRUPTED, e.reason());
        assertTrue(e.getMessage().startsWith("cannot download dinov2-small: download of model.safetensors from "
                + hub.cdnOrigin() + " was interrupted after 120000 of " + FakeHub.WEIGHTS_SIZE + " bytes"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("run again to resume from " + incomplete()), e.getMessage());
        assertEquals(120_000, Files.size(incomplete()));

        ResolvedModel model = oneAttempt.resolve("dinov2-small");
        assertTrue(model.downloaded());
        assertArrayEquals(hub.weights, Files.readAllBytes(model.weightsFile()));
        assertEquals("bytes=120000-", hub.cdnGets().get(1).range());
    }

    // (d) ----------------------------------------------------------------------------------------------------

    @Test
    void offlineWithNothingCachedSaysWhichFilesToPlaceWhereAndThePlacedFilesThenWork() throws IOException {
        Map<String, String> env = hub.env(cache);
        env.put("HF_HUB_OFFLINE", "1");
        ModelResolver resolver = new ModelResolver(env);

        ModelResolveException e = assertThrows(ModelResolveException.class, () -> resolver.resolve("dinov2-small"));
        Path placement = cache.resolve(REPO_DIR).resolve("snapshots").resolve("main").toAbsolutePath();
        assertEquals(ModelResolveException.Reason.NOT_CACHED_OFFLINE, e.reason());
        assertEquals("dinov2-small is not in the Hugging Face cache and HF_HUB_OFFLINE is set: place config.json and"
                + " model.safetensors from " + hub.endpoint() + "/facebook/dinov2-small in " + placement
                + "/ (or pass --model /path/to/dir)", e.getMessage());
        assertEquals(0, hub.requestCount());

        // following the advice works (huggingface_hub's try_to_load_from_cache reads snapshots/main the same way)
        Files.createDirectories(placement);
        Files.write(placement.resolve("config.json"), hub.config);
        Files.write(placement.resolve("model.safetensors"), hub.weights);
        ResolvedModel model = resolver.resolve("dinov2-small");
        assertEquals(placement, model.path());
        assertEquals(0, hub.requestCount());
    }

    @Test
    void offlineWithHalfTheFilesNamesOnlyTheMissingOne() throws IOException {
        Path snapshot = cache.resolve(REPO_DIR).resolve("snapshots").resolve(FakeHub.COMMIT);
        Files.createDirectories(snapshot);
        Files.write(snapshot.resolve("config.json"), hub.config);
        Files.createDirectories(cache.resolve(REPO_DIR).resolve("refs"));
        Files.writeString(cache.resolve(REPO_DIR).resolve("refs/main"), FakeHub.COMMIT);
        Map<String, String> env = hub.env(cache);
        env.put("HF_HUB_OFFLINE", "true");

        ModelResolveException e = assertThrows(ModelResolveException.class,
                () -> new ModelResolver(env).resolve("dinov2-small"));
        assertTrue(e.getMessage().contains(": place model.safetensors from " + hub.endpoint()
                + "/facebook/dinov2-small in " + snapshot.toAbsolutePath() + "/ (or pass"), e.getMessage());
        assertEquals(0, hub.requestCount());
    }

    @Test
    void anUnreachableHubFailsWithAClearMessage() throws IOException {
        Map<String, String> env = hub.env(cache);
        String endpoint = "http://127.0.0.1:" + closedPort();
        env.put("HF_ENDPOINT", endpoint);
        ModelResolveException e = assertThrows(ModelResolveException.class,
                () -> new ModelResolver(env).resolve("dinov2-small"));

        assertEquals(ModelResolveException.Reason.NETWORK, e.reason());
        assertTrue(e.getMessage().startsWith("cannot download dinov2-small: cannot reach " + endpoint
                + ": connection failed"), e.getMessage());
        assertTrue(e.getMessage().endsWith("place config.json and model.safetensors from " + endpoint
                + "/facebook/dinov2-small in " + cache.resolve(REPO_DIR).resolve("snapshots/main").toAbsolutePath()
                + "/ (or pass --model /path/to/dir)"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aHubThatNeverAnswersTimesOut() throws IOException {
        hub.hubRelease = new CountDownLatch(1);
        try {
            ModelResolver impatient = new ModelResolver(new HubDownloader(HubEnvironment.of(hub.env(cache)),
                    Duration.ofSeconds(2), Duration.ofMillis(300), 1));
            ModelResolveException e = assertThrows(ModelResolveException.class, () -> impatient.resolve("dinov2-small"));
            assertEquals(ModelResolveException.Reason.NETWORK, e.reason());
            assertTrue(e.getMessage().contains(": no response within 0.3 s"), e.getMessage());
            assertEquals(1, hub.hubRelease.getCount(), "gave up while the hub still held its answer back");
        } finally {
            hub.hubRelease.countDown();
        }
    }

    // (e) ----------------------------------------------------------------------------------------------------

    @Test
    void hfHomeAndHfHubCacheDecideWhereModelsAreLookedUpAndStored() throws IOException {
        Path home = tmp.resolve("home");
        Path hfHome = tmp.resolve("hf-home");
        Path hubCache = tmp.resolve("hub-cache");
        Map<String, String> env = new HashMap<>();
        env.put("HF_ENDPOINT", hub.endpoint());

        // nothing set: ~/.cache/huggingface/hub
        ResolvedModel byDefault = new ModelResolver(new HubEnvironment(env, home)).resolve("dinov2-small");
        assertTrue(byDefault.path().startsWith(home.resolve(".cache/huggingface/hub").resolve(REPO_DIR)),
                byDefault.path().toString());

        // HF_HOME: HF_HOME/hub (a new download there)
        env.put("HF_HOME", hfHome.toString());
        ResolvedModel viaHfHome = new ModelResolver(new HubEnvironment(env, home)).resolve("dinov2-small");
        assertTrue(viaHfHome.downloaded());
        assertTrue(viaHfHome.path().startsWith(hfHome.resolve("hub").resolve(REPO_DIR)), viaHfHome.path().toString());

        // HF_HUB_CACHE wins over HF_HOME
        env.put("HF_HUB_CACHE", hubCache.toString());
        ResolvedModel viaHubCache = new ModelResolver(new HubEnvironment(env, home)).resolve("dinov2-small");
        assertTrue(viaHubCache.downloaded());
        assertTrue(viaHubCache.path().startsWith(hubCache.resolve(REPO_DIR)), viaHubCache.path().toString());

        // each one is then used offline, without the hub
        int requests = hub.requestCount();
        env.put("HF_HUB_OFFLINE", "1");
        assertEquals(viaHubCache.path(), new ModelResolver(new HubEnvironment(env, home)).resolve("dinov2-small").path());
        env.remove("HF_HUB_CACHE");
        assertEquals(viaHfHome.path(), new ModelResolver(new HubEnvironment(env, home)).resolve("dinov2-small").path());
        env.remove("HF_HOME");
        assertEquals(byDefault.path(), new ModelResolver(new HubEnvironment(env, home)).resolve("dinov2-small").path());
        assertEquals(requests, hub.requestCount());
    }

    // (f) ----------------------------------------------------------------------------------------------------

    @Test
    void pathSpecsResolveToDirectoriesAndFilesWithoutTheNetwork() throws IOException {
        ModelResolver resolver = new ModelResolver(hub.env(cache));
        Path dir = Files.createDirectories(tmp.resolve("my model"));
        Files.write(dir.resolve("config.json"), hub.config);
        Files.write(dir.resolve("model.safetensors"), hub.weights);
        Path safetensors = Files.write(tmp.resolve("weights.safetensors"), hub.weights);
        Path pth = Files.write(tmp.resolve("dinov2_vits14_pretrain.pth"), new byte[] {'P', 'K', 3, 4});

        ResolvedModel fromDir = resolver.resolve(dir.toString());
        assertEquals(new ResolvedModel(dir.toString(), dir.toAbsolutePath(), null, false), fromDir);
        assertEquals(ResolvedModel.Format.HF_DIRECTORY, fromDir.format());
        ResolvedModel fromSafetensors = resolver.resolve(safetensors.toString());
        assertEquals(ResolvedModel.Format.SAFETENSORS, fromSafetensors.format());
        assertEquals(safetensors.toAbsolutePath(), fromSafetensors.weightsFile());
        assertTrue(fromSafetensors.configFile().isEmpty());
        ResolvedModel fromPth = resolver.resolve(pth.toString());
        assertEquals(ResolvedModel.Format.PTH, fromPth.format());
        assertNull(fromPth.repoId());

        // a cache repo folder resolves to its snapshot for main
        new ModelResolver(hub.env(cache)).resolve("dinov2-small");
        Path repoFolder = cache.resolve(REPO_DIR);
        assertEquals(repoFolder.resolve("snapshots").resolve(FakeHub.COMMIT).toAbsolutePath(),
                resolver.resolve(repoFolder.toString()).path());
        assertEquals(4, hub.requestCount()); // only the one download above
    }

    @Test
    void badPathsGiveOneClearLine() throws IOException {
        ModelResolver resolver = new ModelResolver(hub.env(cache));
        Path missing = tmp.resolve("nowhere/model.safetensors");
        assertMessage(ModelResolveException.Reason.PATH_NOT_FOUND, "model path not found: " + missing,
                () -> resolver.resolve(missing.toString()));
        assertMessage(ModelResolveException.Reason.PATH_NOT_FOUND,
                "model path not found: " + Path.of("no-such-dir/x.pth").toAbsolutePath(),
                () -> resolver.resolve("no-such-dir/x.pth"));

        Path half = Files.createDirectories(tmp.resolve("half"));
        Files.write(half.resolve("config.json"), hub.config);
        assertMessage(ModelResolveException.Reason.INVALID_MODEL_PATH, "model directory " + half
                + " has no model.safetensors (a Hugging Face model directory holds config.json and model.safetensors)",
                () -> resolver.resolve(half.toString()));

        Path text = Files.writeString(tmp.resolve("notes.txt"), "hello");
        assertMessage(ModelResolveException.Reason.INVALID_MODEL_PATH, "unsupported model file: " + text
                + " (expected a .safetensors or .pth file or a Hugging Face model directory)",
                () -> resolver.resolve(text.toString()));
        assertEquals(0, hub.requestCount());
    }

    // (g) ----------------------------------------------------------------------------------------------------

    @Test
    void anUnknownNameListsTheValidNames() {
        ModelResolver resolver = new ModelResolver(hub.env(cache));
        assertMessage(ModelResolveException.Reason.UNKNOWN_MODEL, "unknown model name: dinov2-tiny (expected one of"
                + " dinov2-small, dinov2-base, dinov2-large, dinov2-giant, dinov2-small-reg, dinov2-base-reg,"
                + " dinov2-large-reg, dinov2-giant-reg, or a path to a Hugging Face model directory, a .safetensors"
                + " or a .pth file)", () -> resolver.resolve("dinov2-tiny"));
        assertMessage(ModelResolveException.Reason.UNKNOWN_MODEL, "no model given (expected one of dinov2-small,"
                + " dinov2-base, dinov2-large, dinov2-giant, dinov2-small-reg, dinov2-base-reg, dinov2-large-reg,"
                + " dinov2-giant-reg, or a path to a Hugging Face model directory, a .safetensors or a .pth file)",
                () -> resolver.resolve("  "));
        assertEquals(List.of("dinov2-small", "dinov2-base", "dinov2-large", "dinov2-giant", "dinov2-small-reg",
                "dinov2-base-reg", "dinov2-large-reg", "dinov2-giant-reg"), ModelCatalog.names());
        assertEquals(0, hub.requestCount());
    }

    @Test
    void aMissingRepoOnTheHubIsReportedWithTheServersReason() {
        Map<String, String> env = hub.env(cache);
        ModelResolveException e = assertThrows(ModelResolveException.class,
                () -> new ModelResolver(env).resolve("dinov2-large"));
        assertEquals(ModelResolveException.Reason.HTTP, e.reason());
        assertEquals("cannot download dinov2-large: " + hub.endpoint() + " answered HTTP 404 for"
                + " facebook/dinov2-large/config.json: not found (Repository not found)", e.getMessage());
    }

    // ----------------------------------------------------------------------------------------------------------

    private static JsonObject golden() throws IOException {
        try (var in = ModelResolverTest.class.getResourceAsStream("hf_cache_layout.json")) {
            return JsonParser.parseString(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .getAsJsonObject();
        }
    }

    private Path incomplete() {
        return cache.resolve(REPO_DIR).resolve("blobs").resolve(hub.weightsSha256 + ".incomplete");
    }

    private static void assertMessage(ModelResolveException.Reason reason, String message,
            org.junit.jupiter.api.function.Executable call) {
        ModelResolveException e = assertThrows(ModelResolveException.class, call);
        assertEquals(message, e.getMessage());
        assertEquals(reason, e.reason());
    }

    /** Relative path -> "file" or "-> link target", without following links. */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) {
                    entries.put(rel, "-> " + Files.readSymbolicLink(p).toString().replace('\\', '/'));
                } else if (Files.isRegularFile(p)) {
                    entries.put(rel, "file");
                }
            }
        }
        return entries;
    }

    /** A port nothing listens on (bound, then released). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
