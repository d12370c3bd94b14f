package org.itaestudio.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a user's device choice into a DJL {@link Device}. A GPU request on a machine without
 * CUDA (or with the CPU build of libtorch) falls back to the CPU with a note instead of failing.
 *
 * @param device the device to run on
 * @param note   why the choice differs from the request, or null
 */
public record ComputeDevice(Device device, String note) {

    private static final Logger LOG = LoggerFactory.getLogger(ComputeDevice.class);
    /** Choices already logged: the log says once per process where a choice runs. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    public static ComputeDevice resolve(DeviceChoice choice) {
        String c = choice.id();
        int gpus = gpuCount();
        ComputeDevice chosen = switch (choice) {
            case CPU -> new ComputeDevice(Device.cpu(), null);
            case GPU -> gpus > 0 ? new ComputeDevice(Device.gpu(), null)
                    : new ComputeDevice(Device.cpu(), "no CUDA GPU usable (CPU build of libtorch, or no driver): running on the CPU");
            case AUTO -> new ComputeDevice(gpus > 0 ? Device.gpu() : Device.cpu(), null);
        };
        if (LOGGED.add(c)) {
            LOG.info("device: requested {}, running on {} ({} CUDA GPU(s) visible to libtorch){}", c, chosen.label(), gpus,
                    chosen.note() == null ? "" : "; " + chosen.note());
        }
        return chosen;
    }

    /** GPUs the PyTorch engine can use; 0 when the CUDA runtime is absent. */
    public static int gpuCount() {
        NativeThreading.configure(); // this may be the first use of the engine
        try {
            return Engine.getEngine("PyTorch").getGpuCount();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return 0;
        }
    }

    /** "CPU" or "GPU 0", for status bars. */
    public String label() {
        return device.isGpu() ? "GPU " + device.getDeviceId() : "CPU";
    }
}
