package org.itaestudio.cli;

/**
 * A picocli subcommand that is not part of the product but joins {@code itae-studio} when it is on the classpath:
 * the benchmarks of a checkout ({@code itae-studio bench}, src/bench/java), which the jar and the installers leave
 * out. Implementations are {@code @Command} classes with a public no-argument constructor, listed in
 * {@code META-INF/services/org.itaestudio.cli.CliExtension}; the product names none of them.
 */
public interface CliExtension {
}
