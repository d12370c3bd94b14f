package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.itaestudio.cli.ItaeStudioCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code itae-studio bench} comes from the bench tree through the CLI's extension lookup (the product names no bench
 * class): where the bench tree is on the classpath it is the last subcommand and gets the CLI's error handling.
 */
class BenchExtensionTest {

    @Test
    void theBenchTreeAddsTheBenchSubcommand() {
        CommandLine cli = ItaeStudioCommand.commandLine();
        assertEquals(List.of("embed", "inspect", "cluster", "evaluate", "transfer", "predict", "cache", "similar",
                "duplicates", "calibrate-registers", "compare-fixes", "bench"),
                List.copyOf(cli.getSubcommands().keySet()));
        CommandLine bench = cli.getSubcommands().get("bench");
        assertNotNull(bench);
        assertInstanceOf(BenchCommand.class, bench.getCommand());
        assertEquals("itae-studio bench", bench.getCommandSpec().qualifiedName());
    }

    @Test
    void aBenchUsageErrorIsOneLineAndExitCode2() {
        CommandLine cli = ItaeStudioCommand.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(ItaeStudioCommand.EXIT_USAGE, cli.execute("bench", "--no-such-option"));
        assertTrue(err.toString().startsWith("itae-studio: Unknown option: '--no-such-option'\n"
                + "Try 'itae-studio bench --help' for more information."), err.toString());
    }
}
