package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The test-time-register benchmark in a short mode (sample-data, 1 round, a 4-block model), so the documented command cannot rot. */
class TestTimeRegistersBenchmarkSmokeTest {

    @Test
    void printsTheTable() throws Exception {
        String text = PrintedOutput.of(TestTimeRegistersBenchmark::main, "sample-data", "4", "1", "tiny");
        assertTrue(text.contains("calibration: 4 images"), text);
        assertTrue(text.contains("| TTR, calibrated 50 neurons in"), text);
    }
}
