package org.itaestudio.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.itaestudio.cluster.NearDuplicates;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.DuplicateKeep;
import org.itaestudio.pipeline.FolderEmbeddings;
import org.itaestudio.store.ExploreExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "duplicates", mixinStandardHelpOptions = true,
        description = "Near-duplicate sets: every pair of images with cosine similarity >= T, grouped transitively; "
                + "writes group,path,similarity_to_first,mark as CSV (the first image of a set, in path order, is "
                + "marked keep, the others drop).",
        footer = {"", "Examples:",
                "  itae-studio duplicates --model dinov2-small --input photos/ --threshold 0.95",
                "  itae-studio duplicates --model dinov2-small --input photos/ --threshold 0.9 --output dups.csv"})
final class DuplicatesCommand implements Callable<Integer> {

    /** See the README ("Near-duplicates") for why this value and how it was checked. */
    static final String DEFAULT_THRESHOLD = "0.95";

    @Mixin
    EngineOptions engine;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of images (searched recursively).")
    Path input;

    @Option(names = "--threshold", defaultValue = DEFAULT_THRESHOLD, paramLabel = "T",
            description = "Cosine similarity in [-1, 1] at or above which two images are near-duplicates "
                    + "(default: ${DEFAULT-VALUE}).")
    String threshold;

    @Option(names = "--output", paramLabel = "FILE.csv", description = "CSV to write (atomically); default: standard output.")
    Path output;

    @Override
    public Integer call() throws Exception {
        double t = parseThreshold(threshold);
        try (DefaultStudioEngine e = CliSupport.engine(engine)) {
            Cancellation cancel = CliSupport.cancelOnInterrupt();
            FolderEmbeddings fe = e.embed(input, engine.settings(), CliSupport.progressBar(), cancel);
            CliSupport.reportSkipped(fe.skipped(), System.err);
            if (fe.paths().size() < 2) {
                throw new IOException((fe.paths().isEmpty() ? "no readable image" : "only one readable image") + " in "
                        + input + ": near-duplicates need at least two");
            }
            List<NearDuplicates.Group> groups = NearDuplicates.find(fe.embeddings(), t, Runtime.getRuntime().availableProcessors(),
                    CliSupport.progressBar(), cancel::isCancelled); // a bar on stderr; Ctrl-C stops it
            int[] keep = DuplicateKeep.choose(fe.folder(), fe.paths(), groups, cancel::isCancelled);
            List<ExploreExport.DuplicateRow> rows = new ArrayList<>();
            for (int g = 0; g < groups.size(); g++) {
                NearDuplicates.Group group = groups.get(g);
                for (int m = 0; m < group.size(); m++) {
                    rows.add(new ExploreExport.DuplicateRow(g, fe.paths().get(group.members()[m]),
                            group.similarityToFirst()[m], m == keep[g]));
                }
            }
            if (output != null) {
                ExploreExport.writeDuplicates(output, rows);
            } else {
                System.out.print(ExploreExport.toText(sink -> ExploreExport.writeDuplicates(sink, rows)));
                System.out.flush();
            }
            System.err.printf("%d near-duplicate set(s) at %s among %d image(s); %d marked drop%s%n", groups.size(),
                    threshold.trim(), fe.paths().size(), rows.size() - groups.size(), output != null ? " -> " + output : "");
            return 0;
        }
    }

    static double parseThreshold(String text) {
        double t;
        try {
            t = Double.parseDouble(text.trim());
        } catch (NumberFormatException ex) {
            throw new UsageException("--threshold must be a number in [-1, 1], got '" + text + "'");
        }
        if (!(t >= -1 && t <= 1)) {
            throw new UsageException("--threshold must be in [-1, 1], got " + text.trim());
        }
        return t;
    }
}
