package org.itaestudio.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Top-level command: {@code itae-studio [--model M] [FOLDER]} or a headless subcommand. */
@Command(name = "itae-studio", mixinStandardHelpOptions = true, version = "ITAE Studio 0.1.0",
        description = "Cluster image collections with DINOv2 and fix attention artifacts with ITAE.")
public final class ItaeStudioCommand implements java.util.concurrent.Callable<Integer> {

    public static int execute(String[] args) {
        return new CommandLine(new ItaeStudioCommand()).execute(args);
    }

    @Override
    public Integer call() {
        System.err.println("the desktop app is not built yet");
        return 1;
    }
}
