package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The incremental-ITAE benchmark in a short mode (6 sample images), so the documented command cannot rot. */
class ItaeIncrementalBenchmarkSmokeTest {

    @Test
    void printsTheTable() throws Exception {
        String text = PrintedOutput.of(ItaeIncrementalBenchmark::main, "sample-data", "6");
        assertTrue(text.contains("| images | full embed s |"), text);
        assertTrue(text.contains("(from cache on the ITAE run: 6 of 6)"), "every image re-embedded from states: " + text);
    }
}
