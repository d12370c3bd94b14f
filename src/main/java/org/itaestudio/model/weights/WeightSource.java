package org.itaestudio.model.weights;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.channels.Channel;
import java.nio.file.Path;
import java.util.Map;

/**
 * Read access to the tensors of a checkpoint, one tensor at a time, so that peak heap stays at one tensor
 * even for ViT-g. Implementations memory-map their file; {@link #close()} releases it.
 */
public interface WeightSource extends AutoCloseable {

    /** Every tensor, in file order, by name. */
    Map<String, TensorInfo> tensors();

    /**
     * The tensor's values converted to float32, row-major, position 0, limit = numel. The buffer may be a
     * view of the mapped file (valid until close) or a fresh heap buffer.
     */
    FloatBuffer readFloats(String name) throws IOException;

    @Override
    void close() throws IOException;

    /**
     * The entry a reader keeps for {@code name}, after the checks every file reader makes before reading.
     *
     * @throws IllegalArgumentException when there is no such tensor
     * @throws IOException              when the reader's channel is closed
     */
    static <T> T entryToRead(Map<String, T> entries, String name, Path file, Channel channel) throws IOException {
        T entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(file + ": no tensor named " + name);
        }
        if (!channel.isOpen()) {
            throw new IOException(file + ": reader is closed");
        }
        return entry;
    }
}
