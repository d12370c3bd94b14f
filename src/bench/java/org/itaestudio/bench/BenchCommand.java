package org.itaestudio.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.itaestudio.cli.CliExtension;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code itae-studio bench}: ITAE Studio's engine against PyTorch eager and ONNX Runtime on this machine, same weights
 * and inputs; prints a markdown table and (full runs) records it in docs/benchmarks.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark ITAE Studio's DINOv2 engine against PyTorch eager and ONNX Runtime on this machine, "
                + "with the same synthetic weights and inputs. Prints a markdown table; full runs also update "
                + "docs/benchmarks.md. The peers need Debian's PyTorch (/usr/bin/python3 -c 'import torch').")
public final class BenchCommand implements Callable<Integer>, CliExtension {

    static final String BEGIN = "<!-- bench-results:begin -->";
    static final String END = "<!-- bench-results:end -->";

    @Option(names = "--quick", description = "1 warm-up and 2 timed forwards, ViT-S/14 only (what CI runs)")
    boolean quick;

    @Option(names = "--arch", split = ",", paramLabel = "LIST", description = "vits14,vitb14,vitl14 (default: vits14,vitb14)")
    List<String> archs;

    @Option(names = "--batch", split = ",", paramLabel = "LIST", description = "batch sizes (default: 1,8)")
    List<Integer> batches;

    @Option(names = "--warmup", paramLabel = "N", description = "untimed forwards per engine and batch (default 2)")
    Integer warmup;

    @Option(names = "--iterations", paramLabel = "N", description = "timed forwards per engine and batch (default 10)")
    Integer iterations;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads of every engine (default: all cores)")
    Integer threads;

    @Option(names = "--python", paramLabel = "PATH", description = "Python with torch (default: /usr/bin/python3)")
    Path python;

    @Option(names = "--output", paramLabel = "FILE",
            description = "markdown file to record the results in (default: docs/benchmarks.md for full runs, "
                    + "nothing for --quick; '-' for nothing)")
    String output;

    @Option(names = "--ours-jvm-arg", paramLabel = "ARG", description = "extra JVM option for our engine's process")
    List<String> oursJvmArgs = new ArrayList<>();

    @Option(names = "--ours-env", paramLabel = "KEY=VALUE", description = "extra environment for our engine's process")
    Map<String, String> oursEnv = new LinkedHashMap<>();

    @Option(names = "--peers-passive", description = "make the peers' idle threads sleep instead of spin, as ours do "
            + "(OMP_WAIT_POLICY=PASSIVE for PyTorch, session.intra_op.allow_spinning=0 for ONNX Runtime)")
    boolean peersPassive;

    @Option(names = "--background-load", split = ",", paramLabel = "LIST",
            description = "repeat the timed rounds with this many busy threads started by the suite; 0 = quiet "
                    + "(default: 0,2; --quick: 0)")
    List<Integer> backgroundLoads;

    @Option(names = "--keep-files", description = "keep the weights, inputs, ONNX model and worker logs")
    boolean keepFiles;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    /** The checkout (set by ./itae-studio as itae.home), else the working directory. */
    static Path home() {
        String h = System.getProperty("itae.home");
        return Path.of(h != null ? h : "").toAbsolutePath();
    }

    BenchOptions options() {
        BenchOptions d = BenchOptions.defaults(quick, home().resolve("tools"));
        return new BenchOptions(archs != null ? archs : d.archs(), batches != null ? batches : d.batches(),
                d.imageSize(), warmup != null ? warmup : d.warmup(), iterations != null ? iterations : d.iterations(),
                threads != null ? threads : d.threads(), python != null ? python : d.python(), d.tools(), oursJvmArgs,
                oursEnv, keepFiles, peersPassive, backgroundLoads != null ? backgroundLoads : d.backgroundLoads());
    }

    @Override
    public Integer call() {
        BenchOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            return 2;
        }
        try {
            BenchReport report = new BenchSuite(options, System.err).run();
            System.out.println(report.markdown());
            Path out = outputFile();
            if (out != null) {
                record(out, report);
                System.err.println("results recorded in " + out);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("bench failed: " + e.getMessage());
            return 1;
        }
    }

    private Path outputFile() {
        if (output == null) {
            return quick ? null : home().resolve("docs").resolve("benchmarks.md");
        }
        return output.equals("-") ? null : Path.of(output);
    }

    /**
     * Replaces what is between the results markers of the file with this run's markdown (hand-written text around
     * them stays); a missing file is created with just the markers.
     */
    static void record(Path file, BenchReport report) throws IOException {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8)
                : "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            text = text.stripTrailing() + "\n\n" + BEGIN + "\n" + END + "\n";
            begin = text.indexOf(BEGIN);
            end = text.indexOf(END);
        }
        String updated = text.substring(0, begin + BEGIN.length()) + "\n\n" + report.markdown() + "\n" + text.substring(end);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(file, updated, StandardCharsets.UTF_8);
    }
}
