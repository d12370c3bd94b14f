package org.itaestudio.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code itae-studio [--model M] [FOLDER]} opens the desktop app; with a subcommand it runs headless.
 *
 * <p>Exit codes: 0 success, 1 failure (bad input file, model problem, I/O), 2 usage error, 130 cancelled.
 * Errors are one line on stderr, never a stack trace (set {@code -Ditae.debug=true} for traces).
 */
@Command(name = "itae-studio", mixinStandardHelpOptions = true, versionProvider = ItaeStudioCommand.Version.class,
        description = "Cluster image collections with DINOv2 and see/fix attention artifacts with ITAE.",
        subcommands = {EmbedCommand.class, InspectCommand.class, ClusterCommand.class, EvaluateCommand.class,
                org.itaestudio.bench.BenchCommand.class},
        footer = {"", "Without a subcommand the desktop app opens (on sample-data/ when no folder is given).",
                "Exit codes: 0 ok, 1 failure, 2 usage error, 130 cancelled."})
public final class ItaeStudioCommand implements Callable<Integer> {

    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_CANCELLED = 130;

    @Option(names = "--model", paramLabel = "M", description = "Model for the app (name, HF directory, .safetensors or .pth).")
    String model;

    @Parameters(arity = "0..1", paramLabel = "FOLDER", description = "Folder to open in the app.")
    Path folder;

    public static int execute(String[] args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ItaeStudioCommand());
        cl.setExecutionExceptionHandler(ItaeStudioCommand::handle);
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("itae-studio: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return EXIT_USAGE;
        });
        return cl;
    }

    /** One line per error; stack traces only when debugging. */
    static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        // INFO: the stack trace goes to the log file only (the console shows warnings and the one line below)
        org.slf4j.LoggerFactory.getLogger(ItaeStudioCommand.class).info("command failed", ex);
        if (Boolean.getBoolean("itae.debug")) {
            ex.printStackTrace(err);
        }
        if (ex instanceof UsageException) {
            err.println("itae-studio: " + ex.getMessage());
            return EXIT_USAGE;
        }
        if (ex instanceof CancellationException) {
            err.println("itae-studio: cancelled");
            return EXIT_CANCELLED;
        }
        String msg = ex.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = ex.getClass().getSimpleName();
        }
        if (ex instanceof java.nio.file.NoSuchFileException) {
            msg = "no such file: " + msg;
        } else if (ex instanceof java.nio.file.AccessDeniedException) {
            msg = "permission denied: " + msg;
        }
        err.println("itae-studio: " + msg.lines().findFirst().orElse(msg));
        return EXIT_FAILURE;
    }

    @Override
    public Integer call() throws Exception {
        // JavaFX classes load only on this path (classes load lazily), so the headless subcommands never touch them.
        var failure = org.itaestudio.ui.StudioApp.launchApp(folder, model);
        if (failure.isEmpty()) {
            return 0;
        }
        System.err.println("itae-studio: " + failure.get().message());
        if (Boolean.getBoolean("itae.debug") && failure.get().cause() != null) {
            failure.get().cause().printStackTrace();
        }
        return EXIT_FAILURE;
    }

    /** Version from the jar manifest (Maven), or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ITAE Studio " + version()};
        }
    }

    /** The Maven project version, filtered into version.properties at build time. */
    public static String version() {
        try (var in = ItaeStudioCommand.class.getResourceAsStream("/org/itaestudio/version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (java.io.IOException e) {
            return "dev";
        }
    }
}
