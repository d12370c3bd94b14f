package org.itaestudio.model.hub;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body pulled one batch at a time with a poll timeout, so the reading thread can notice a stalled
 * connection or a cancellation while waiting (a blocking InputStream read cannot be interrupted). Requests one
 * batch at a time: memory stays bounded however fast the network is.
 */
final class BodyStream implements Flow.Subscriber<List<ByteBuffer>> {

    /** Marks the end of the body in {@link #poll}. */
    static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(throwable);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /** A {@code List<ByteBuffer>}, a Throwable (the transfer failed), {@link #END}, or null on timeout. */
    Object poll(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Asks for the next batch once the previous one was consumed. */
    void requestMore() {
        Flow.Subscription s = subscription;
        if (s != null && !cancelled) {
            s.request(1);
        }
    }

    /** Stops the transfer; the connection is closed. */
    void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
