package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code itae-studio bench --quick} in-process (the engines in worker processes) so the benchmark cannot rot.
 * No timing is asserted (shared CI machines): only that every expected row is there with real timings, and that
 * the three engines compute the same embeddings (max abs diff below 1e-3; float32 engines differ by ~1e-5 here).
 * Without Debian's PyTorch the peers are skipped with a message and only our rows are checked.
 */
class BenchSmokeTest {

    static final double AGREEMENT = 1e-3;

    @TempDir
    Path dir;

    @Test
    void quickRunHasEveryRowAndTheEnginesAgree() throws Exception {
        BenchOptions options = BenchOptions.defaults(true, Path.of("tools").toAbsolutePath());
        assertEquals(List.of("vits14"), options.archs());
        BenchReport report = new BenchSuite(options, System.err).run();
        String table = report.table();
        System.out.println(report.markdown());

        for (int batch : List.of(1, 8)) {
            BenchReport.Measurement ours = report.find("vits14", batch, BenchReport.OURS).orElseThrow();
            assertEquals(2, ours.timesMs().size());
            assertTrue(ours.timesMs().stream().allMatch(t -> t > 0), ours.timesMs().toString());
            assertTrue(ours.peakRssMb() > 0 && ours.peakHeapMb() > 0, ours.toString());
            assertTrue(table.contains("| ViT-S/14 | " + batch + " | quiet | ITAE Studio (DJL + libtorch) | "), table);
        }
        assertEquals(2, report.matMulGflops().size());
        assertTrue(report.matMulGflopsBest() > 0);
        assertTrue(report.markdown().contains("| ViT-S/14 | 12.25 |"), "FLOPs row");

        // The record in docs/benchmarks.md keeps hand-written text around the results.
        Path doc = dir.resolve("benchmarks.md");
        Files.writeString(doc, "# Benchmarks\n\nintro\n\n" + BenchCommand.BEGIN + "\nold\n" + BenchCommand.END + "\n\noutro\n");
        BenchCommand.record(doc, report);
        String text = Files.readString(doc);
        assertTrue(text.startsWith("# Benchmarks\n\nintro\n") && text.endsWith(BenchCommand.END + "\n\noutro\n"), text);
        assertTrue(text.contains(table) && !text.contains("\nold\n"), text);

        String skipped = report.notes().stream().filter(n -> n.startsWith("PyTorch peer skipped")).findFirst()
                .orElse(null);
        Assumptions.assumeTrue(skipped == null, skipped + " - only ITAE Studio's rows were checked");
        assertTrue(report.notes().isEmpty(), "a peer failed: " + report.notes());
        for (int batch : List.of(1, 8)) {
            for (String peer : List.of(BenchReport.PYTORCH, BenchReport.ONNXRUNTIME)) {
                BenchReport.Measurement m = report.find("vits14", batch, peer).orElseThrow();
                assertEquals(2, m.timesMs().size(), peer);
                assertTrue(m.peakRssMb() > 0, peer);
            }
            assertTrue(table.contains("| ViT-S/14 | " + batch + " | quiet | PyTorch eager | "), table);
            assertTrue(table.contains("| ViT-S/14 | " + batch + " | quiet | ONNX Runtime (Java) | "), table);
        }
        BenchReport.ArchResult vits = report.archs().get(0);
        assertEquals(List.of("ours vs pytorch", "ours vs onnxruntime", "pytorch vs onnxruntime"),
                List.copyOf(vits.maxAbsDiff().keySet()));
        vits.maxAbsDiff().forEach((pair, d) -> assertTrue(d < AGREEMENT, pair + " differ by " + d));
        vits.referenceChecks().forEach((check, d) -> assertTrue(d < AGREEMENT, check + " differ by " + d));
    }
}
