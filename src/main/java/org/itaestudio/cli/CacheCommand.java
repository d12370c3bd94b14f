package org.itaestudio.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.itaestudio.store.CacheBudget;
import org.itaestudio.store.CacheDirs;
import org.itaestudio.store.CacheGuard;
import org.itaestudio.store.CacheKind;
import org.itaestudio.store.CacheUsage;
import org.itaestudio.store.Caches;
import org.itaestudio.store.HiddenStateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Show what the caches take on disk, or clear them.",
        subcommands = {CacheCommand.Info.class, CacheCommand.Clear.class},
        footer = {"", "The cache directory is the platform's per-user cache directory, or ITAE_STUDIO_CACHE.",
                "The disk budget is " + CacheBudget.FREE_SPACE_PERCENT + "% of the free space (256 MB to 20 GB), unless "
                        + CacheBudget.MAX_ENV + " (e.g. 5G) says otherwise.",
                "", "Examples:", "  itae-studio cache info", "  itae-studio cache clear --kind hidden-states"})
final class CacheCommand implements Callable<Integer> {


    @Override
    public Integer call() {
        throw new UsageException("cache needs a subcommand: info or clear");
    }

    /** The names of the kinds on the command line ("hidden-states"). */
    static String optionName(CacheKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String line(String label, long bytes) {
        return String.format(Locale.ROOT, "  %-16s %10s", label, CacheBudget.format(bytes));
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Sizes of the caches per kind and the budget.")
    static final class Info implements Callable<Integer> {
        @Override
        public Integer call() {
            Path dir = CacheDirs.resolve().cache();
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                System.err.println("itae-studio: cache directory " + dir + " is not a directory (runs go on without"
                        + " caches; point " + CacheDirs.CACHE_DIR_ENV + " at a directory)");
                return 1;
            }
            CacheUsage usage = CacheUsage.measure(dir);
            System.out.println("cache directory: " + dir + (Files.isDirectory(dir) ? "" : " (not created yet)"));
            for (CacheKind kind : List.of(CacheKind.EMBEDDINGS, CacheKind.FILE_HASHES, CacheKind.HIDDEN_STATES, CacheKind.REGISTER_NEURONS)) {
                System.out.println(line(kind.label(), usage.of(kind)));
            }
            System.out.println(line("total", usage.total()));
            CacheBudget budget;
            try {
                budget = CacheBudget.resolve(dir, null, usage.total());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            System.out.println("budget: " + CacheBudget.format(budget.maxBytes()) + " (" + budget.origin() + ")");
            return 0;
        }
    }

    @Command(name = "clear", mixinStandardHelpOptions = true,
            description = "Empty the caches (all of them, or the kinds given) and say what that freed.")
    static final class Clear implements Callable<Integer> {
        @Option(names = "--kind", paramLabel = "KIND", split = ",",
                description = "embeddings, file-hashes, hidden-states or register-neurons (repeatable; default: all).")
        List<String> kinds = new ArrayList<>();

        @Override
        public Integer call() {
            Set<CacheKind> which = EnumSet.noneOf(CacheKind.class);
            for (String k : kinds) {
                which.add(parseKind(k));
            }
            if (which.isEmpty()) {
                which = EnumSet.allOf(CacheKind.class);
            }
            Path dir = CacheDirs.resolve().cache();
            if (!Files.isDirectory(dir)) {
                if (Files.exists(dir)) {
                    System.err.println("itae-studio: cache directory " + dir + " is not a directory");
                    return 1;
                }
                System.out.println("nothing to clear: " + dir + " does not exist");
                return 0;
            }
            CacheGuard guard = CliSupport.warningsToStderr();
            CacheUsage freed;
            try (Caches caches = Caches.open(dir, HiddenStateStore.Precision.FP16, guard, null)) {
                freed = caches.clear(which);
            }
            List<String> parts = new ArrayList<>();
            for (CacheKind kind : List.of(CacheKind.EMBEDDINGS, CacheKind.FILE_HASHES, CacheKind.HIDDEN_STATES, CacheKind.REGISTER_NEURONS)) {
                if (which.contains(kind)) {
                    parts.add(kind.label() + " " + CacheBudget.format(freed.of(kind)));
                }
            }
            System.out.println("freed " + CacheBudget.format(freed.total()) + " (" + String.join(", ", parts) + ") in "
                    + dir);
            return guard.warnings().isEmpty() ? 0 : 1;
        }

        static CacheKind parseKind(String k) {
            for (CacheKind kind : CacheKind.values()) {
                if (optionName(kind).equals(k.trim().toLowerCase(Locale.ROOT))) {
                    return kind;
                }
            }
            throw new UsageException("--kind must be embeddings, file-hashes, hidden-states or register-neurons, got '" + k + "'");
        }
    }
}
