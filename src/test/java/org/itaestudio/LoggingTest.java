package org.itaestudio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.core.util.Duration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.itaestudio.AppInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The log file set up by {@link Logging#init()}: levels, start-up facts, rolling, and a log directory that fails. */
class LoggingTest {

    @TempDir
    Path tmp;

    @AfterEach
    void restoreConsoleOnlyLogging() {
        Logging.resetToDefault();
    }

    @Test
    void withoutInitThereIsNoLogFile() {
        Logging.resetToDefault();
        assertNull(Logging.logFile(), "code that does not start through Main writes no log file");
    }

    @Test
    void logFileKeepsItaeStudioInfoAndOtherWarningsOnly() throws IOException {
        Path logs = tmp.resolve("state/itae-studio");
        Path file = Logging.init(logs, Logging.MAX_FILE_BYTES, Duration.buildBySeconds(10));
        assertEquals(logs.resolve(Logging.LOG_FILE_NAME).toAbsolutePath(), file);
        assertEquals(file, Logging.logFile());

        LoggerFactory.getLogger("org.itaestudio.pipeline.Something").info("info from the app");
        LoggerFactory.getLogger("org.itaestudio.pipeline.Something").debug("debug from the app");
        LoggerFactory.getLogger("com.example.Library").info("info from a library");
        LoggerFactory.getLogger("com.example.Library").warn("warning from a library");
        LoggerFactory.getLogger("ai.djl.Something").warn("warning from DJL");

        String log = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(log.contains("INFO  org.itaestudio.pipeline.Something - info from the app"), log);
        assertFalse(log.contains("debug from the app"), log);
        assertFalse(log.contains("info from a library"), log);
        assertTrue(log.contains("WARN  com.example.Library - warning from a library"), log);
        assertTrue(log.contains("warning from DJL"), "the file keeps DJL's warnings: " + log);
        assertTrue(log.contains("[" + ProcessHandle.current().pid() + "]"), "lines carry the pid: " + log);
    }

    @Test
    void startUpFactsAreLoggedOnce() throws IOException {
        Path file = Logging.init(tmp, Logging.MAX_FILE_BYTES, Duration.buildBySeconds(10));
        String log = Files.readString(file, StandardCharsets.UTF_8);
        String version = AppInfo.version();
        assertEquals(1, count(log, "ITAE Studio " + version + " starting (pid " + ProcessHandle.current().pid() + ")"), log);
        assertEquals(1, count(log, "Java " + System.getProperty("java.version") + " ("), log);
        assertTrue(log.contains(Runtime.getRuntime().availableProcessors() + " cores, max heap "), log);
        // The test classpath has DJL 0.32.0 and the bundled CPU libtorch 2.5.1, as the app does.
        assertTrue(log.contains("DJL 0.32.0, PyTorch engine for libtorch 2.5.1, bundled libtorch 2.5.1-"), log);
        assertTrue(log.contains(" cpu linux-x86_64") || !System.getProperty("os.name").startsWith("Linux"), log);
        assertTrue(log.contains("log file " + file), log);
    }

    @Test
    void consoleShowsWarningsButDjlOnlyFromError() {
        Logging.ConsoleFilter filter = new Logging.ConsoleFilter();
        assertEquals(FilterReply.DENY, filter.decide(event("org.itaestudio.X", Level.INFO)));
        assertEquals(FilterReply.NEUTRAL, filter.decide(event("org.itaestudio.X", Level.WARN)));
        assertEquals(FilterReply.NEUTRAL, filter.decide(event("com.example.Y", Level.ERROR)));
        assertEquals(FilterReply.DENY, filter.decide(event("ai.djl.util.cuda.CudaUtils", Level.WARN)));
        assertEquals(FilterReply.NEUTRAL, filter.decide(event("ai.djl.util.cuda.CudaUtils", Level.ERROR)));
    }

    @Test
    void filesRollOverAndAtMostThreeAreKept() throws IOException {
        long max = 20_000;
        Path file = Logging.init(tmp, max, Duration.buildByMilliseconds(0));
        var log = LoggerFactory.getLogger("org.itaestudio.RollingCheck");
        String padding = "x".repeat(200);
        for (int i = 0; i < 1_000; i++) { // ~250 KB: many rollovers
            log.info("line {} {}", i, padding);
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(java.util.Set.of("itae-studio.log", "itae-studio.1.log", "itae-studio.2.log"),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
        for (String name : new String[] {"itae-studio.log", "itae-studio.1.log", "itae-studio.2.log"}) {
            long size = Files.size(tmp.resolve(name));
            assertTrue(size <= max + 400, name + " is " + size + " bytes, over the " + max + " byte cap plus one line");
        }
        // The newest lines are in the active file, the ones before in .1, the oldest kept in .2.
        assertTrue(Files.readString(file).contains("line 999 "));
        assertTrue(lastLineNumber(tmp.resolve("itae-studio.1.log")) < firstLineNumber(file));
        assertTrue(lastLineNumber(tmp.resolve("itae-studio.2.log")) < firstLineNumber(tmp.resolve("itae-studio.1.log")));
    }

    @Test
    void anUnwritableLogDirectoryLeavesConsoleLogging() throws IOException {
        Path notADirectory = Files.writeString(tmp.resolve("plain-file"), "x");
        Path file = Logging.init(notADirectory.resolve("logs"), Logging.MAX_FILE_BYTES, Duration.buildBySeconds(10));
        assertNull(file);
        assertNull(Logging.logFile());
        // logging still works and goes to the console only
        LoggerFactory.getLogger("org.itaestudio.X").warn("still logging");
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertNotNull(ctx.getLogger("ROOT").getAppender("STDERR"));
        assertNull(ctx.getLogger("ROOT").getAppender("FILE"));
    }

    @Test
    void javafxClasspathWarningIsDroppedOtherJavafxMessagesPass() {
        Logging.init(tmp, Logging.MAX_FILE_BYTES, Duration.buildBySeconds(10));
        java.util.logging.Logger javafx = java.util.logging.Logger.getLogger("javafx");
        List<String> seen = new ArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                seen.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = javafx.getUseParentHandlers();
        javafx.addHandler(capture);
        javafx.setUseParentHandlers(false);
        try {
            javafx.warning("Unsupported JavaFX configuration: classes were loaded from 'unnamed module @1'");
            javafx.warning("Could not load CSS file");
        } finally {
            javafx.removeHandler(capture);
            javafx.setUseParentHandlers(parents);
        }
        assertEquals(List.of("Could not load CSS file"), seen);
    }

    private static LoggingEvent event(String logger, Level level) {
        LoggingEvent e = new LoggingEvent();
        e.setLoggerName(logger);
        e.setLevel(level);
        e.setMessage("m");
        return e;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static int firstLineNumber(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.contains(" - line ")).findFirst()
                .map(LoggingTest::lineNumber).orElseThrow();
    }

    private static int lastLineNumber(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.contains(" - line ")).reduce((a, b) -> b)
                .map(LoggingTest::lineNumber).orElseThrow();
    }

    private static int lineNumber(String line) {
        String rest = line.substring(line.indexOf(" - line ") + 8);
        return Integer.parseInt(rest.substring(0, rest.indexOf(' ')));
    }
}
