package org.itaestudio.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caches of one cache directory (file-hash memo, embeddings, hidden states) behind one {@link CacheGuard}, with
 * the disk budget. Nothing here throws for a cache fault: a cache that cannot be opened, read or written is
 * reported once and left out, and the caller's run goes on (every embedding is then computed).
 *
 * <p>The budget ({@link CacheBudget}) is kept by evicting hidden states first, least recently used state key first
 * (before each append, see {@link HiddenStateStore#setByteLimit}, and in {@link #enforceBudget}); embeddings are
 * evicted (least recently used config key first) only when no hidden states are left and the budget is still
 * exceeded. The file-hash memo is never evicted: it is small and keeps hashing cheap.
 */
public final class Caches implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Caches.class);

    private final Path dir;
    private final CacheGuard guard;
    private final ContentHasher hasher;
    private final EmbeddingCache embeddings;   // null: off
    private final HiddenStateStore states;     // null: off
    private final RegisterNeuronFiles neuronFiles; // null: off
    private final String budgetPreference;
    private volatile CacheBudget budget;

    private Caches(Path dir, CacheGuard guard, ContentHasher hasher, EmbeddingCache embeddings, HiddenStateStore states,
                   String budgetPreference) {
        this.dir = dir;
        this.guard = guard;
        this.hasher = hasher;
        this.embeddings = embeddings;
        this.states = states;
        this.neuronFiles = embeddings == null && states == null ? null : new RegisterNeuronFiles(dir);
        this.budgetPreference = budgetPreference;
        this.budget = resolveBudget();
        if (states != null) {
            states.setByteLimit(() -> budget.maxBytes() - sizeOf(CacheKind.EMBEDDINGS) - sizeOf(CacheKind.FILE_HASHES)
                    - sizeOf(CacheKind.REGISTER_NEURONS));
        }
    }

    /**
     * Opens (creating as needed) the caches in {@code cacheDir}. Never throws for a cache fault: a directory that
     * cannot be used gives one warning and caches that are all off.
     *
     * @param budgetPreference the app's stored budget (null: none; see {@link CacheBudget})
     */
    public static Caches open(Path cacheDir, HiddenStateStore.Precision statePrecision, CacheGuard guard,
                              String budgetPreference) {
        Path dir = cacheDir.toAbsolutePath().normalize();
        guard.watchDisk(dir);
        try {
            CacheFaults.check(dir, CacheFaults.Op.OPEN);
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new IOException("it is a file, not a directory");
            }
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException("not writable");
            }
        } catch (IOException e) {
            guard.directoryUnusable(dir, new UncheckedIOException(oneLine(e), e));
            return new Caches(dir, guard, ContentHasher.withoutMemo(), null, null, budgetPreference);
        }
        ContentHasher hasher = ContentHasher.open(dir, guard);
        EmbeddingCache embeddings = guard.open(CacheKind.EMBEDDINGS, () -> EmbeddingCache.open(dir));
        HiddenStateStore states = guard.open(CacheKind.HIDDEN_STATES, () -> HiddenStateStore.open(dir, statePrecision));
        return new Caches(dir, guard, hasher, embeddings, states, budgetPreference);
    }

    /** The cache directory. */
    public Path directory() {
        return dir;
    }

    public CacheGuard guard() {
        return guard;
    }

    /** Content hashes, memoised while the memo works (never null). */
    public ContentHasher hasher() {
        return hasher;
    }

    /** True when hidden states can still be written (incremental ITAE can keep states). */
    public boolean statesWritable() {
        return states != null && guard.state(CacheKind.HIDDEN_STATES) == CacheGuard.State.OK;
    }

    /** True when hidden states can be read. */
    public boolean statesReadable() {
        return states != null && guard.state(CacheKind.HIDDEN_STATES) != CacheGuard.State.OFF;
    }

    /** Cached embeddings among {@code hashes} (none when the cache is off or fails). */
    public Map<String, float[]> embeddings(String configKey, Collection<String> hashes) {
        if (embeddings == null) {
            return Map.of();
        }
        return guard.read(CacheKind.EMBEDDINGS, () -> embeddings.getAll(configKey, hashes), Map.of());
    }

    /** Stores embeddings; a failure is reported once and the run goes on. */
    public void putEmbeddings(String configKey, Map<String, float[]> vectors) {
        if (embeddings != null && !vectors.isEmpty()) {
            guard.write(CacheKind.EMBEDDINGS, () -> embeddings.putAll(configKey, vectors));
        }
    }

    /** The register-neuron file stored under {@code key} (model and folder), or empty. */
    public java.util.Optional<String> registerNeurons(String key) {
        if (neuronFiles == null) {
            return java.util.Optional.empty();
        }
        return guard.read(CacheKind.REGISTER_NEURONS, () -> neuronFiles.read(key), java.util.Optional.empty());
    }

    /** Stores a register-neuron file under {@code key}; a failure is reported once and the run goes on. */
    public void putRegisterNeurons(String key, String json) {
        if (neuronFiles != null) {
            guard.write(CacheKind.REGISTER_NEURONS, () -> neuronFiles.write(key, json));
        }
    }

    /** Cached hidden states among {@code hashes}. */
    public Map<String, float[]> states(String stateKey, Collection<String> hashes) {
        if (states == null) {
            return Map.of();
        }
        return guard.read(CacheKind.HIDDEN_STATES, () -> states.getAll(stateKey, hashes), Map.of());
    }

    /** Stores hidden states unless the budget is used up or the store failed. */
    public void putStates(String stateKey, int tokens, int dim, Map<String, float[]> byHash) {
        if (states != null && !byHash.isEmpty()) {
            guard.write(CacheKind.HIDDEN_STATES, () -> states.putAll(stateKey, tokens, dim, byHash));
        }
    }

    /** The current budget. */
    public CacheBudget budget() {
        return budget;
    }

    /** What each cache takes on disk now. */
    public CacheUsage usage() {
        return CacheUsage.measure(dir);
    }

    /**
     * Brings the caches under the budget: least recently used hidden states first, then embeddings other than
     * {@code keepConfigKey}'s.
     */
    public void enforceBudget(String keepConfigKey) {
        long max = budget.maxBytes();
        if (states != null) {
            while (usage().total() > max && statesWritable()) {
                Object evicted = guard.read(CacheKind.HIDDEN_STATES, states::evictLeastRecentlyUsed, null);
                if (evicted == null) {
                    break;
                }
            }
        }
        if (embeddings != null) {
            while (usage().total() > max && guard.state(CacheKind.EMBEDDINGS) == CacheGuard.State.OK) {
                Object evicted = guard.read(CacheKind.EMBEDDINGS, () -> embeddings.evictLeastRecentlyUsed(keepConfigKey), null);
                if (evicted == null) {
                    break;
                }
            }
        }
        if (usage().total() > max) {
            LOG.info("Caches in {} take {} after eviction, over the {} budget (what the current folder needs)", dir,
                    CacheBudget.format(usage().total()), CacheBudget.format(max));
        }
    }

    /**
     * Empties the given caches and returns what that freed. A cache that fails to clear is reported through the
     * guard and left as it is.
     */
    public CacheUsage clear(Set<CacheKind> kinds) {
        CacheUsage before = usage();
        Set<CacheKind> which = kinds.isEmpty() ? EnumSet.allOf(CacheKind.class) : kinds;
        if (which.contains(CacheKind.HIDDEN_STATES) && states != null) {
            guard.write(CacheKind.HIDDEN_STATES, states::clear);
        }
        if (which.contains(CacheKind.EMBEDDINGS) && embeddings != null) {
            guard.write(CacheKind.EMBEDDINGS, embeddings::clear);
        }
        if (which.contains(CacheKind.FILE_HASHES)) {
            guard.write(CacheKind.FILE_HASHES, hasher::clear);
        }
        if (which.contains(CacheKind.REGISTER_NEURONS) && neuronFiles != null) {
            guard.write(CacheKind.REGISTER_NEURONS, neuronFiles::clear);
        }
        CacheUsage after = usage();
        budget = resolveBudget();
        return before.minus(after);
    }

    @Override
    public void close() {
        if (embeddings != null) {
            embeddings.close();
        }
        if (states != null) {
            states.close();
        }
        hasher.close();
    }

    private long sizeOf(CacheKind kind) {
        return switch (kind) {
            case EMBEDDINGS -> embeddings == null ? 0 : embeddings.sizeOnDisk();
            case FILE_HASHES -> hasher.sizeOnDisk();
            case HIDDEN_STATES -> states == null ? 0 : states.sizeOnDisk();
            case REGISTER_NEURONS -> neuronFiles == null ? 0 : neuronFiles.sizeOnDisk();
        };
    }

    private CacheBudget resolveBudget() {
        try {
            return CacheBudget.resolve(dir, budgetPreference, usage().total());
        } catch (IllegalArgumentException e) {
            CacheBudget fallback = CacheBudget.byDefault(dir, usage().total());
            guard.notice(e.getMessage() + "; using the default budget of " + CacheBudget.format(fallback.maxBytes()));
            return fallback;
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
