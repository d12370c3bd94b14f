package org.itaestudio.model;

import ai.djl.Device;

/**
 * The device the model tests run on: the CPU, or the one named by {@code -Ditae.test.device=gpu} (what
 * {@code tools/gpu-check.sh} passes to run the same numerics tests, with the same tolerances, on CUDA).
 */
final class TestDevice {
    private TestDevice() {
    }

    static Device get() {
        return Device.fromName(System.getProperty("itae.test.device", "cpu"));
    }
}
