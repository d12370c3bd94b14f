package org.itaestudio.spark;

import java.util.List;
import java.util.concurrent.Callable;
import org.itaestudio.cli.EngineOptions;
import org.itaestudio.cli.UsageException;
import org.itaestudio.pipeline.AnalysisSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code itae-studio spark embed-cluster}: embed an image tree and cluster it with Spark (docs/scale-out.md). */
@Command(name = "embed-cluster", mixinStandardHelpOptions = true,
        description = "Embed every image under an input URI on Spark executors and cluster the embeddings with "
                + "Spark MLlib's k-means; writes Parquet tables (embeddings/, labels/, skipped/) and, when the result "
                + "is small enough, the app's files (labels.csv, embeddings.csv, skipped.csv) plus job.json.",
        footer = {"", "Examples:",
                "  ./itae-studio spark embed-cluster --master local[2] --input photos/ --output out/ --model m.safetensors",
                "  spark-submit --class org.itaestudio.Main --jars ... itae-studio-spark.jar spark embed-cluster \\",
                "      --input hdfs:///photos --output hdfs:///itae/run1 --model /shared/dinov2_vits14.safetensors --k 50"})
public final class EmbedClusterCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--input", required = true, paramLabel = "URI",
            description = "Image tree on any filesystem Spark reads (a path, file:, hdfs:, s3a: with its connector).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "URI", description = "Folder for the job's results.")
    String output;

    @Option(names = "--k", paramLabel = "K", defaultValue = "0",
            description = "Clusters; 0 chooses k in 2..20 by silhouette, like the CLI's 'cluster' (default: auto).")
    int k;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "k-means seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (local[N], spark://..., yarn); default: spark-submit's, else local[*].")
    String master;

    @Option(names = "--overwrite", description = "Replace an existing output folder.")
    boolean overwrite;

    @Option(names = "--update",
            description = "Reuse an existing output folder made with the same model and settings: embed only content it "
                    + "has not seen (new or changed files) and recluster everything.")
    boolean update;

    @Option(names = "--local-export-max", paramLabel = "N", defaultValue = "1000000",
            description = "Also write labels.csv, embeddings.csv, embeddings.npy + paths.csv and skipped.csv (the app's "
                    + "files) when at most N images "
                    + "were embedded; 0 never (default: ${DEFAULT-VALUE}).")
    long localExportMax;

    @Option(names = "--decode-threads", paramLabel = "N", defaultValue = "1",
            description = "Threads per task decoding images while the model runs (default: ${DEFAULT-VALUE}).")
    int decodeThreads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AnalysisSettings settings = engine.settings();
        if (k < 0) {
            throw new UsageException("--k must be >= 0 (0 = auto), got " + k);
        }
        if (overwrite && update) {
            throw new UsageException("--overwrite and --update exclude each other");
        }
        if (decodeThreads < 1) {
            throw new UsageException("--decode-threads must be >= 1, got " + decodeThreads);
        }
        EmbedClusterJob.Options options = new EmbedClusterJob.Options(input, output, master, k, seed, overwrite, update,
                localExportMax, decodeThreads, ownArgs());
        EmbedClusterJob.Summary summary = EmbedClusterJob.run(settings, options, System.err::println);
        System.out.println(summary.toJson());
        return 0;
    }

    /** This subcommand's own arguments (executors parse them again into the same settings). */
    private List<String> ownArgs() {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        int at = all.indexOf(spec.name());
        return List.copyOf(at < 0 ? all : all.subList(at + 1, all.size())); // serializable, shipped to executors
    }

    /** The analysis settings an executor derives from the job's arguments: the same parsing as the driver's. */
    static AnalysisSettings parseEngineArgs(List<String> args) {
        EmbedClusterCommand c = new EmbedClusterCommand();
        new CommandLine(c).parseArgs(args.toArray(String[]::new));
        return c.engine.settings();
    }
}
