package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bar's text with a fake clock: percentages, rates, ETA, the final line, and silence when not a terminal. */
class ConsoleProgressTest {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private String printed() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private void advanceSeconds(double seconds) {
        nanos.addAndGet((long) (seconds * 1e9));
    }

    @Test
    void interactiveBarShowsPercentRateAndEta() {
        ConsoleProgress p = new ConsoleProgress("model.safetensors", 100_000_000, null, out, true, nanos::get);
        p.update(0);
        advanceSeconds(1);
        p.update(10_000_000); // 10 MB/s
        assertEquals("model.safetensors [##......................]  10%  10.0/100.0 MB  10.0 MB/s  ETA 0:09",
                p.liveLine());
        advanceSeconds(1);
        p.update(40_000_000); // window now 0 -> 40 MB in 2 s: 20 MB/s, 60 MB left
        assertEquals("model.safetensors [##########..............]  40%  40.0/100.0 MB  20.0 MB/s  ETA 0:03",
                p.liveLine());
        advanceSeconds(3);
        p.update(100_000_000);
        p.done();
        String text = printed();
        assertEquals('\r', text.charAt(0));
        String lastLine = text.substring(text.lastIndexOf('\r') + 1);
        assertEquals("model.safetensors: 100.0 MB in 5.0 s (20.0 MB/s)", lastLine.stripTrailing());
        assertEquals(true, lastLine.endsWith(System.lineSeparator()));
    }

    @Test
    void redrawsAtMostTenTimesASecond() {
        ConsoleProgress p = new ConsoleProgress("x", 1000, null, out, true, nanos::get);
        for (int i = 1; i <= 50; i++) {
            nanos.addAndGet(10_000_000); // 10 ms apart: 0.5 s in all
            p.update(i);
        }
        long redraws = printed().chars().filter(c -> c == '\r').count();
        assertEquals(5, redraws, printed());
    }

    @Test
    void notATerminalPrintsOnlyTheFinalLine() {
        ConsoleProgress p = new ConsoleProgress("dinov2-small/model.safetensors", 307_200, null, out, false, nanos::get);
        p.update(0);
        advanceSeconds(0.5);
        p.update(153_600);
        advanceSeconds(0.5);
        p.update(307_200);
        assertEquals("", printed());
        p.done();
        p.done(); // idempotent
        assertEquals("dinov2-small/model.safetensors: 307.2 KB in 1.0 s (307.2 KB/s)" + System.lineSeparator(),
                printed());
    }

    @Test
    void aStoppedTaskSaysWhereItStopped() {
        ConsoleProgress p = new ConsoleProgress("x.bin", 2_000_000, null, out, false, nanos::get);
        p.update(500_000); // resumed from an earlier run: not counted in the rate
        advanceSeconds(2);
        p.update(1_000_000);
        p.done();
        assertEquals("x.bin: stopped at 50% (1.0/2.0 MB) after 2.0 s (250.0 KB/s)" + System.lineSeparator(),
                printed());
    }

    @Test
    void itemUnitsAndUnknownTotals() {
        ConsoleProgress images = new ConsoleProgress("embedding", 200, "images", out, true, nanos::get);
        images.update(0);
        advanceSeconds(2);
        images.update(50);
        assertEquals("embedding [######..................]  25%  50/200 images  25.0 images/s  ETA 0:06",
                images.liveLine());

        ConsoleProgress unknown = new ConsoleProgress("stream", -1, null, out, true, nanos::get);
        unknown.update(0);
        advanceSeconds(1);
        unknown.update(2_500_000);
        assertEquals("stream 2.5 MB  2.5 MB/s", unknown.liveLine());
    }

    @Test
    void formats() {
        assertEquals("999 B", ConsoleProgress.bytes(999));
        assertEquals("1.5 GB", ConsoleProgress.bytes(1.5e9));
        assertEquals("1:01:05", ConsoleProgress.duration(3665));
        assertEquals("0:59", ConsoleProgress.duration(59.4));
    }
}
