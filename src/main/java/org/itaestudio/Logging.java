package org.itaestudio;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.itaestudio.store.CacheDirs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging of a real run (app or CLI): the console shows warnings only, on stderr (the CLI prints its own progress),
 * and a rolling log file in the user's log directory ({@link CacheDirs#logs()}) keeps INFO from ITAE Studio and
 * warnings from libraries, for bug reports.
 *
 * <p>{@link #init()} is called first thing in {@code Main.main}; code that does not go through {@code Main} (tests,
 * embedding the core in another program) keeps the console-only {@code logback.xml} and writes no log file.
 */
public final class Logging {

    /** Name of the active log file; rolled files are {@code itae-studio.1.log} and {@code itae-studio.2.log}. */
    public static final String LOG_FILE_NAME = "itae-studio.log";
    static final String ROLLED_FILE_PATTERN = "itae-studio.%i.log";
    /** Size at which the active file is rolled over. */
    public static final long MAX_FILE_BYTES = 5L * 1024 * 1024;
    /** Rolled files kept besides the active one (so at most 3 files, about 15 MB). */
    public static final int ROLLED_FILES_KEPT = 2;

    static final String CONSOLE_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";

    /**
     * JavaFX warns on every start that it runs from the classpath ("Unsupported JavaFX configuration"), through
     * java.util.logging to stderr. That is how this app is built on purpose (see Main), so the line is dropped; other
     * JavaFX messages pass. A strong reference: java.util.logging keeps loggers only weakly.
     */
    private static final java.util.logging.Logger JAVAFX_JUL = java.util.logging.Logger.getLogger("javafx");
    static final String JAVAFX_CLASSPATH_WARNING = "Unsupported JavaFX configuration";

    private static volatile Path logFile;

    private Logging() {
    }

    /**
     * Sets up console and file logging for this process and logs the start-up facts once.
     *
     * @return the log file, or null when it cannot be written (a warning then says why; the run goes on)
     */
    public static synchronized Path init() {
        CacheDirs dirs;
        try {
            dirs = CacheDirs.resolve();
        } catch (RuntimeException e) { // e.g. an unusable user.home; never stop the app for its log
            return null;
        }
        return init(dirs.logs(), MAX_FILE_BYTES, Duration.buildBySeconds(10));
    }

