package org.itaestudio.cli;

import java.util.Locale;
import java.util.TreeSet;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.Pooling;
import org.itaestudio.pipeline.AnalysisSettings;
import picocli.CommandLine.Option;

/** Options every engine subcommand shares (the CLI contract in the README). */
public final class EngineOptions {

    @Option(names = "--model", paramLabel = "M", defaultValue = "dinov2-small",
            description = "Model: dinov2-small|base|large|giant (optionally -reg), a Hugging Face model directory, "
                    + "a .safetensors or a .pth file (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--image-size", paramLabel = "PX", defaultValue = "256",
            description = "Resize the shorter side to PX (bicubic, antialiased like PIL) (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--crop", paramLabel = "PX|none", defaultValue = "224",
            description = "Centre crop side, or 'none' to keep the whole resized image trimmed to multiples of 14 "
                    + "(default: ${DEFAULT-VALUE}).")
    String crop;

    @Option(names = "--jpeg-draft",
            description = "Decode large JPEGs at 1/2, 1/4 or 1/8 size inside the JPEG decoder, exactly like Pillow's "
                    + "Image.draft() before the same transforms: several times faster on camera photos; pixels, and so "
                    + "embeddings, differ slightly from a full decode (off by default).")
    boolean jpegDraft;

    @Option(names = "--pooling", paramLabel = "cls|mean", defaultValue = "cls",
            description = "Embedding: the normed CLS token or the mean of normed patch tokens (default: ${DEFAULT-VALUE}).")
    String pooling;

    @Option(names = "--device", paramLabel = "cpu|gpu", defaultValue = "cpu",
            description = "Where the model runs; gpu falls back to cpu with a note when CUDA is absent (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "Images per forward pass; halved automatically when memory runs out (default: ${DEFAULT-VALUE}).")
    int batchSize;

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

    @Option(names = "--no-cache", description = "Do not read or write the embedding cache.")
    boolean noCache;

    /** ITAE settings, or null when no --itae-* option was given (ITAE off). */
    public ItaeConfig itae() {
        if (itaeComponent == null && itaeThreshold == null && itaeDirection == null && itaeStrength == null
                && itaeLayers == null && itaeRows == null) {
            return null;
        }
        ItaeConfig.Component component = parseEnum(ItaeConfig.Component.class, itaeComponent, "v", "--itae-component");
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
        ItaeConfig.Direction direction = parseEnum(ItaeConfig.Direction.class, itaeDirection, "below", "--itae-direction");
        double strength = itaeStrength == null ? 1.0 : itaeStrength;
        if (!(strength >= 0 && strength <= 1)) {
            throw new UsageException("--itae-strength must be in [0, 1], got " + strength);
        }
        ItaeConfig.Rows rows = parseEnum(ItaeConfig.Rows.class, itaeRows, "cls", "--itae-rows");
        return new ItaeConfig(component, threshold, direction, strength, ItaeConfig.Blocks.of(parseLayers(itaeLayers)), rows);
    }

    /** "11", "9-11", "3,7,11", "last" (empty set = last block). */
    static TreeSet<Integer> parseLayers(String spec) {
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
            throw new UsageException("--itae-layers must look like 11, 9-11, 3,7,11 or last; got '" + spec + "'");
        }
        return layers;
    }

    static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String dflt, String option) {
        String v = (value == null ? dflt : value).trim().toUpperCase(Locale.ROOT);
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : "|").append(c.name().toLowerCase(Locale.ROOT));
            }
            throw new UsageException(option + " must be " + allowed + ", got '" + value + "'");
        }
    }

    public Integer cropOrNull() {
        if (crop.equalsIgnoreCase("none")) {
            return null;
        }
        try {
            int c = Integer.parseInt(crop.trim());
            if (c < 14) {
                throw new NumberFormatException();
            }
            return c;
        } catch (NumberFormatException e) {
            throw new UsageException("--crop must be a size >= 14 or 'none', got '" + crop + "'");
        }
    }

    public Pooling poolingMode() {
        return parseEnum(Pooling.class, pooling, "cls", "--pooling");
    }

    /** The analysis settings these options describe (clustering fields at their defaults). */
    public AnalysisSettings settings() {
        if (imageSize < 14) {
            throw new UsageException("--image-size must be >= 14, got " + imageSize);
        }
        if (batchSize < 1) {
            throw new UsageException("--batch-size must be >= 1, got " + batchSize);
        }
        DeviceChoice deviceChoice = CliSupport.deviceChoice(device);
        Integer cropSide = cropOrNull();
        Pooling poolingChoice = poolingMode();
        ItaeConfig itaeConfig = itae();
        return AnalysisSettings.defaults(model).with(b -> {
            b.device = deviceChoice;
            b.resize = imageSize;
            b.crop = cropSide;
            b.jpegDraft = jpegDraft;
            b.pooling = poolingChoice;
            b.batchSize = batchSize;
            b.itae = itaeConfig;
        });
    }
}
