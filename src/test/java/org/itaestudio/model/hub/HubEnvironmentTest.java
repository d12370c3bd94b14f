package org.itaestudio.model.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** (e) The variables huggingface_hub reads, with its precedence (constants.py). */
class HubEnvironmentTest {

    @TempDir
    Path tmp;

    private final Path home = Path.of("/home/someone");

    private HubEnvironment env(String... keyValues) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return new HubEnvironment(map, home);
    }

    @Test
    void cacheRootPrecedence() {
        assertEquals(home.resolve(".cache/huggingface/hub"), env().cacheRoot());
        assertEquals(Path.of("/xdg/huggingface/hub"), env("XDG_CACHE_HOME", "/xdg").cacheRoot());
        assertEquals(Path.of("/hf/hub"), env("XDG_CACHE_HOME", "/xdg", "HF_HOME", "/hf").cacheRoot());
        assertEquals(Path.of("/legacy"), env("HF_HOME", "/hf", "HUGGINGFACE_HUB_CACHE", "/legacy").cacheRoot());
        assertEquals(Path.of("/c"), env("HF_HOME", "/hf", "HUGGINGFACE_HUB_CACHE", "/legacy", "HF_HUB_CACHE", "/c")
                .cacheRoot());
        // a blank variable counts as unset
        assertEquals(Path.of("/hf/hub"), env("HF_HOME", "/hf", "HF_HUB_CACHE", " ").cacheRoot());
    }

    @Test
    void pathsExpandTildeAndVariablesLikePython() {
        assertEquals(home.resolve("models/hub"), env("HF_HUB_CACHE", "~/models/hub").cacheRoot());
        assertEquals(Path.of("/data/hf/hub"), env("BASE", "/data", "HF_HOME", "$BASE/hf").cacheRoot());
        assertEquals(Path.of("/data/hub"), env("BASE", "/data", "HF_HUB_CACHE", "${BASE}/hub").cacheRoot());
        assertEquals(Path.of("$UNSET/hub"), env("HF_HUB_CACHE", "$UNSET/hub").cacheRoot());
    }

    @Test
    void offlineValues() {
        for (String yes : List.of("1", "true", "TRUE", "yes", "On")) {
            assertTrue(env("HF_HUB_OFFLINE", yes).offline(), yes);
        }
        for (String no : List.of("0", "false", "no", "off", "")) {
            assertFalse(env("HF_HUB_OFFLINE", no).offline(), no);
        }
        assertFalse(env().offline());
        assertTrue(env("TRANSFORMERS_OFFLINE", "1").offline());
    }

    @Test
    void endpointDefaultsToTheHubAndLosesTrailingSlashes() {
        assertEquals("https://huggingface.co", env().endpoint());
        assertEquals("https://hf-mirror.example", env("HF_ENDPOINT", "https://hf-mirror.example//").endpoint());
    }

    @Test
    void tokenPrecedence() throws IOException {
        Path hfHome = Files.createDirectories(tmp.resolve("hf"));
        Files.writeString(hfHome.resolve("token"), "hf_from_login\n");
        Path other = Files.writeString(tmp.resolve("other-token"), "hf_from_path");
        String h = hfHome.toString();
        assertEquals(Optional.of("hf_from_login"), env("HF_HOME", h).token());
        assertEquals(Optional.of("hf_from_path"), env("HF_HOME", h, "HF_TOKEN_PATH", other.toString()).token());
        assertEquals(Optional.of("hf_legacy"), env("HF_HOME", h, "HUGGING_FACE_HUB_TOKEN", "hf_legacy").token());
        assertEquals(Optional.of("hf_env"), env("HF_HOME", h, "HUGGING_FACE_HUB_TOKEN", "hf_legacy", "HF_TOKEN",
                "hf_env").token());
        assertEquals(Optional.empty(), env("HF_HOME", tmp.resolve("empty").toString()).token());
    }

    @Test
    void proxyVariablesChooseTheProxyByScheme() {
        HubEnvironment e = env("HTTPS_PROXY", "http://proxy.corp:3128", "http_proxy", "proxy.corp:8080",
                "NO_PROXY", "localhost,.internal");
        EnvProxySelector selector = new EnvProxySelector(e, null);
        assertEquals(List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.corp", 3128))),
                selector.select(URI.create("https://huggingface.co/x")));
        assertEquals(List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.corp", 8080))),
                selector.select(URI.create("http://mirror.example/x")));
        assertEquals(List.of(Proxy.NO_PROXY), selector.select(URI.create("https://hub.internal/x")));
        assertEquals(List.of(Proxy.NO_PROXY), selector.select(URI.create("http://localhost:8080/x")));
        assertEquals(List.of(Proxy.NO_PROXY), new EnvProxySelector(env(), null)
                .select(URI.create("https://huggingface.co/x")));
    }

    @Test
    void cacheNamesFollowHuggingfaceHub() {
        HubCache cache = new HubCache(Path.of("/c"));
        assertEquals("models--facebook--dinov2-with-registers-small",
                HubCache.repoFolderName("facebook/dinov2-with-registers-small"));
        assertEquals(Path.of("/c/.locks/models--facebook--dinov2-small/abc.lock"),
                cache.lockPath("facebook/dinov2-small", "abc"));
        assertEquals(Path.of("/c/models--facebook--dinov2-small/blobs/abc.incomplete"),
                cache.incompletePath("facebook/dinov2-small", "abc"));
    }
}
