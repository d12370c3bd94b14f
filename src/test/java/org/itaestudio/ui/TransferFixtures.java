package org.itaestudio.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.itaestudio.bench.SyntheticWeights;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.itaestudio.transfer.TinyLabelledFolders;

/** A tiny random teacher (4 blocks, width 16, 2 heads, patch 4) and a folder of 3 colour classes for Transfer tests. */
final class TransferFixtures {

    static final DinoV2Config TEACHER = new DinoV2Config(16, 4, 2, 64, DinoV2Config.FfnType.MLP, 0, 4, 2, 1e-6, false, 0.0);

    private TransferFixtures() {
    }

    /** A Hugging Face folder (config.json names the heads) with random weights. */
    static Path teacher(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"dinov2\", \"hidden_size\": 16, "
                + "\"num_hidden_layers\": 4, \"num_attention_heads\": 2, \"mlp_ratio\": 4, \"image_size\": 8, "
                + "\"patch_size\": 4}");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), new SyntheticWeights(TEACHER, 5), Map.of());
        return dir;
    }

    /** 3 classes of 5 images, 12 px: 12 training and 3 validation images at the default split. */
    static Path data(Path dir) throws IOException {
        return TinyLabelledFolders.write(dir, 3, 5, 12);
    }

    /** Settings of a 2-epoch run on 8 px crops (2x2 patches) in batches of 4. */
    static void configure(TransferViewModel vm, Path teacher, Path data, Path runs, TransferMode mode) {
        vm.teacherProperty().set(teacher.toString());
        vm.folderProperty().set(data);
        vm.runsRootProperty().set(runs);
        vm.modeProperty().set(mode);
        vm.epochsProperty().set(2);
        vm.batchSizeProperty().set(4);
        vm.lrProperty().set(1e-3);
        vm.imageSizeProperty().set(10);
        vm.cropProperty().set(8);
        vm.deviceProperty().set(DeviceChoice.CPU);
    }
}
