package org.itaestudio.spark;

import org.itaestudio.cli.CliExtension;
import picocli.CommandLine.Command;

/**
 * {@code itae-studio spark ...}: the commands that run ITAE Studio's core inside Apache Spark. Joins the CLI through
 * {@link CliExtension} when this module is on the classpath ({@code ./itae-studio spark} in a checkout, or
 * {@code spark-submit --class org.itaestudio.Main ... spark embed-cluster} on a cluster).
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = "Run ITAE Studio on Apache Spark (local mode or a cluster).",
        subcommands = {EmbedClusterCommand.class})
public final class SparkCommand implements CliExtension, Runnable {

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "a subcommand is required: embed-cluster");
    }
}
