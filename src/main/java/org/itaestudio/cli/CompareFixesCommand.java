package org.itaestudio.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.itaestudio.cluster.ClusterMethod;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.FixComparison;
import org.itaestudio.store.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "compare-fixes", mixinStandardHelpOptions = true,
        description = "Cluster a folder with no fix, ITAE, and (with --test-time-registers) test-time registers and both; "
                + "per fix: clusters, silhouette, ARI against no fix, images that changed cluster, and ACC/NMI/ARI "
                + "against class sub-folders when every image has one (JSON).",
        footer = {"", "Examples:",
                "  itae-studio compare-fixes --model dinov2-small --input cifar10-test/ --k 10 \\",
                "      --test-time-registers neurons.json --output fixes.json",
                "", "Without --itae-* options the ITAE row uses the paper's rule with an automatic threshold."})
final class CompareFixesCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of images (searched recursively).")
    Path input;

    @Option(names = "--k", required = true, paramLabel = "K|auto",
            description = "Number of clusters, or 'auto' (silhouette, 2..20; each fix then chooses its own k).")
    String k;

    @Option(names = "--method", paramLabel = "kmeans|agglomerative", defaultValue = "kmeans",
            description = "Clustering algorithm (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of k-means initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output", paramLabel = "FILE.json", description = "Where to write the JSON (atomically); default stdout.")
    Path output;

    @Override
    public Integer call() throws Exception {
        ClusterMethod clusterMethod = EngineOptions.parseEnum(ClusterMethod.class, method, "kmeans", "--method");
        if (clusterMethod == ClusterMethod.HDBSCAN) {
            throw new UsageException("--method hdbscan is not offered here: use kmeans or agglomerative");
        }
        int kValue = EngineOptions.parseK(k);
        AnalysisSettings settings = engine.settings().with(b -> {
            b.clusterMethod = clusterMethod;
            b.k = kValue;
            b.seed = seed;
        });
        ItaeConfig itae = settings.itae() != null ? settings.itae() : ItaeConfig.paperDefault(ItaeConfig.Threshold.AUTO);
        List<FixComparison.Variant> variants = new ArrayList<>();
        variants.add(new FixComparison.Variant("none", null, null));
        variants.add(new FixComparison.Variant("itae", itae, null));
        if (settings.ttr() != null) {
            variants.add(new FixComparison.Variant("ttr", null, settings.ttr()));
            variants.add(new FixComparison.Variant("both", itae, settings.ttr()));
        }
        FixComparison.Result r;
        try (DefaultStudioEngine e = CliSupport.engine(engine)) {
            r = FixComparison.run(e, input, settings, variants, CliSupport.progressBar(), CliSupport.cancelOnInterrupt());
        }
        if (r.paths().isEmpty()) {
            throw new java.io.IOException("no readable image in " + input);
        }
        String json = toJson(r);
        if (output == null) {
            System.out.print(json);
        } else {
            AtomicFiles.writeString(output, json);
            System.err.printf("%d image(s), %d fix(es) -> %s%n", r.paths().size(), r.rows().size(), output);
        }
        return 0;
    }

    static String toJson(FixComparison.Result r) {
        JsonObject o = new JsonObject();
        o.addProperty("images", r.paths().size());
        o.addProperty("class_subfolders", r.classes().isPresent());
        JsonArray fixes = new JsonArray();
        for (FixComparison.Row row : r.rows()) {
            JsonObject f = new JsonObject();
            f.addProperty("fix", row.variant().name());
            f.addProperty("clusters", row.k());
            if (Double.isFinite(row.silhouette())) {
                f.addProperty("silhouette", row.silhouette());
            }
            f.addProperty("ari_vs_none", row.ariVsReference());
            f.addProperty("changed", row.changed());
            JsonArray changed = new JsonArray();
            for (int i : row.changedImages()) {
                changed.add(r.paths().get(i));
            }
            f.add("changed_paths", changed);
            row.classes().ifPresent(c -> {
                f.addProperty("acc", c.acc());
                f.addProperty("nmi", c.nmi());
                f.addProperty("ari", c.ari());
            });
            fixes.add(f);
        }
        o.add("fixes", fixes);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
    }
}
