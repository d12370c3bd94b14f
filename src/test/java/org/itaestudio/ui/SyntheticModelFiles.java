package org.itaestudio.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.itaestudio.bench.SyntheticWeights;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.weights.SafetensorsWriter;

/**
 * Writes DINOv2-architecture checkpoints with random weights ({@link SyntheticWeights}) as .safetensors files the
 * real engine loads (architecture inferred from the tensor shapes). For UI tests and the screenshot script only:
 * no pretrained weights exist on the build machines.
 *
 * <p>{@code java -cp target/test-classes:target/classes:... org.itaestudio.ui.SyntheticModelFiles OUT.safetensors
 * [small|tiny|cifar]} writes one from the command line (tools/screenshots.sh).
 */
public final class SyntheticModelFiles {

    /** Tiny: dim 128 (2 heads), 4 blocks, no registers - a forward takes milliseconds. */
    public static final DinoV2Config TINY = DinoV2Config.of(128, 4, 0, DinoV2Config.FfnType.MLP);

    /** ViT-S/14 shape: dim 384 (6 heads), 12 blocks, 4 registers. */
    public static final DinoV2Config SMALL_REG = DinoV2Config.of(384, 12, 4, DinoV2Config.FfnType.MLP);

    /** The attention-transfer reproduction's teacher shape: dim 192 (3 heads), 6 blocks, patch 4, 32 px (8x8 grid). */
    public static final DinoV2Config CIFAR_TEACHER = new DinoV2Config(192, 6, 3, 768, DinoV2Config.FfnType.MLP, 0, 4, 8,
            1e-6, false, 0.0);

    private SyntheticModelFiles() {
    }

    public static Path write(Path file, DinoV2Config config, long seed) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafetensorsWriter.write(file, new SyntheticWeights(config, seed), Map.of("format", "pt",
                "generator", "org.itaestudio.bench.SyntheticWeights seed " + seed));
        return file;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: SyntheticModelFiles OUT.safetensors [tiny|small|cifar]");
            System.exit(2);
        }
        String kind = args.length > 1 ? args[1] : "small";
        DinoV2Config c = kind.equals("tiny") ? TINY : kind.equals("cifar") ? CIFAR_TEACHER : SMALL_REG;
        Path out = write(Path.of(args[0]), c, 7);
        System.out.println(out + " (" + Files.size(out) / 1_000_000 + " MB)");
    }
}
