package org.itaestudio.model.hub;

/**
 * Progress of one file transfer. Called on the downloading thread: once when the transfer starts (bytesDone =
 * bytes already on disk from an earlier, interrupted attempt), after every chunk written, and
 * {@link #finished()} once when the transfer ends, successfully or not.
 */
@FunctionalInterface
public interface DownloadListener {

    DownloadListener NONE = (bytesDone, bytesTotal, bytesPerSecond) -> { };

    /**
     * @param bytesDone      bytes of the file on disk so far (includes resumed bytes)
     * @param bytesTotal     expected size, or -1 when the server did not say
     * @param bytesPerSecond recent transfer rate of this session (0 at the start)
     */
    void progress(long bytesDone, long bytesTotal, double bytesPerSecond);

    /** The transfer ended (completed, failed or cancelled). */
    default void finished() {
    }
}
