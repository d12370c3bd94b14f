package org.itaestudio.model.transfer;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a transfer run optimises.
 *
 * @param mode      scratch, copy or distill
 * @param layers    the transferred blocks (ignored for scratch)
 * @param atdWeight lambda, the weight of the attention loss when distilling (3 in the paper)
 * @param optimizer AdamW's settings
 */
public record TransferSettings(TransferMode mode, SortedSet<Integer> layers, double atdWeight, AdamW.Settings optimizer) {

    /** Blocks at the end that are never transferred by default (what the official code runs). */
    public static final int UNTRANSFERRED_LAST_BLOCKS = 3;
    public static final double DEFAULT_ATD_WEIGHT = 3.0;

    public TransferSettings {
        layers = Collections.unmodifiableSortedSet(new TreeSet<>(layers));
        if (mode != TransferMode.SCRATCH && layers.isEmpty()) {
            throw new IllegalArgumentException(mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs at least one transferred layer");
        }
        if (!layers.isEmpty() && layers.first() < 0) {
            throw new IllegalArgumentException("transferred layer index must be >= 0, got " + layers.first());
        }
        if (!(atdWeight >= 0)) {
            throw new IllegalArgumentException("attention loss weight must be >= 0, got " + atdWeight);
        }
    }

    /** Every block but the last {@value #UNTRANSFERRED_LAST_BLOCKS}. */
    public static SortedSet<Integer> defaultLayers(int depth) {
        SortedSet<Integer> out = new TreeSet<>();
        for (int i = 0; i < depth - UNTRANSFERRED_LAST_BLOCKS; i++) {
            out.add(i);
        }
        return out;
    }
}
