package org.itaestudio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.itaestudio.bench.SyntheticWeights;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every command of the README's "Command line" section, verbatim, through the real {@code ./itae-studio}
 * wrapper, so the README cannot drift from the product. The named models are stand-ins with the real architectures
 * (random weights: no real checkpoint can be downloaded here) placed in a Hugging Face cache, offline.
 */
class ReadmeExamplesTest {

    @TempDir
    Path tmp;

    /** The bash lines starting with ./itae-studio in the README's "## Command line" section. */
    static List<String> commandLineExamples() throws Exception {
        List<String> out = new ArrayList<>();
        boolean inSection = false;
        boolean inCode = false;
        StringBuilder pending = null;
        for (String line : Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Command line");
                continue;
            }
            if (!inSection) {
                continue;
            }
            if (line.startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            if (inCode && (line.startsWith("./itae-studio") || pending != null)) {
                String l = line.strip();
                pending = pending == null ? new StringBuilder(l) : pending.append(' ').append(l);
                if (l.endsWith("\\")) {
                    pending.setLength(pending.length() - 1);
                } else {
                    out.add(pending.toString());
                    pending = null;
                }
            }
        }
        return out;
    }

    /**
     * A snapshot folder in an HF cache with config.json + model.safetensors of a random model of that size (official
     * tensor names: the loader detects the naming).
     */
    static void placeModel(Path hubCache, String repo, int dim, int depth, int heads) throws Exception {
        Path snap = hubCache.resolve("models--" + repo.replace("/", "--")).resolve("snapshots/main");
        Files.createDirectories(snap);
        Files.writeString(snap.resolve("config.json"), "{\"model_type\": \"dinov2\", \"hidden_size\": " + dim
                + ", \"num_hidden_layers\": " + depth + ", \"num_attention_heads\": " + heads
                + ", \"mlp_ratio\": 4, \"use_swiglu_ffn\": false, \"layer_norm_eps\": 1e-06, \"image_size\": 518,"
                + " \"patch_size\": 14, \"num_channels\": 3, \"hidden_act\": \"gelu\", \"qkv_bias\": true}");
        DinoV2Config config = DinoV2Config.of(dim, depth, 0, DinoV2Config.FfnType.MLP);
        SafetensorsWriter.write(snap.resolve("model.safetensors"), new SyntheticWeights(config, 3), Map.of());
    }

    @Test
    void everyCommandLineExampleRuns() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        Assumptions.assumeTrue(Files.exists(Path.of("target/classpath.txt")), "needs a built checkout (mvn verify)");
        List<String> examples = commandLineExamples();
        assertTrue(examples.size() >= 4, "README examples found: " + examples);

        Path work = Files.createDirectories(tmp.resolve("work"));
        Path hub = tmp.resolve("hf/hub");
        placeModel(hub, "facebook/dinov2-small", 384, 12, 6);
        // dinov2-base has 12 blocks too; a narrower stand-in keeps the test fast and still has --layer 11.
        placeModel(hub, "facebook/dinov2-base", 128, 12, 2);
        Path photos = Files.createDirectories(work.resolve("photos"));
        Path shared = TestData.sharedData();
        Path cat = shared != null ? shared.resolve("cifar10-test/cat/0000.jpg") : Path.of("sample-data/space/rocket.jpg");
        Files.copy(Files.exists(cat) ? cat : Path.of("sample-data/space/rocket.jpg"), photos.resolve("cat.jpg"));
        Files.copy(Path.of("sample-data/everyday/coffee.png"), photos.resolve("coffee.png"));
        // a labelled folder: shared CIFAR-10 images when present, else the sample data's subject folders
        Path cifar = Files.createDirectories(work.resolve("cifar10-test"));
        for (String cls : new String[] {"airplane", "cat", "frog"}) {
            Path dst = Files.createDirectories(cifar.resolve(cls));
            for (int i = 0; i < 4; i++) {
                Path src = shared != null ? shared.resolve(String.format("cifar10-test/%s/%04d.jpg", cls, i)) : null;
                if (src == null || !Files.exists(src)) {
                    src = Path.of("sample-data/textures/brick.png");
                }
                Files.copy(src, dst.resolve(i + "-" + src.getFileName()));
            }
        }
        Path launcher = work.resolve("itae-studio");
        Files.writeString(launcher, "#!/usr/bin/env bash\nexec " + Path.of("itae-studio").toAbsolutePath() + " \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));

        for (String cmd : examples) {
            ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c", cmd).directory(work.toFile()).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.put("HF_HUB_CACHE", hub.toString());
            env.put("HF_HUB_OFFLINE", "1");
            env.put("ITAE_STUDIO_CACHE", tmp.resolve("cache").toString());
            env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
            env.put("ITAE_JAVA_OPTS", "-Duser.home=" + tmp);
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "timed out: " + cmd);
            assertEquals(0, p.exitValue(), cmd + "\n" + output);
        }
        assertTrue(Files.readString(work.resolve("embeddings.csv")).startsWith("path,e0,e1,"));
        JsonObject inspect = JsonParser.parseString(Files.readString(work.resolve("cat.json"))).getAsJsonObject();
        assertEquals(11, inspect.get("layer").getAsInt());
        assertEquals(257, inspect.getAsJsonObject("norms").getAsJsonArray("v").size());
        assertTrue(Files.readString(work.resolve("labels.csv")).startsWith("path,cluster\n"));
    }
}
