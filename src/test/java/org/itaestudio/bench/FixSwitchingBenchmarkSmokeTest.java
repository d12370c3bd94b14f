package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The fix-switching benchmark in a short mode (sample-data, 56 px, a 4-block dim-64 model), so the documented command cannot rot. */
class FixSwitchingBenchmarkSmokeTest {

    @Test
    void printsBothTables() throws Exception {
        String text = PrintedOutput.of(FixSwitchingBenchmark::main, "sample-data", "12", "56", "64", "4", "6");
        assertTrue(text.contains("| ITAE, paper setting (last block, CLS row): from kept states |"), text);
        assertTrue(text.contains("| back to no fix: embedding cache |"), text);
        assertTrue(text.contains("| No fix | "), text);
        assertTrue(text.contains("| ITAE + test-time registers: full re-embed |"), text);
    }
}
