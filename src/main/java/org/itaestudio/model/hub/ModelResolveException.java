package org.itaestudio.model.hub;

import java.io.IOException;

/**
 * Why a model could not be resolved or downloaded. The message is always one line meant for the user (the CLI
 * prints it as is); {@link #reason()} lets callers (UI) react to the kind of failure.
 */
public class ModelResolveException extends IOException {

    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** The spec is neither a known model name nor an existing path. */
        UNKNOWN_MODEL,
        /** The spec looks like a path and nothing is there. */
        PATH_NOT_FOUND,
        /** The path exists but is not a usable model (missing files, wrong extension). */
        INVALID_MODEL_PATH,
        /** HF_HUB_OFFLINE is set and the model is not (completely) cached. */
        NOT_CACHED_OFFLINE,
        /** The hub could not be reached (DNS, connect, timeout, TLS). */
        NETWORK,
        /** The hub answered with an error status or without the headers a hub sends. */
        HTTP,
        /** The transfer broke off; the partial file is kept and the next attempt resumes it. */
        INTERRUPTED,
        /** The downloaded bytes do not match the expected SHA-256 or size; nothing was kept. */
        CHECKSUM,
        /** The caller cancelled; the partial file is kept for resume. */
        CANCELLED,
        /** A local file system error (cache not writable, disk full...). */
        IO
    }

    private final Reason reason;

    public ModelResolveException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ModelResolveException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
