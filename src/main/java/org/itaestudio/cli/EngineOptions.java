package org.itaestudio.cli;

import java.util.Locale;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.Pooling;
import org.itaestudio.pipeline.AnalysisSettings;
import picocli.CommandLine.Mixin;
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

    @Mixin
    ItaeOptions itaeOptions = new ItaeOptions();

    @Mixin
    TtrOptions ttrOptions = new TtrOptions();

    @Option(names = "--no-cache", description = "Do not read or write the embedding cache.")
    boolean noCache;

    /** ITAE settings, or null when no --itae-* option was given (ITAE off). */
    public ItaeConfig itae() {
        return itaeOptions.itae();
    }

    /** {@code --k}: a number of clusters >= 1, or "auto" (0: chosen by silhouette). */
    static int parseK(String k) {
        if (k.equalsIgnoreCase("auto")) {
            return 0;
        }
        int value;
        try {
            value = Integer.parseInt(k.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--k must be a positive number or 'auto', got '" + k + "'");
        }
        if (value < 1) {
            throw new UsageException("--k must be >= 1, got " + value);
        }
        return value;
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
        TestTimeRegisters ttr = ttrOptions.ttr();
        return AnalysisSettings.defaults(model).with(b -> {
            b.device = deviceChoice;
            b.resize = imageSize;
            b.crop = cropSide;
            b.jpegDraft = jpegDraft;
            b.pooling = poolingChoice;
            b.batchSize = batchSize;
            b.itae = itaeConfig;
            b.ttr = ttr;
        });
    }
}
