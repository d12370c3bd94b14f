package org.itaestudio.pipeline;

import java.util.concurrent.CancellationException;

/** A cancellation flag shared between the requester (UI, Ctrl-C) and the worker. */
public final class Cancellation {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public void throwIfCancelled() {
        if (cancelled) {
            throw new CancellationException("cancelled");
        }
    }

    public static Cancellation none() {
        return new Cancellation();
    }
}
