package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The pipeline-efficiency benchmark in a short mode (6 sample photos, one round, both decoding modes), so the documented command cannot rot. */
class PipelineEfficiencyBenchmarkSmokeTest {

    @Test
    void printsTheTable() throws Exception {
        String text = PrintedOutput.of(PipelineEfficiencyBenchmark::main, "no-such-folder", "6", "sample-data", "6", "1");
        assertTrue(text.contains("| sample-data | full (default) | 6 x 1 |"), text);
        assertTrue(text.contains("| sample-data | JPEG draft (opt-in) | 6 x 1 |"), text);
        assertTrue(text.contains("skipped: folder not found"), text);
    }
}
