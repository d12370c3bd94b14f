package org.itaestudio.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.FolderEmbeddings;
import org.itaestudio.store.CsvExport;
import org.itaestudio.store.ExploreExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed every readable image of a folder (recursively) and write path,e0,e1,... as CSV.",
        footer = {"", "Examples:",
                "  itae-studio embed --model dinov2-small --input photos/ --output emb.csv",
                "  itae-studio embed --model ~/models/dinov2_vits14_pretrain.pth --input photos/ --output emb.csv \\",
                "      --itae-threshold auto --itae-strength 1",
                "  itae-studio embed --model dinov2-small --input photos/ --output emb.npy   (writes emb.npy + paths.csv)"})
final class EmbedCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of images (searched recursively).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE.csv|FILE.npy",
            description = "CSV to write (atomically); a name ending in .npy writes a NumPy float32 array (n, d) "
                    + "instead, with paths.csv (header path, same row order) next to it.")
    Path output;

    @Override
    public Integer call() throws Exception {
        try (DefaultStudioEngine e = CliSupport.engine(engine)) {
            FolderEmbeddings fe = e.embed(input, engine.settings(), CliSupport.progressBar(), CliSupport.cancelOnInterrupt());
            if (output.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npy")) {
                ExploreExport.writeNpyWithPaths(output, fe.paths(), fe.embeddings());
            } else {
                CsvExport.writeEmbeddings(output, fe.paths(), fe.embeddings());
            }
            CliSupport.reportSkipped(fe.skipped(), System.err);
            System.err.printf("embedded %d image(s) (%d from cache) in %.1f s -> %s%n", fe.paths().size(),
                    fe.fromCache(), fe.seconds(), output);
            return 0;
        }
    }
}
