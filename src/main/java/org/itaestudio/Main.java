package org.itaestudio;

import org.itaestudio.cli.ItaeStudioCommand;

/**
 * Launcher. Deliberately not a JavaFX {@code Application}: running JavaFX from a plain classpath needs a main
 * class that does not extend it. With a subcommand the CLI runs headless; otherwise the desktop app opens.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(ItaeStudioCommand.execute(args));
    }
}
