package org.itaestudio.itae;

import java.util.Collections;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Inference-Time Attention Engineering settings (Nakamura et al., arXiv 2410.04801), as product.md defines them.
 * The paper's default is the first value of each item: component v, score below threshold, strength 1 (set to the
 * minimum), the last block only, the CLS query row only.
 *
 * @param component  which raw projection's L2 norm scores a token
 * @param threshold  the score threshold; {@link Double#NaN} means {@code auto} (per-image Otsu split)
 * @param direction  artifacts have scores below (<=) or above (>=) the threshold
 * @param strength   0 leaves logits unchanged, 1 sets an artifact's logit to the patch minimum
 * @param layers     block indices ITAE acts on; empty means "the last block"
 * @param rows       which query rows are attenuated
 */
public record ItaeConfig(
        Component component,
        double threshold,
        Direction direction,
        double strength,
        SortedSet<Integer> layers,
        Rows rows) {

    public enum Component { Q, K, V }

    public enum Direction { BELOW, ABOVE }

    public enum Rows { CLS, ALL }

    public ItaeConfig {
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("ITAE strength must be in [0, 1], got " + strength);
        }
        if (Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("ITAE threshold must be finite or auto");
        }
        layers = Collections.unmodifiableSortedSet(new TreeSet<>(layers == null ? Collections.emptySet() : layers));
        for (int l : layers) {
            if (l < 0) {
                throw new IllegalArgumentException("ITAE layer index must be >= 0, got " + l);
            }
        }
    }

    /** The paper's rule at the given threshold. */
    public static ItaeConfig paperDefault(double threshold) {
        return new ItaeConfig(Component.V, threshold, Direction.BELOW, 1.0, new TreeSet<>(), Rows.CLS);
    }

    public boolean autoThreshold() {
        return Double.isNaN(threshold);
    }

    /** The block indices ITAE acts on for a model of the given depth. */
    public SortedSet<Integer> resolveLayers(int depth) {
        if (layers.isEmpty()) {
            return Collections.unmodifiableSortedSet(new TreeSet<>(Collections.singleton(depth - 1)));
        }
        if (layers.last() >= depth) {
            throw new IllegalArgumentException(
                    "ITAE layer " + layers.last() + " does not exist: the model has " + depth + " blocks (0.." + (depth - 1) + ")");
        }
        return layers;
    }

    public ItaeConfig withThreshold(double t) {
        return new ItaeConfig(component, t, direction, strength, layers, rows);
    }

    public ItaeConfig withRows(Rows r) {
        return new ItaeConfig(component, threshold, direction, strength, layers, r);
    }

    public ItaeConfig withStrength(double s) {
        return new ItaeConfig(component, threshold, direction, s, layers, rows);
    }

    /** A stable text form, used as a cache key and in logs. */
    public String key() {
        return String.format(Locale.ROOT, "itae:%s:%s:%s:%s:%s:%s", component, autoThreshold() ? "auto" : Double.toString(threshold),
                direction, Double.toString(strength), layers.isEmpty() ? "last" : layers.toString().replace(" ", ""), rows);
    }
}
