package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pipeline-efficiency benchmark in a short mode (6 sample photos, one round, both decoding modes), so the documented command cannot rot. */
class PipelineEfficiencyBenchmarkSmokeTest {

    @Test
    void printsTheTable() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            PipelineEfficiencyBenchmark.main(new String[] {"no-such-folder", "6", "sample-data", "6", "1"});
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertTrue(text.contains("| sample-data | full (default) | 6 x 1 |"), text);
        assertTrue(text.contains("| sample-data | JPEG draft (opt-in) | 6 x 1 |"), text);
        assertTrue(text.contains("skipped: folder not found"), text);
    }
}
