package org.itaestudio.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.itaestudio.AppInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code itae-studio [--model M] [FOLDER]} opens the desktop app; with a subcommand it runs headless.
 *
 * <p>Exit codes: 0 success, 1 failure (bad input file, model problem, I/O), 2 usage error, 130 cancelled.
 * Errors are one line on stderr, never a stack trace (set {@code -Ditae.debug=true} for traces).
 */
@Command(name = "itae-studio", mixinStandardHelpOptions = true, versionProvider = ItaeStudioCommand.Version.class,
        description = "Cluster image collections with DINOv2 and see/fix attention artifacts with ITAE.",
        subcommands = {EmbedCommand.class, InspectCommand.class, ClusterCommand.class, EvaluateCommand.class,
                TransferCommand.class, PredictCommand.class, CacheCommand.class, SimilarCommand.class,
                DuplicatesCommand.class, CalibrateRegistersCommand.class, CompareFixesCommand.class},
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
        // before the handlers below: picocli passes them on only to the subcommands present at that moment
        for (CliExtension extension : ServiceLoader.load(CliExtension.class)) {
            cl.addSubcommand(extension);
        }
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
        String msg = firstLine(ex);
        if (ex instanceof java.nio.file.NoSuchFileException) {
            msg = "no such file: " + msg;
        } else if (ex instanceof java.nio.file.AccessDeniedException) {
            msg = "permission denied: " + msg;
        }
        err.println("itae-studio: " + msg);
        return EXIT_FAILURE;
    }

    /** The first line of a throwable's message, or its class name when it has none. */
    static String firstLine(Throwable t) {
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = t.getClass().getSimpleName();
        }
        return msg.lines().findFirst().orElse(msg);
    }

    /**
     * Opens the desktop app on the folder (on sample-data/ when none is given) and blocks until it closes. A machine
     * without a display gets one line on stderr instead of a stack trace.
     */
    @Override
    public Integer call() {
        if (folder != null && !Files.isDirectory(folder)) {
            System.err.println("itae-studio: not a folder: " + folder);
            return EXIT_FAILURE;
        }
        Path start = folder != null ? folder : AppInfo.sampleData();
        try {
            // JavaFX classes load only on this path (classes load lazily), so the headless subcommands never touch them.
            org.itaestudio.ui.StudioApp.launch(start, model);
            return 0;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            String msg = firstLine(rootOfWrapped(e));
            System.err.println("itae-studio: cannot open the desktop app: " + msg
                    + (msg.toLowerCase(java.util.Locale.ROOT).contains("display")
                    ? " (no display; run it on a desktop, under xvfb-run, or use a subcommand such as 'embed')" : ""));
            if (Boolean.getBoolean("itae.debug")) {
                e.printStackTrace();
            }
            return EXIT_FAILURE;
        }
    }

    /** Unwraps exceptions that only wrap their cause (no message of their own, or the cause's class name as message). */
    private static Throwable rootOfWrapped(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root && (root.getMessage() == null || root instanceof RuntimeException
                && root.getMessage().startsWith(root.getCause().getClass().getName()))) {
            root = root.getCause();
        }
        return root;
    }

    /** Version from the jar manifest (Maven), or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ITAE Studio " + AppInfo.version()};
        }
    }

}
