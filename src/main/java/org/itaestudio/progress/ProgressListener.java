package org.itaestudio.progress;

/** Receives progress from a worker thread; implementations must be cheap and thread-safe. */
@FunctionalInterface
public interface ProgressListener {
    void onProgress(Progress progress);

    ProgressListener NONE = p -> { };
}
