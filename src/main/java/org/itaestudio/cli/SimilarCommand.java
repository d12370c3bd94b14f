package org.itaestudio.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.itaestudio.cluster.CosineIndex;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.FolderEmbeddings;
import org.itaestudio.store.ExploreExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "similar", mixinStandardHelpOptions = true,
        description = "More like this: the K images of a folder most similar to one image (cosine similarity of "
                + "embeddings, exact); writes path,similarity as CSV, most similar first.",
        footer = {"", "The image may be in the folder (it is then left out of its own neighbours) or anywhere else.",
                "", "Examples:",
                "  itae-studio similar --model dinov2-small --input photos/ --image photos/cat.jpg --k 20",
                "  itae-studio similar --model dinov2-small --input photos/ --image ~/query.png --k 5 --output similar.csv"})
final class SimilarCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of images (searched recursively).")
    Path input;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image to find neighbours of.")
    Path image;

    @Option(names = "--k", defaultValue = "20", paramLabel = "K", description = "Number of neighbours (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--output", paramLabel = "FILE.csv", description = "CSV to write (atomically); default: standard output.")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (k < 1) {
            throw new UsageException("--k must be >= 1, got " + k);
        }
        if (!Files.isRegularFile(image)) {
            throw new java.nio.file.NoSuchFileException(image.toString());
        }
        AnalysisSettings settings = engine.settings();
        try (DefaultStudioEngine e = CliSupport.engine(engine)) {
            FolderEmbeddings fe = e.embed(input, settings, CliSupport.progressBar(), CliSupport.cancelOnInterrupt());
            CliSupport.reportSkipped(fe.skipped(), System.err);
            int self = ExploreCli.rowOf(input, image, fe);
            int others = fe.paths().size() - (self >= 0 ? 1 : 0);
            if (others < 1) {
                throw new IOException(fe.paths().isEmpty() ? "no readable image in " + input
                        : "no other image in " + input + " to compare " + image.getFileName() + " with");
            }
            if (k > others) {
                throw new UsageException("--k " + k + " is larger than the " + others + " other image(s) in " + input);
            }
            float[] query = self >= 0 ? fe.embeddings()[self]
                    : e.inspect(image, settings, e.depth(settings) - 1, settings.itae()).embedding();
            List<CosineIndex.Neighbor> nearest = new CosineIndex(fe.embeddings()).nearest(query, k, self);
            List<ExploreExport.SimilarRow> rows = new ArrayList<>();
            for (CosineIndex.Neighbor nb : nearest) {
                rows.add(new ExploreExport.SimilarRow(fe.paths().get(nb.index()), nb.similarity()));
            }
            if (output != null) {
                ExploreExport.writeSimilar(output, rows);
                System.err.printf("%d neighbour(s) of %s -> %s%n", rows.size(), image.getFileName(), output);
            } else {
                System.out.print(ExploreExport.toText(sink -> ExploreExport.writeSimilar(sink, rows)));
                System.out.flush();
            }
            return 0;
        }
    }
}
