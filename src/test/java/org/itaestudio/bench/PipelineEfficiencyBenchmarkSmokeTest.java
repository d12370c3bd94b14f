package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pipeline-efficiency benchmark in a short mode (6 sample photos), so the documented command cannot rot. */
class PipelineEfficiencyBenchmarkSmokeTest {

    @Test
    void printsTheTable() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            PipelineEfficiencyBenchmark.main(new String[] {"sample-data", "6", "no-such-folder"});
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertTrue(text.contains("| sample-data | 6 |"), text);
        assertTrue(text.contains("skipped: folder not found"), text);
    }
}
