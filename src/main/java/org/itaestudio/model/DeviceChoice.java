package org.itaestudio.model;

import java.util.Locale;

/** Where the user asks the model to run; {@link ComputeDevice#resolve} turns it into the device that runs. */
public enum DeviceChoice {
    /** The CPU. */
    CPU,
    /** A CUDA GPU, falling back to the CPU with a note when none is usable. */
    GPU,
    /** A CUDA GPU when one is usable, else the CPU, without a note. */
    AUTO;

    /** The lower-case name used on the command line, in preferences and in the log. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@link #id()} (case-insensitive; "cuda" is read as GPU).
     *
     * @throws IllegalArgumentException naming the text and the choices
     */
    public static DeviceChoice parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("cuda")) {
            return GPU;
        }
        for (DeviceChoice c : values()) {
            if (c.id().equals(t)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown device '" + text + "' (expected cpu, gpu or auto)");
    }
}
