package org.itaestudio.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.itaestudio.model.ComputeDevice;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.model.hub.ResolvedModel;
import org.itaestudio.model.weights.CheckpointLoader;
import org.itaestudio.model.weights.LoadedCheckpoint;
import org.itaestudio.store.ContentHasher;

/**
 * Loads models on demand and keeps the most recent one. Callers take a {@link Lease}; a replaced model is closed
 * when its last lease is returned, so switching models never pulls native memory from under a running forward.
 */
final class ModelProvider implements AutoCloseable {

    /** A loaded model with what identifies it in caches. */
    static final class Loaded {
        final String spec;
        final DeviceChoice deviceChoice;
        final DinoV2 model;
        final ComputeDevice device;
        /** Content hash of the weights (and config), so caches survive a model file being moved or renamed. */
        final String identity;
        final String description;
        private final AtomicInteger users = new AtomicInteger();
        private volatile boolean retired;

        Loaded(String spec, DeviceChoice deviceChoice, DinoV2 model, ComputeDevice device, String identity, String description) {
            this.spec = spec;
            this.deviceChoice = deviceChoice;
            this.model = model;
            this.device = device;
            this.identity = identity;
            this.description = description;
        }
    }

    /** Use of a model; close it when done. */
    final class Lease implements AutoCloseable {
        final Loaded loaded;

        Lease(Loaded loaded) {
            this.loaded = loaded;
            loaded.users.incrementAndGet();
        }

        DinoV2 model() {
            return loaded.model;
        }

        @Override
        public void close() {
            if (loaded.users.decrementAndGet() == 0 && loaded.retired) {
                loaded.model.close();
            }
        }
    }

    /** How a model file's content becomes part of its identity. */
    @FunctionalInterface
    interface FileHash {
        String hash(Path file) throws IOException;
    }

    private final ModelResolver resolver;
    private final FileHash fileHash;
    private Loaded current;

    /** @param hasher the cache's memoising hasher, or null: then the identity is only stable within this process */
    ModelProvider(ModelResolver resolver, ContentHasher hasher) {
        this(resolver, hasher == null ? null : hasher::hash);
    }

    /** @param fileHash content hash of a model file, or null for a path-and-time identity (no cache) */
    ModelProvider(ModelResolver resolver, FileHash fileHash) {
        this.resolver = resolver;
        this.fileHash = fileHash;
    }

    synchronized Lease acquire(String spec, DeviceChoice deviceChoice) throws IOException {
        if (current != null && current.spec.equals(spec) && current.deviceChoice == deviceChoice) {
            return new Lease(current);
        }
        ResolvedModel resolved = resolver.resolve(spec);
        Loaded loaded;
        try (LoadedCheckpoint ckpt = CheckpointLoader.open(resolved.path())) {
            ComputeDevice device = ComputeDevice.resolve(deviceChoice);
            DinoV2 model = DinoV2.create(ckpt.config(), ckpt.weights(), device.device());
            loaded = new Loaded(spec, deviceChoice, model, device, identity(resolved.path(), fileHash), ckpt.description());
        }
        retire(current);
        current = loaded;
        return new Lease(current);
    }

    /** Hash of the files that define the model: a file itself, or config.json + model.safetensors of a directory. */
    static String identity(Path path, FileHash fileHash) throws IOException {
        if (fileHash == null) { // no cache: the identity only has to be stable within this process
            return path.toAbsolutePath() + "@" + Files.getLastModifiedTime(path);
        }
        if (!Files.isDirectory(path)) {
            return fileHash.hash(path);
        }
        List<String> parts = new ArrayList<>();
        for (String name : new String[] {"config.json", "model.safetensors"}) {
            Path f = path.resolve(name);
            if (Files.exists(f)) {
                parts.add(fileHash.hash(f));
            }
        }
        return String.join("+", parts);
    }

    private static void retire(Loaded old) {
        if (old != null) {
            old.retired = true;
            if (old.users.get() == 0) {
                old.model.close();
            }
        }
    }

    @Override
    public synchronized void close() {
        retire(current);
        current = null;
    }
}
