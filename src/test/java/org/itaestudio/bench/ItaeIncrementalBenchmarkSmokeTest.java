package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The incremental-ITAE benchmark in a short mode (6 sample images), so the documented command cannot rot. */
class ItaeIncrementalBenchmarkSmokeTest {

    @Test
    void printsTheTable() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            ItaeIncrementalBenchmark.main(new String[] {"sample-data", "6"});
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertTrue(text.contains("| images | full embed s |"), text);
        assertTrue(text.contains("(from cache on the ITAE run: 6 of 6)"), "every image re-embedded from states: " + text);
    }
}
