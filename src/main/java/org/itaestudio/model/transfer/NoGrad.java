package org.itaestudio.model.transfer;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Autograd off on the calling thread until closed, then back to what it was.
 *
 * <p>Why: libtorch's grad mode is per thread and on by default; DJL turns it off only on the thread that first loads
 * the engine. On any other thread (a UI worker, a pool) a forward would record a graph it never uses and an
 * optimiser step would fail ("a leaf Variable that requires grad is being used in an in-place operation"). So every
 * entry point that runs tensors without wanting gradients says so, whatever thread it is on; DJL's gradient
 * collector turns recording on inside it and restores this state when it closes.
 */
final class NoGrad implements AutoCloseable {

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
