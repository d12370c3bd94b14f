package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The similarity benchmark on a small set, all passes, so the documented command cannot rot. */
class SimilarityBenchmarkSmokeTest {

    @Test
    void printsQueryAndAllPairsTimes() throws Exception {
        String text = PrintedOutput.of(SimilarityBenchmark::main, "600", "16", "5", "true");
        assertTrue(text.contains("top-20 query over 600 x 16: median"), text);
        assertTrue(text.contains("near-duplicates: all pairs of 600 x 16"), text);
        assertTrue(text.contains("outliers: mean cosine distance"), text);
        assertTrue(!text.contains("Infinity") && !text.contains("NaN"), text);
    }
}
