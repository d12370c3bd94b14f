package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The JPEG decoding benchmark on the sample photos, one round, so the documented command cannot rot. */
class ScaledJpegBenchmarkSmokeTest {

    @Test
    void printsOneLinePerDecodingPath() throws Exception {
        String text = PrintedOutput.of(ScaledJpegBenchmark::main, "sample-data", "0", "1");
        assertTrue(text.matches("(?s).*\\b[1-9]\\d* JPEGs in sample-data.*"), text);
        assertTrue(text.split("median").length - 1 == 7, "a median line per decoding path:\n" + text);
        assertTrue(!text.contains("Infinity") && !text.contains("NaN"), text);
    }
}
