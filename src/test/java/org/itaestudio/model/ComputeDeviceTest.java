package org.itaestudio.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The device choice: a GPU request without a usable CUDA GPU (always so with the CPU libtorch the tests run on, and
 * on machines without a driver) runs on the CPU with a note; with a GPU (the gpu profile on a CUDA machine) it runs
 * there without one.
 */
class ComputeDeviceTest {

    @Test
    void gpuRequestFallsBackToTheCpuWithANoteWhenNoGpuIsUsable() {
        ComputeDevice d = ComputeDevice.resolve(DeviceChoice.GPU);
        if (ComputeDevice.gpuCount() == 0) {
            assertFalse(d.device().isGpu());
            assertEquals("CPU", d.label());
            assertTrue(d.note() != null && d.note().contains("no CUDA GPU usable") && d.note().contains("CPU"),
                    "note: " + d.note());
        } else {
            assertTrue(d.device().isGpu());
            assertEquals("GPU 0", d.label());
            assertNull(d.note());
        }
        assertEquals(d, ComputeDevice.resolve(DeviceChoice.parse("CUDA")), "cuda is a synonym, case does not matter");
    }

    @Test
    void cpuNeedsNoNoteAndAutoPicksWhatIsThere() {
        ComputeDevice cpu = ComputeDevice.resolve(DeviceChoice.CPU);
        assertFalse(cpu.device().isGpu());
        assertNull(cpu.note());
        ComputeDevice auto = ComputeDevice.resolve(DeviceChoice.AUTO);
        assertEquals(ComputeDevice.gpuCount() > 0, auto.device().isGpu());
        assertNull(auto.note(), "auto never needs an explanation");
    }

    @Test
    void unknownDeviceIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceChoice.parse("tpu"));
        assertTrue(e.getMessage().contains("'tpu'") && e.getMessage().contains("cpu, gpu or auto"), e.getMessage());
    }
}
