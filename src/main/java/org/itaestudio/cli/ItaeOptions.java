package org.itaestudio.cli;

import java.util.TreeSet;
import org.itaestudio.itae.ItaeConfig;
import picocli.CommandLine.Option;

/** The shared --itae-* options: ITAE on a model's attention (off when none is given). */
public final class ItaeOptions {

    @Option(names = "--itae-component", paramLabel = "v|q|k",
            description = "ITAE: projection whose L2 norm scores tokens (default v).")
    String itaeComponent;

    @Option(names = "--itae-threshold", paramLabel = "X|auto",
            description = "ITAE: score threshold, or 'auto' for a per-image Otsu split of the scores (default auto).")
    String itaeThreshold;

    @Option(names = "--itae-direction", paramLabel = "below|above",
            description = "ITAE: artifacts score <= threshold (below, the paper) or >= threshold (above) (default below).")
    String itaeDirection;

    @Option(names = "--itae-strength", paramLabel = "S",
            description = "ITAE: 0..1; 1 sets an artifact's logit to the patch minimum, as in the paper (default 1).")
    Double itaeStrength;

    @Option(names = "--itae-layers", paramLabel = "LIST",
            description = "ITAE: blocks to engineer, e.g. 11 or 9-11 or 3,7,11 or 'last' (default last).")
    String itaeLayers;

    @Option(names = "--itae-rows", paramLabel = "cls|all",
            description = "ITAE: attenuate the CLS query row only (the paper) or every query row (default cls).")
    String itaeRows;

    /** ITAE settings, or null when no --itae-* option was given (ITAE off). */
    public ItaeConfig itae() {
        if (itaeComponent == null && itaeThreshold == null && itaeDirection == null && itaeStrength == null
                && itaeLayers == null && itaeRows == null) {
            return null;
        }
        ItaeConfig.Component component = EngineOptions.parseEnum(ItaeConfig.Component.class, itaeComponent, "v", "--itae-component");
        ItaeConfig.Threshold threshold;
        String t = itaeThreshold == null ? "auto" : itaeThreshold.trim();
        if (t.equalsIgnoreCase("auto")) {
            threshold = ItaeConfig.Threshold.AUTO;
        } else {
            double value;
            try {
                value = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new UsageException("--itae-threshold must be a number or 'auto', got '" + t + "'");
            }
            if (!Double.isFinite(value)) {
                throw new UsageException("--itae-threshold must be finite, got '" + t + "'");
            }
            threshold = ItaeConfig.Threshold.fixed(value);
        }
        ItaeConfig.Direction direction = EngineOptions.parseEnum(ItaeConfig.Direction.class, itaeDirection, "below", "--itae-direction");
        double strength = itaeStrength == null ? 1.0 : itaeStrength;
        if (!(strength >= 0 && strength <= 1)) {
            throw new UsageException("--itae-strength must be in [0, 1], got " + strength);
        }
        ItaeConfig.Rows rows = EngineOptions.parseEnum(ItaeConfig.Rows.class, itaeRows, "cls", "--itae-rows");
        return new ItaeConfig(component, threshold, direction, strength, ItaeConfig.Blocks.of(parseLayers(itaeLayers)), rows);
    }

    /** "11", "9-11", "3,7,11", "last" (empty set = last block). */
    static TreeSet<Integer> parseLayers(String spec) {
        return parseLayers(spec, "--itae-layers");
    }

    /** A block list of {@code option}: "11", "9-11", "3,7,11", or "last" (the empty set). */
    static TreeSet<Integer> parseLayers(String spec, String option) {
        TreeSet<Integer> layers = new TreeSet<>();
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("last")) {
            return layers;
        }
        try {
            for (String part : spec.split(",")) {
                String p = part.trim();
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    int a = Integer.parseInt(p.substring(0, dash).trim());
                    int b = Integer.parseInt(p.substring(dash + 1).trim());
                    if (a > b || a < 0) {
                        throw new NumberFormatException();
                    }
                    for (int i = a; i <= b; i++) {
                        layers.add(i);
                    }
                } else {
                    int v = Integer.parseInt(p);
                    if (v < 0) {
                        throw new NumberFormatException();
                    }
                    layers.add(v);
                }
            }
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must look like 11, 9-11, 3,7,11 or last; got '" + spec + "'");
        }
        return layers;
    }
}
