package org.itaestudio.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import org.itaestudio.progress.ProgressListener;

/**
 * What the app needs to know about a model before running: is it on this machine, and if not, can it be
 * downloaded. Methods may touch the disk or network and are called on background threads only.
 */
public interface ModelService {

    /**
     * @param available    the model can be loaded now
     * @param explanation  when not available: what is missing and where it was looked for (one or two sentences)
     * @param downloadable a download can fetch it
     */
    record Status(boolean available, String explanation, boolean downloadable) {
        public static Status ok() {
            return new Status(true, "", false);
        }
    }

    Status status(String modelSpec);

    /** Downloads the model; returns where it now lives (a spec the engine accepts). */
    Path download(String modelSpec, ProgressListener progress, Cancellation cancel) throws IOException;
}
