package org.itaestudio.itae;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Test-time registers (Jiang et al., NeurIPS 2025, arXiv 2506.08010): {@code count} zero tokens appended after all
 * tokens; in every block holding chosen MLP units, the appended tokens' chosen units take the value of largest
 * magnitude (sign kept) among that block's chosen units over all the image's tokens, and the patch tokens' chosen
 * units are replaced as {@link PatchValues} says. Each image of a batch is edited on its own.
 *
 * @param neurons     the chosen (block, unit) pairs, usually a calibration's top-k (order does not matter here)
 * @param count       appended tokens R, at least 1
 * @param patchValues what the patch tokens' chosen units become
 * @param calibratedFor fingerprint of the model the neurons were calibrated on (a model with another one refuses
 *                      them), or null to use them on any model whose blocks and units exist
 */
public record TestTimeRegisters(List<Neuron> neurons, int count, PatchValues patchValues, String calibratedFor) {

    /** What the patch tokens' chosen units become. */
    public enum PatchValues {
        /** 0 (the paper's setting). */
        ZERO,
        /** The unit's mean over the image's patch tokens. */
        MEAN,
        /** Values above the unit's mean + 1 std (unbiased) over the patches are set to the mean; others kept. */
        ONLY_OUTLIERS
    }

    /** One MLP hidden unit: its block and its index after the activation (SwiGLU: in silu(x1) * x2). */
    public record Neuron(int block, int unit) implements Comparable<Neuron> {
        public Neuron {
            if (block < 0 || unit < 0) {
                throw new IllegalArgumentException("register neuron indices must be >= 0, got [" + block + ", " + unit + "]");
            }
        }

        @Override
        public int compareTo(Neuron o) {
            return block != o.block ? Integer.compare(block, o.block) : Integer.compare(unit, o.unit);
        }
    }

    public TestTimeRegisters {
        if (neurons == null || neurons.isEmpty()) {
            throw new IllegalArgumentException("test-time registers need at least one register neuron");
        }
        if (count < 1) {
            throw new IllegalArgumentException("test-time registers: the register count must be >= 1, got " + count);
        }
        if (patchValues == null) {
            throw new IllegalArgumentException("test-time registers: patch values must be given");
        }
        neurons = List.copyOf(new TreeSet<>(neurons)); // sorted, no duplicates: the key does not depend on file order
    }

    public TestTimeRegisters(List<Neuron> neurons, int count, PatchValues patchValues) {
        this(neurons, count, patchValues, null);
    }

    /** One appended register, patches' units set to 0: the paper's setting. */
    public static TestTimeRegisters of(List<Neuron> neurons) {
        return new TestTimeRegisters(neurons, 1, PatchValues.ZERO);
    }

    public TestTimeRegisters withCount(int r) {
        return new TestTimeRegisters(neurons, r, patchValues, calibratedFor);
    }

    public TestTimeRegisters withPatchValues(PatchValues p) {
        return new TestTimeRegisters(neurons, count, p, calibratedFor);
    }

    /**
     * Refuses a model other than the calibrated one.
     *
     * @throws IllegalArgumentException when the fingerprints differ
     */
    public void checkModel(String fingerprint) {
        if (calibratedFor != null && !calibratedFor.equals(fingerprint)) {
            throw new IllegalArgumentException("the register neurons were calibrated for another model (fingerprint "
                    + calibratedFor.substring(0, Math.min(12, calibratedFor.length())) + "), not this one (fingerprint "
                    + fingerprint.substring(0, Math.min(12, fingerprint.length())) + ")");
        }
    }

    /** Chosen units per block, ascending. */
    public SortedMap<Integer, int[]> unitsByBlock() {
        SortedMap<Integer, List<Integer>> lists = new TreeMap<>();
        for (Neuron n : neurons) {
            lists.computeIfAbsent(n.block(), b -> new ArrayList<>()).add(n.unit());
        }
        SortedMap<Integer, int[]> out = new TreeMap<>();
        lists.forEach((b, l) -> out.put(b, l.stream().mapToInt(Integer::intValue).toArray()));
        return Collections.unmodifiableSortedMap(out);
    }

    /** The first block that holds a chosen unit (blocks before it run as in the plain model). */
    public int firstBlock() {
        return neurons.get(0).block();
    }

    /**
     * Checks the neurons against a model.
     *
     * @throws IllegalArgumentException naming the first neuron that does not exist in it
     */
    public void validate(int depth, int hiddenUnits) {
        for (Neuron n : neurons) {
            if (n.block() >= depth) {
                throw new IllegalArgumentException("register neuron [" + n.block() + ", " + n.unit()
                        + "]: block " + n.block() + " does not exist (the model has " + depth + " blocks, 0.." + (depth - 1) + ")");
            }
            if (n.unit() >= hiddenUnits) {
                throw new IllegalArgumentException("register neuron [" + n.block() + ", " + n.unit() + "]: unit index "
                        + n.unit() + " is out of range (the model's MLP has " + hiddenUnits + " hidden units, 0.."
                        + (hiddenUnits - 1) + ")");
            }
        }
    }

    /** A stable text form for cache keys and logs: count, patch values and a digest of the chosen units. */
    public String key() {
        StringBuilder units = new StringBuilder();
        for (Neuron n : neurons) {
            units.append(n.block()).append(':').append(n.unit()).append(';');
        }
        String digest;
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(units.toString().getBytes(StandardCharsets.UTF_8));
            digest = HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return String.format(Locale.ROOT, "ttr:%d:%s:%d:%s", count, patchValues.name().toLowerCase(Locale.ROOT),
                neurons.size(), digest);
    }
}
