package org.itaestudio.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.ImageProbe;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.Inspection;
import org.itaestudio.store.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Run one image and write one block's attention probes as JSON: grid, registers, q/k/v norms per "
                + "token (CLS first), artifacts (patch indices), CLS attention per head after ITAE, and the embedding.",
        footer = {"", "Example:",
                "  itae-studio inspect --model dinov2-small --image cat.jpg --layer 11 --output cat.json \\",
                "      --itae-threshold auto"})
final class InspectCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image.")
    Path image;

    @Option(names = "--layer", paramLabel = "L", defaultValue = "-1",
            description = "Block to probe, 0-based (default: the last block).")
    int layer;

    @Option(names = "--output", required = true, paramLabel = "FILE.json", description = "JSON to write (atomically).")
    Path output;

    @Override
    public Integer call() throws Exception {
        AnalysisSettings settings = engine.settings();
        ItaeConfig itae = settings.itae();
        try (DefaultStudioEngine e = CliSupport.engine(engine)) {
            int depth = e.depth(settings);
            int l = layer < 0 ? depth - 1 : layer;
            if (l >= depth) {
                throw new UsageException("--layer " + layer + " does not exist: the model has " + depth + " blocks (0.." + (depth - 1) + ")");
            }
            Inspection in = e.inspect(image, settings, l, itae);
            AtomicFiles.writeString(output, new GsonBuilder().serializeSpecialFloatingPointValues().create()
                    .toJson(toJson(in, itae)));
            System.err.printf("layer %d: %d artifact token(s) of %d patches -> %s%n", l,
                    in.probe().artifacts().length, in.gridH() * in.gridW(), output);
            return 0;
        }
    }

    static JsonObject toJson(Inspection in, ItaeConfig itae) {
        ImageProbe p = in.probe();
        JsonObject o = new JsonObject();
        o.addProperty("image", in.image().toString());
        o.addProperty("layer", in.layer());
        o.add("grid", array(new int[] {in.gridH(), in.gridW()}));
        o.addProperty("registers", in.registers());
        o.addProperty("test_time_registers", p.registerAttention() == null ? 0 : p.registerAttention()[0].length);
        JsonObject norms = new JsonObject();
        norms.add("q", array(p.qNorm()));
        norms.add("k", array(p.kNorm()));
        norms.add("v", array(p.vNorm()));
        o.add("norms", norms);
        o.add("artifacts", array(p.artifacts()));
        if (itae != null) {
            o.addProperty("threshold", p.threshold().orElse(Double.NaN)); // NaN: ITAE does not act on this block
        }
        JsonArray heads = new JsonArray();
        for (float[] h : p.clsAttention()) {
            heads.add(array(h));
        }
        o.add("cls_attention", heads);
        o.add("embedding", array(in.embedding()));
        o.addProperty("itae", itae == null ? "off" : itae.key());
        if (in.blockNorms() != null) { // [layer][token], CLS first: the quantity test-time registers detect
            JsonArray layers = new JsonArray();
            for (float[] l : in.blockNorms()) {
                layers.add(array(l));
            }
            o.add("block_norms", layers);
        }
        if (p.registerAttention() != null) { // [head][r]: CLS attention on the appended test-time registers
            JsonArray regs = new JsonArray();
            for (float[] h : p.registerAttention()) {
                regs.add(array(h));
            }
            o.add("test_time_register_attention", regs);
        }
        return o;
    }

    static JsonArray array(float[] v) {
        JsonArray a = new JsonArray(v.length);
        for (float x : v) {
            a.add(x);
        }
        return a;
    }

    static JsonArray array(int[] v) {
        JsonArray a = new JsonArray(v.length);
        for (int x : v) {
            a.add(x);
        }
        return a;
    }
}
