package org.itaestudio.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.itaestudio.model.hub.DownloadListener;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.progress.RateMeter;

/**
 * A one-line progress bar for long CLI tasks, redrawn in place on stderr:
 * <pre>dinov2-small/model.safetensors [#########...........]  45%  39.6/88.3 MB  5.2 MB/s  ETA 0:09</pre>
 * It draws only on an interactive terminal ({@code System.console() != null}) or when forced (constructor, or
 * {@code -Ditae.progress=always}); otherwise (logs, pipes, CI) it prints just one final line at {@link #done()}.
 * Counts are bytes by default; give a unit (e.g. "images") for item counts. Thread-safe; redraws at most ten
 * times a second. Also a {@link DownloadListener}, so {@code ConsoleProgress::new} is a
 * {@link ModelResolver.ProgressFactory}.
 */
public final class ConsoleProgress implements DownloadListener {

    private static final int BAR_WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final String label;
    private final long total;
    private final String unit; // null: bytes
    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier clock;
    private final long startNanos;
    private final RateMeter rate = new RateMeter();

    private long done;
    private long startValue = -1;
    private double currentRate;
    private long lastDrawNanos = Long.MIN_VALUE;
    private int lastLineLength;
    private boolean finished;

    /** Progress in bytes, on stderr. @param total expected bytes, or -1 when unknown */
    public ConsoleProgress(String label, long total) {
        this(label, total, null);
    }

    /** Progress in items of {@code unit} (e.g. "images"); null unit means bytes. */
    public ConsoleProgress(String label, long total, String unit) {
        this(label, total, unit, System.err, defaultInteractive(), System::nanoTime);
    }

    /**
     * @param interactive draw the live bar (true) or only the final line (false)
     * @param clock       nanosecond time source (tests)
     */
    public ConsoleProgress(String label, long total, String unit, PrintStream out, boolean interactive,
            LongSupplier clock) {
        this.label = Objects.requireNonNull(label);
        this.total = total;
        this.unit = unit;
        this.out = Objects.requireNonNull(out);
        this.interactive = interactive;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
    }

    /** True on a terminal, or when {@code -Ditae.progress=always}; false when {@code -Ditae.progress=never}. */
    public static boolean defaultInteractive() {
        String forced = System.getProperty("itae.progress", "");
        if (forced.equalsIgnoreCase("always")) {
            return true;
        }
        if (forced.equalsIgnoreCase("never")) {
            return false;
        }
        return System.console() != null;
    }

    /** Sets the amount done so far (absolute, not an increment). */
    public synchronized void update(long doneSoFar) {
        if (finished) {
            return;
        }
        long now = clock.getAsLong();
        if (startValue < 0) {
            startValue = doneSoFar; // a resumed download starts above zero: its rate counts from here
        }
        done = doneSoFar;
        currentRate = rate.record(now, doneSoFar);
        boolean complete = total > 0 && doneSoFar >= total;
        if (interactive && (lastDrawNanos == Long.MIN_VALUE || now - lastDrawNanos >= REDRAW_NANOS || complete)) {
            draw(liveLine());
            lastDrawNanos = now;
        }
    }

    /** Ends the line: a summary (size, time, average rate), or where it stopped when it did not complete. */
    public synchronized void done() {
        if (finished) {
            return;
        }
        finished = true;
        String line = finalLine();
        if (interactive) {
            draw(line);
            out.print(System.lineSeparator());
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void progress(long bytesDone, long bytesTotal, double bytesPerSecond) {
        update(bytesDone);
    }

    @Override
    public void finished() {
        done();
    }

    /** The live line (package-private for tests). */
    synchronized String liveLine() {
        StringBuilder sb = new StringBuilder(label).append(' ');
        if (total > 0) {
            double fraction = Math.min(1.0, Math.max(0.0, done / (double) total));
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append(']');
            sb.append(String.format(Locale.ROOT, " %3d%%  ", (int) Math.floor(fraction * 100)));
            sb.append(amountPair(done, total));
        } else {
            sb.append(amount(done));
        }
        if (currentRate > 0) {
            sb.append("  ").append(rateText(currentRate));
            if (total > 0 && done < total) {
                sb.append("  ETA ").append(duration((total - done) / currentRate));
            }
        }
        return sb.toString();
    }

    private String finalLine() {
        long now = clock.getAsLong();
        double seconds = Math.max(0, (now - startNanos) / 1e9);
        long transferred = done - Math.max(0, startValue);
        double average = seconds > 0 ? transferred / seconds : 0;
        boolean complete = total < 0 || done >= total;
        StringBuilder sb = new StringBuilder(label).append(": ");
        if (complete) {
            sb.append(amount(done)).append(" in ").append(seconds(seconds));
        } else {
            int percent = total > 0 ? (int) Math.floor(100.0 * done / total) : 0;
            sb.append("stopped at ").append(percent).append("% (").append(amountPair(done, total))
                    .append(") after ").append(seconds(seconds));
        }
        if (average > 0 && seconds >= 0.05) {
            sb.append(" (").append(rateText(average)).append(')');
        }
        return sb.toString();
    }

    private void draw(String line) {
        // pad to the previous length so a shorter line fully overwrites a longer one
        int pad = Math.max(0, lastLineLength - line.length());
        out.print('\r' + line + " ".repeat(pad));
        out.flush();
        lastLineLength = line.length();
    }

    private String amount(long value) {
        return unit == null ? bytes(value) : value + " " + unit;
    }

    private String amountPair(long value, long of) {
        if (unit != null) {
            return value + "/" + of + " " + unit;
        }
        Scale s = Scale.of(of);
        return s.format(value) + "/" + s.format(of) + " " + s.suffix;
    }

    private String rateText(double perSecond) {
        if (unit == null) {
            return bytes(perSecond) + "/s";
        }
        return String.format(Locale.ROOT, "%.1f %s/s", perSecond, unit);
    }

    /** Decimal units, as download tools show them: 1 MB = 1,000,000 bytes. */
    static String bytes(double value) {
        Scale s = Scale.of(value);
        return s.format(value) + " " + s.suffix;
    }

    /** m:ss, or h:mm:ss beyond an hour. */
    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static String seconds(double seconds) {
        return seconds < 60 ? String.format(Locale.ROOT, "%.1f s", seconds) : duration(seconds);
    }

    private record Scale(double divisor, String suffix) {
        static Scale of(double value) {
            double v = Math.abs(value);
            if (v >= 1e9) {
                return new Scale(1e9, "GB");
            }
            if (v >= 1e6) {
                return new Scale(1e6, "MB");
            }
            if (v >= 1e3) {
                return new Scale(1e3, "KB");
            }
            return new Scale(1, "B");
        }

        String format(double value) {
            return divisor == 1 ? String.format(Locale.ROOT, "%d", Math.round(value))
                    : String.format(Locale.ROOT, "%.1f", value / divisor);
        }
    }
}
