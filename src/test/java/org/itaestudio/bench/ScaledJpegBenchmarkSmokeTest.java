package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The JPEG decoding benchmark on the sample photos, one round, so the documented command cannot rot. */
class ScaledJpegBenchmarkSmokeTest {

    @Test
    void printsOneLinePerDecodingPath() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            ScaledJpegBenchmark.main(new String[] {"sample-data", "0", "1"});
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertTrue(text.matches("(?s).*\\b[1-9]\\d* JPEGs in sample-data.*"), text);
        assertTrue(text.split("median").length - 1 == 7, "a median line per decoding path:\n" + text);
        assertTrue(!text.contains("Infinity") && !text.contains("NaN"), text);
    }
}
