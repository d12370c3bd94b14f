package org.itaestudio;

import org.itaestudio.cli.ItaeStudioCommand;
import org.slf4j.LoggerFactory;

/**
 * Launcher. Deliberately not a JavaFX {@code Application}: running JavaFX from a plain classpath needs a main
 * class that does not extend it. With a subcommand the CLI runs headless; otherwise the desktop app opens.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Logging.init(); // first: the log file records this run (tests skip Main, so they write no log file)
        org.itaestudio.model.NativeThreading.configure(); // before anything loads libtorch
        var log = LoggerFactory.getLogger(Main.class);
        log.info("arguments: {}", String.join(" ", args));
        int code = ItaeStudioCommand.execute(args);
        log.info("exit code {}", code);
        System.exit(code);
    }
}
