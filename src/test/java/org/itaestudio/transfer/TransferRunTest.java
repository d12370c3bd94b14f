package org.itaestudio.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.itaestudio.bench.SyntheticWeights;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.transfer.AttentionComparison;
import org.itaestudio.model.transfer.StepLosses;
import org.itaestudio.model.transfer.TrainingBatch;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.transfer.TransferSession;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run from a request to a run folder without the command line, and the attention comparison of its student. */
class TransferRunTest {

    static final DinoV2Config TEACHER = new DinoV2Config(16, 4, 2, 64, DinoV2Config.FfnType.MLP, 0, 4, 2, 1e-6, false, 0.0);

    @TempDir
    static Path shared;
    static Path teacher;
    static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        teacher = Files.createDirectories(shared.resolve("teacher"));
        Files.writeString(teacher.resolve("config.json"), "{\"model_type\": \"dinov2\", \"hidden_size\": 16, "
                + "\"num_hidden_layers\": 4, \"num_attention_heads\": 2, \"mlp_ratio\": 4, \"image_size\": 8, "
                + "\"patch_size\": 4}");
        SafetensorsWriter.write(teacher.resolve("model.safetensors"), new SyntheticWeights(TEACHER, 5), Map.of());
        data = TinyLabelledFolders.write(shared.resolve("data"), 3, 5, 12);
    }

    static TransferRunRequest request(TransferMode mode) {
        return TransferRunRequest.defaults(teacher.toString(), mode, data).withSchedule(2, 4, 1e-3).withInput(10, 8)
                .withDevice(DeviceChoice.CPU);
    }

    @Test
    void theComparisonsKlIsDistillationsAttentionLossLessTheTeachersEntropy() throws Exception {
        // ITAE on every block's CLS row, so the teacher's transferred map is the engineered one
        ItaeConfig itae = new ItaeConfig(ItaeConfig.Component.V, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.BELOW,
                1, ItaeConfig.Blocks.of(List.of(0, 1, 2, 3)), ItaeConfig.Rows.CLS);
        TransferRunRequest r = request(TransferMode.DISTILL).withItae(itae);
        RunFolder run = new RunFolder(tmp.resolve("run"));
        List<Integer> epochs = new ArrayList<>();
        TransferRun.Outcome out = TransferRun.train(r, run, false, p -> { }, () -> false,
                (m, history) -> epochs.add(m.epoch()));
        assertEquals(List.of(1, 2), epochs);
        assertFalse(out.cancelled());
        assertEquals(r, TransferRun.recorded(run));

        TransferRun.Data d = TransferRun.data(r);
        int image = 1;
        AttentionComparison.Result c = TransferRun.compare(r, run, d, image, 0, 1);
        assertTrue(c.meanKl() > 0 && c.teacherEntropy() > 0, c.toString());
        assertFalse(c.studentUsesTeacher());
        // the same student and teacher through the training code (checked against PyTorch by TransferParityTest)
        Path teacherFile = TransferRun.teacherFile(r);
        try (TransferSession s = TransferSession.open(teacherFile, itae, r.shape(), r.crop(), d.train().classes().size(),
                TransferRun.settings(r, 4), r.seed(), DeviceChoice.CPU, run.checkpoint())) {
            StepLosses losses = s.trainer().losses(new TrainingBatch(d.valImages().pixels()[image],
                    new int[] {d.valImages().labels()[image]}, r.crop()));
            assertEquals(1, losses.attentionPerLayer().length, "a 4-block student transfers block 0");
            assertEquals(losses.attentionPerLayer()[0], c.meanKl() + c.teacherEntropy(), 1e-4);
        }
    }

    @Test
    void cancelKeepsTheLastEpochAndResumeFinishesIt() throws Exception {
        TransferRunRequest r = request(TransferMode.COPY);
        RunFolder run = new RunFolder(tmp.resolve("copy"));
        boolean[] stop = {false};
        TransferRun.Outcome first = TransferRun.train(r, run, false, p -> { }, () -> stop[0], (m, h) -> stop[0] = true);
        assertTrue(first.cancelled());
        assertEquals(1, first.history().size());
        assertThrows(IllegalArgumentException.class, () -> TransferRun.train(r, run, false, p -> { }, () -> false,
                (m, h) -> { }), "a folder holding a run is not overwritten");
        TransferRun.Outcome rest = TransferRun.train(TransferRun.recorded(run), run, true, p -> { }, () -> false,
                (m, h) -> { });
        assertFalse(rest.cancelled());
        assertEquals(List.of(1, 2), rest.history().stream().map(EpochMetrics::epoch).toList());
        assertEquals(6, rest.history().get(1).step());
        assertEquals(3, Files.readAllLines(run.metricsCsv()).size());
    }
}
