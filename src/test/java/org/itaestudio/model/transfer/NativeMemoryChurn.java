package org.itaestudio.model.transfer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A background thread that keeps freeing and reusing small native blocks while a test trains: it runs the garbage
 * collector (which frees the Java direct buffers nothing references any more) and allocates direct buffers of the
 * size DJL uses for a scalar, filled with {@link #MARK}. A tensor that still points into a freed buffer then reads
 * the mark (or malloc's bookkeeping) instead of its value, on most steps rather than once in a long test run.
 *
 * <p>Without it, such a use-after-free shows only when a collection happens to fall between a forward and its
 * backward pass and malloc happens to reuse the block: rarely, and more often in a busy JVM.
 */
public final class NativeMemoryChurn implements AutoCloseable {

    public static final float MARK = 1234f;

    private final Thread thread;
    private volatile boolean running = true;

    private NativeMemoryChurn() {
        thread = new Thread(this::churn, "native-memory-churn");
        thread.setDaemon(true);
        thread.start();
    }

    public static NativeMemoryChurn start() {
        return new NativeMemoryChurn();
    }

    private void churn() {
        List<ByteBuffer> held = new ArrayList<>();
        while (running) {
            System.gc();
            for (int i = 0; i < 200; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                b.putFloat(0, MARK);
                held.add(b);
            }
            if (held.size() > 20_000) {
                held.clear();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // pace: each collection stops the training thread too
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