    /**
     * Configures logging with the log file in {@code logDir} (created when missing).
     *
     * @param maxFileBytes    roll over past this size
     * @param sizeCheckPeriod how often the size is checked at most (logback checks lazily)
     */
    static synchronized Path init(Path logDir, long maxFileBytes, Duration sizeCheckPeriod) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return null; // another SLF4J binding was put on the classpath: leave its configuration alone
        }
        ctx.reset();
        JAVAFX_JUL.setFilter(r -> r.getMessage() == null || !r.getMessage().startsWith(JAVAFX_CLASSPATH_WARNING));
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        ctx.getLogger("org.itaestudio").setLevel(Level.INFO);
        ctx.getLogger("ai.djl").setLevel(Level.WARN);
        root.addAppender(console(ctx));

        Path file = logDir.resolve(LOG_FILE_NAME).toAbsolutePath();
        String problem = null;
        try {
            Files.createDirectories(logDir);
            root.addAppender(rollingFile(ctx, file, maxFileBytes, sizeCheckPeriod));
        } catch (IOException | RuntimeException e) {
            problem = e.getMessage();
        }
        Logger log = LoggerFactory.getLogger(Logging.class);
        if (problem != null) {
            logFile = null;
            log.warn("cannot write the log file {}: {}; logging to the console only", file, problem);
            return null;
        }
        logFile = file;
        Thread.setDefaultUncaughtExceptionHandler((t, e) ->
                LoggerFactory.getLogger(Logging.class).error("uncaught exception in thread {}", t.getName(), e));
        for (String line : startupFacts()) {
            log.info(line);
        }
        return file;
    }

    /** The log file of this process, or null when {@link #init()} was not called or could not open it. */
    public static Path logFile() {
        return logFile;
    }

    /** Back to the console-only {@code logback.xml} (for tests that called {@link #init}). */
    static synchronized void resetToDefault() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.reset();
            try {
                new ContextInitializer(ctx).autoConfig();
            } catch (JoranException e) {
                throw new IllegalStateException("cannot reload logback.xml: " + e.getMessage(), e);
            }
        }
        logFile = null;
        Thread.setDefaultUncaughtExceptionHandler(null);
        JAVAFX_JUL.setFilter(null);
    }

    /** What a bug report needs to know about this process: versions, machine, bundled native library. */
    static String[] startupFacts() {
        Runtime rt = Runtime.getRuntime();
        Properties torch = resource("/native/lib/pytorch.properties");
        Properties djl = resource("/ai/djl/engine/api.properties");
        Properties engine = resource("/pytorch-engine.properties");
        String bundled = torch.isEmpty() ? "none (DJL would have to download it)"
                : torch.getProperty("version", "?") + " " + torch.getProperty("flavor", "?") + " "
                + torch.getProperty("classifier", "?");
        String djlCache = firstNonBlank(System.getProperty("DJL_CACHE_DIR"), System.getenv("DJL_CACHE_DIR"),
                Path.of(System.getProperty("user.home"), ".djl.ai").toString());
        return new String[] {
            "ITAE Studio " + AppInfo.version() + " starting (pid " + ProcessHandle.current().pid() + ")",
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                    + System.getProperty("java.home") + ")",
            "OS " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                    + System.getProperty("os.arch") + ", " + rt.availableProcessors() + " cores, max heap "
                    + String.format(Locale.ROOT, "%.1f GiB", rt.maxMemory() / (1024.0 * 1024 * 1024)),
            "DJL " + djl.getProperty("djl_version", "?") + ", PyTorch engine for libtorch "
                    + engine.getProperty("pytorch_version", "?") + ", bundled libtorch " + bundled
                    + ", DJL cache " + djlCache + ", offline=" + Boolean.getBoolean("ai.djl.offline"),
            "log file " + logFile + " (the device is logged when a model is loaded)",
        };
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext ctx) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("STDERR");
        console.setTarget("System.err");
        console.setEncoder(encoder(ctx, CONSOLE_PATTERN));
        console.addFilter(new ConsoleFilter());
        console.start();
        return console;
    }

    private static RollingFileAppender<ILoggingEvent> rollingFile(LoggerContext ctx, Path file, long maxFileBytes,
                                                                  Duration sizeCheckPeriod) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(ctx);
        appender.setName("FILE");
        appender.setFile(file.toString());
        appender.setAppend(true);

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file.resolveSibling(ROLLED_FILE_PATTERN).toString());
        rolling.setMinIndex(1);
        rolling.setMaxIndex(ROLLED_FILES_KEPT);
        rolling.start();

        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(new FileSize(maxFileBytes));
        trigger.setCheckIncrement(sizeCheckPeriod);
        trigger.start();

        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        // The pid tells apart lines of an app and a CLI run that share the file.
        appender.setEncoder(encoder(ctx, "%d{yyyy-MM-dd HH:mm:ss.SSS} [" + ProcessHandle.current().pid()
                + "] [%thread] %-5level %logger{36} - %msg%n"));
        appender.start();
        if (!appender.isStarted()) {
            throw new UncheckedIOException(new IOException("logback could not open " + file));
        }
        return appender;
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    /** Libraries whose warnings are noise to a CLI user (DJL; Spark and Hadoop when the Spark job runs). */
    static final List<String> QUIET_ON_CONSOLE = List.of("ai.djl", "org.apache.spark", "org.apache.hadoop",
            "org.sparkproject", "dev.ludovic.netlib");

    /** The console gets warnings, but {@link #QUIET_ON_CONSOLE} only at ERROR (the file keeps their warnings). */
    static final class ConsoleFilter extends Filter<ILoggingEvent> {
        @Override
        public FilterReply decide(ILoggingEvent event) {
            String name = event.getLoggerName();
            Level min = QUIET_ON_CONSOLE.stream().anyMatch(name::startsWith) ? Level.ERROR : Level.WARN;
            return event.getLevel().isGreaterOrEqual(min) ? FilterReply.NEUTRAL : FilterReply.DENY;
        }
    }

    private static Properties resource(String name) {
        Properties p = new Properties();
        try (InputStream in = Logging.class.getResourceAsStream(name)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource only makes the start-up line less informative
        }
        return p;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }
}
