package org.itaestudio.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Register-neuron files (test-time registers) kept per model and folder, one small JSON file each under
 * {@value #DIR_NAME}: a calibration takes minutes and its file a few KB, so reopening the folder loads it instead of
 * calibrating again. The text is stored as given (the pipeline parses and checks it); names are a digest of the key,
 * so any key is a valid file name. Written atomically; counted by the budget but never evicted (tiny).
 */
public final class RegisterNeuronFiles {

    public static final String DIR_NAME = "register-neurons";

    private final Path dir;

    public RegisterNeuronFiles(Path cacheDir) {
        this.dir = cacheDir.resolve(DIR_NAME);
    }

    /** The stored text for {@code key}, or empty. */
    public Optional<String> read(String key) {
        try {
            return Optional.of(Files.readString(file(key), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CacheException("cannot read " + file(key) + ": " + e.getMessage(), e);
        }
    }

    /** Stores {@code json} for {@code key}, replacing what was there. */
    public void write(String key, String json) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.writeString(file(key), json);
        } catch (IOException e) {
            throw new CacheException(e.getMessage(), e);
        }
    }

    /** Deletes every stored file. */
    public void clear() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // nothing stored yet
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long sizeOnDisk() {
        return sizeOnDisk(dir);
    }

    static long sizeOnDisk(Path dir) {
        return HiddenStateStore.sizeOnDisk(dir);
    }

    Path file(String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h, 0, 16) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
