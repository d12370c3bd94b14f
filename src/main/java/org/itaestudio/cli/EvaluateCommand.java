package org.itaestudio.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.itaestudio.cluster.Metrics;
import org.itaestudio.image.FolderScanner;
import org.itaestudio.store.CsvReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Compare cluster labels with ground truth: clustering accuracy (Hungarian), NMI (arithmetic) and ARI, as JSON.",
        footer = {"", "Examples:",
                "  itae-studio evaluate --labels labels.csv --truth-from-folders cifar10-test/",
                "  itae-studio evaluate --labels labels.csv --truth truth.csv     # truth.csv: path,label"})
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--labels", required = true, paramLabel = "labels.csv", description = "CSV with path,cluster (from 'cluster').")
    Path labels;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Truth truth;

    static final class Truth {
        @Option(names = "--truth", paramLabel = "truth.csv", description = "CSV with path,label (the first two columns).")
        Path csv;

        @Option(names = "--truth-from-folders", paramLabel = "DIR",
                description = "Class = the first sub-folder of each path under DIR (e.g. cifar10-test/cat/0001.jpg -> cat).")
        Path folders;
    }

    @Option(names = "--output", paramLabel = "FILE.json", description = "Also write the JSON here (atomically).")
    Path output;

    @Override
    public Integer call() throws Exception {
        Map<String, String> predicted = CsvReader.read(labels).toMap("path", "cluster");
        Map<String, String> expected;
        if (truth.csv != null) {
            CsvReader.Table t = CsvReader.read(truth.csv);
            if (t.header().size() < 2) {
                throw new java.io.IOException(truth.csv + ": expected a header path,<label column>");
            }
            expected = t.toMap("path", t.header().get(1));
        } else {
            expected = fromFolders(truth.folders);
        }
        List<String> pred = new ArrayList<>();
        List<String> gold = new ArrayList<>();
        int unmatched = 0;
        for (Map.Entry<String, String> e : predicted.entrySet()) {
            String t = expected.get(e.getKey());
            if (t == null) {
                unmatched++;
                continue;
            }
            pred.add(e.getValue());
            gold.add(t);
        }
        if (pred.isEmpty()) {
            throw new java.io.IOException("no path of " + labels + " has a ground-truth label");
        }
        int[] p = Metrics.encode(pred);
        int[] g = Metrics.encode(gold);
        JsonObject o = new JsonObject();
        o.addProperty("ACC", Metrics.accuracy(g, p));
        o.addProperty("NMI", Metrics.nmi(g, p));
        o.addProperty("ARI", Metrics.ari(g, p));
        o.addProperty("n", pred.size());
        o.addProperty("clusters", java.util.Arrays.stream(p).max().orElse(-1) + 1);
        o.addProperty("classes", java.util.Arrays.stream(g).max().orElse(-1) + 1);
        o.addProperty("unmatched", unmatched);
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(o);
        System.out.println(json);
        if (output != null) {
            org.itaestudio.store.AtomicFiles.writeString(output, json + "\n");
        }
        if (unmatched > 0) {
            System.err.println("warning: " + unmatched + " labelled path(s) have no ground truth and were ignored");
        }
        return 0;
    }

    /** Relative path -> first path component, for every image under the folder. */
    static Map<String, String> fromFolders(Path dir) throws java.io.IOException {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (FolderScanner.ImageFile f : new FolderScanner().scan(dir).images()) {
            int slash = f.relativePath().indexOf('/');
            if (slash > 0) {
                out.put(f.relativePath(), f.relativePath().substring(0, slash));
            }
        }
        if (out.isEmpty()) {
            throw new java.io.IOException("no images in class sub-folders of " + dir);
        }
        return out;
    }
}
