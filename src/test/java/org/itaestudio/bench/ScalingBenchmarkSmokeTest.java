package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaling benchmark on 20 images (the 12 sample photos and 8 mirrored copies), one child JVM, every stage, so
 * the documented command cannot rot. Numbers only; nothing about them is asserted.
 */
class ScalingBenchmarkSmokeTest {

    @TempDir
    Path tmp;

    @Test
    void printsEveryStageForEverySize() throws Exception {
        String text = PrintedOutput.of(ScalingBenchmark::main, "sample-data", tmp.toString(), "20");
        for (String stage : new String[] {"model load", "embed (scan, decode, forward, cache, states)",
                "k-means k=10, 10 restarts", "auto-k 2..20, 3 restarts", "Ward k=10", "Barnes-Hut t-SNE", "PCA map"}) {
            assertTrue(text.contains("| 20 | " + stage + " |"), stage + " missing:\n" + text);
        }
        assertTrue(text.contains("0 skipped"), text);
        assertFalse(text.contains("exited with"), text);
    }
}
