package org.itaestudio.itae;

import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Inference-Time Attention Engineering settings (Nakamura et al., arXiv 2410.04801).
 * The paper's default is the first value of each item: component v, score below threshold, strength 1 (set to the
 * minimum), the last block only, the CLS query row only.
 *
 * @param component  which raw projection's L2 norm scores a token
 * @param threshold  a fixed score threshold, or {@link Threshold#AUTO} (a per-image Otsu split)
 * @param direction  artifacts have scores below (<=) or above (>=) the threshold
 * @param strength   0 leaves logits unchanged, 1 sets an artifact's logit to the patch minimum
 * @param layers     the blocks ITAE acts on: {@link Blocks#LAST} or listed indices
 * @param rows       which query rows are attenuated
 */
public record ItaeConfig(
        Component component,
        Threshold threshold,
        Direction direction,
        double strength,
        Blocks layers,
        Rows rows) {

    public enum Component { Q, K, V }

    public enum Direction { BELOW, ABOVE }

    public enum Rows { CLS, ALL }

    /** The score threshold: a number, or chosen for each image from its own scores. */
    public sealed interface Threshold permits Threshold.Fixed, Threshold.Automatic {
        /** Otsu's split of the image's patch scores ({@link ArtifactDetector#otsuThreshold}). */
        Threshold AUTO = new Automatic();

        static Threshold fixed(double value) {
            return new Fixed(value);
        }

        /** A finite score threshold. */
        record Fixed(double value) implements Threshold {
            public Fixed {
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException("ITAE threshold must be finite or auto, got " + value);
                }
            }
        }

        /** The threshold of each image is computed from its own scores. */
        record Automatic() implements Threshold {
        }
    }

    /** The blocks ITAE acts on: the model's last block whatever its depth, or block indices. */
    public sealed interface Blocks permits Blocks.Last, Blocks.Listed {
        /** The last block of the model (the paper's setting). */
        Blocks LAST = new Last();

        /** The given block indices; an empty collection means {@link #LAST}. */
        static Blocks of(Collection<Integer> indices) {
            return indices == null || indices.isEmpty() ? LAST : new Listed(new TreeSet<>(indices));
        }

        /** The last block of whatever model runs. */
        record Last() implements Blocks {
        }

        /** Block indices, ascending, at least one, each >= 0. */
        record Listed(SortedSet<Integer> indices) implements Blocks {
            public Listed {
                if (indices.isEmpty()) {
                    throw new IllegalArgumentException("ITAE needs at least one block");
                }
                indices = Collections.unmodifiableSortedSet(new TreeSet<>(indices));
                for (int l : indices) {
                    if (l < 0) {
                        throw new IllegalArgumentException("ITAE layer index must be >= 0, got " + l);
                    }
                }
            }
        }
    }

    public ItaeConfig {
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("ITAE strength must be in [0, 1], got " + strength);
        }
        if (threshold == null || layers == null) {
            throw new IllegalArgumentException("ITAE threshold and layers must be given (Threshold.AUTO, Blocks.LAST)");
        }
    }

    /** The paper's rule at the given threshold. */
    public static ItaeConfig paperDefault(Threshold threshold) {
        return new ItaeConfig(Component.V, threshold, Direction.BELOW, 1.0, Blocks.LAST, Rows.CLS);
    }

    /** The paper's rule at a fixed threshold. */
    public static ItaeConfig paperDefault(double threshold) {
        return paperDefault(Threshold.fixed(threshold));
    }

    public boolean autoThreshold() {
        return threshold instanceof Threshold.Automatic;
    }

    /**
     * The fixed threshold.
     *
     * @throws IllegalStateException when the threshold is automatic (it then depends on the image)
     */
    public double fixedThreshold() {
        if (threshold instanceof Threshold.Fixed f) {
            return f.value();
        }
        throw new IllegalStateException("the ITAE threshold is automatic: it is computed per image");
    }

    /** The block indices ITAE acts on for a model of the given depth. */
    public SortedSet<Integer> resolveLayers(int depth) {
        if (layers instanceof Blocks.Listed listed) {
            if (listed.indices().last() >= depth) {
                throw new IllegalArgumentException("ITAE layer " + listed.indices().last() + " does not exist: the model has "
                        + depth + " blocks (0.." + (depth - 1) + ")");
            }
            return listed.indices();
        }
        return Collections.unmodifiableSortedSet(new TreeSet<>(Collections.singleton(depth - 1)));
    }

    public ItaeConfig withLayers(Blocks b) {
        return new ItaeConfig(component, threshold, direction, strength, b, rows);
    }

    public ItaeConfig withRows(Rows r) {
        return new ItaeConfig(component, threshold, direction, strength, layers, r);
    }

    public ItaeConfig withStrength(double s) {
        return new ItaeConfig(component, threshold, direction, s, layers, rows);
    }

    /** A stable text form, used as a cache key and in logs. */
    public String key() {
        String t = threshold instanceof Threshold.Fixed f ? Double.toString(f.value()) : "auto";
        String l = layers instanceof Blocks.Listed listed ? listed.indices().toString().replace(" ", "") : "last";
        return String.format(Locale.ROOT, "itae:%s:%s:%s:%s:%s:%s", component, t, direction, Double.toString(strength), l, rows);
    }
}
