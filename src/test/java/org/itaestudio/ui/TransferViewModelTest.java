package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeSet;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.transfer.AttentionComparison;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.transfer.RunFolder;
import org.itaestudio.transfer.TransferRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Transfer view model without the toolkit: training runs synchronously on the calling thread (worker and FX
 * executors are {@code Runnable::run}), so start, cancel and resume are checked step by step.
 */
class TransferViewModelTest {

    @TempDir
    static Path shared;
    static Path teacher;
    static Path data;

    @TempDir
    Path tmp;

    final ItaeSettings itae = new ItaeSettings();
    final TransferViewModel vm = new TransferViewModel(itae, Runnable::run, Runnable::run, Runnable::run);

    @BeforeAll
    static void setUp() throws Exception {
        teacher = TransferFixtures.teacher(shared.resolve("teacher"));
        data = TransferFixtures.data(shared.resolve("data"));
    }

    @AfterEach
    void close() {
        vm.close();
    }

    @Test
    void cancelAfterTheFirstEpochKeepsItsCheckpointAndResumeFinishesTheRun() throws Exception {
        Path runs = tmp.resolve("runs");
        TransferFixtures.configure(vm, teacher, data, runs, TransferMode.DISTILL);
        vm.afterEpoch = m -> {
            if (m.epoch() == 1) {
                vm.cancel();
            }
        };
        vm.start();

        assertEquals(TransferViewModel.State.CANCELLED, vm.stateProperty().get(), vm.messageProperty().get());
        Path dir = runs.resolve("distill-01");
        assertEquals(dir, vm.currentRunProperty().get());
        RunFolder folder = new RunFolder(dir);
        assertTrue(Files.isRegularFile(folder.checkpoint()), "the first epoch's checkpoint stays");
        assertEquals(2, Files.readAllLines(folder.metricsCsv()).size(), "header and epoch 1");
        assertEquals(1, vm.runs().size());
        TransferViewModel.RunSummary cancelled = vm.runs().get(0);
        assertEquals(1, cancelled.epochsDone());
        assertTrue(cancelled.resumable());
        assertEquals(1, vm.curves().size());
        assertEquals(1, vm.curves().get(0).points().size());
        assertTrue(vm.curves().get(0).points().get(0).attentionLoss() > 0, "distillation has an attention loss");
        assertTrue(vm.messageProperty().get().contains("after epoch 1"), vm.messageProperty().get());

        vm.afterEpoch = m -> { };
        vm.resume();

        assertEquals(TransferViewModel.State.FINISHED, vm.stateProperty().get(), vm.messageProperty().get());
        List<String> metrics = Files.readAllLines(folder.metricsCsv());
        assertEquals(3, metrics.size());
        assertTrue(metrics.get(1).startsWith("1,3,") && metrics.get(2).startsWith("2,6,"), metrics.toString());
        TransferViewModel.RunSummary done = vm.runs().get(0);
        assertTrue(done.complete());
        assertFalse(done.resumable());
        assertEquals(2, vm.curves().get(0).points().size());
        assertEquals(vm.request().withItae(null), TransferRun.recorded(folder), "run.json holds the request");
        assertTrue(Files.isRegularFile(folder.student().resolve("head.safetensors")));
    }

    @Test
    void runsFolderListsEveryRunAndHiddenRunsLeaveTheCurves() {
        Path runs = tmp.resolve("runs");
        TransferFixtures.configure(vm, teacher, data, runs, TransferMode.SCRATCH);
        vm.start();
        TransferFixtures.configure(vm, teacher, data, runs, TransferMode.COPY);
        vm.start();
        assertEquals(TransferViewModel.State.FINISHED, vm.stateProperty().get(), vm.messageProperty().get());

        TransferViewModel other = new TransferViewModel(new ItaeSettings(), Runnable::run, Runnable::run, Runnable::run);
        other.runsRootProperty().set(runs);
        other.refreshRuns();
        assertEquals(List.of("copy-01", "scratch-01"), other.runs().stream().map(TransferViewModel.RunSummary::name).toList());
        assertEquals(2, other.curves().size());
        assertEquals(TransferMode.COPY, other.curves().get(0).mode());
        other.hiddenRuns().add(runs.resolve("copy-01"));
        assertEquals(1, other.curves().size());
        assertEquals(TransferMode.SCRATCH, other.curves().get(0).mode());
        other.close();
    }

    @Test
    void attentionOfAValidationImageSideBySide() {
        Path runs = tmp.resolve("runs");
        TransferFixtures.configure(vm, teacher, data, runs, TransferMode.COPY);
        vm.start();
        vm.selectedRunProperty().set(vm.runs().get(0));
        assertEquals(3, vm.valImages().size(), "one validation image per class");
        assertEquals(4, vm.layerCountProperty().get());
        assertEquals(2, vm.headCountProperty().get());

        vm.layerProperty().set(0);
        vm.headProperty().set(1);
        vm.compare();
        TransferViewModel.Comparison c = vm.comparisonProperty().get();
        assertNotNull(c, vm.comparisonTextProperty().get());
        AttentionComparison.Result r = c.result();
        assertEquals(2, r.grid());
        assertEquals(4, r.teacherCls().length);
        assertEquals(4, r.studentCls().length);
        assertTrue(r.studentUsesTeacher(), "block 0 is transferred (a 4-block model transfers block 0 only)");
        assertTrue(Double.isFinite(r.meanKl()) && r.meanKl() > 0, "a random teacher and a briefly trained student differ");
        assertTrue(r.headClsKl() >= 0);
        double mass = 0;
        for (float v : r.teacherCls()) {
            assertTrue(v > 0 && v < 1);
            mass += v;
        }
        assertTrue(mass < 1, "the CLS row's mass on patches excludes the CLS token itself");
        assertTrue(vm.comparisonTextProperty().get().contains("Block 0, head 1"), vm.comparisonTextProperty().get());

        vm.layerProperty().set(3);
        vm.compare();
        assertFalse(vm.comparisonProperty().get().result().studentUsesTeacher(), "block 3 is not transferred");
    }

    @Test
    void badSettingsFailWithOneLineAndLeaveNoRun() throws Exception {
        Path runs = tmp.resolve("runs");
        TransferFixtures.configure(vm, teacher, data, runs, TransferMode.DISTILL);
        vm.folderProperty().set(null);
        vm.start();
        assertEquals(TransferViewModel.State.FAILED, vm.stateProperty().get());
        assertTrue(vm.messageProperty().get().startsWith("choose a labelled folder"), vm.messageProperty().get());

        Path flat = Files.createDirectories(tmp.resolve("flat"));
        org.itaestudio.transfer.TinyLabelledFolders.writePng(flat.resolve("a.png"), 0x808080, 0, 12);
        vm.folderProperty().set(flat);
        vm.start();
        assertEquals(TransferViewModel.State.FAILED, vm.stateProperty().get());
        assertTrue(vm.messageProperty().get().contains("no images in class sub-folders"), vm.messageProperty().get());
        assertFalse(vm.messageProperty().get().contains("\n"));
        assertTrue(vm.runs().isEmpty(), "a run that wrote nothing is not listed");

        vm.folderProperty().set(data);
        vm.studentHeadsProperty().set(4);
        vm.start();
        assertEquals(TransferViewModel.State.FAILED, vm.stateProperty().get());
        assertTrue(vm.messageProperty().get().contains("heads differ"), vm.messageProperty().get());
    }

    @Test
    void warnsWhenItaeTouchesNoTransferredBlock() {
        ItaeConfig paper = ItaeConfig.paperDefault(ItaeConfig.Threshold.AUTO);
        String w = TransferViewModel.itaeWarning(TransferMode.DISTILL, paper, OptionalInt.of(12), null);
        assertTrue(w.contains("block 11") && w.contains("blocks 0-8"), w);
        ItaeConfig early = new ItaeConfig(ItaeConfig.Component.V, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.BELOW,
                1, ItaeConfig.Blocks.of(new TreeSet<>(List.of(7, 8, 9))), ItaeConfig.Rows.CLS);
        assertEquals("", TransferViewModel.itaeWarning(TransferMode.COPY, early, OptionalInt.of(12), null));
        assertTrue(TransferViewModel.itaeWarning(TransferMode.COPY, early, OptionalInt.of(12), 10).contains("blocks 0-6"),
                "a 10-block student transfers blocks 0-6");
        assertTrue(TransferViewModel.itaeWarning(TransferMode.SCRATCH, early, OptionalInt.of(12), null).startsWith("Scratch"));
        assertEquals("", TransferViewModel.itaeWarning(TransferMode.DISTILL, null, OptionalInt.of(12), null));

        // the view model: the app's model is a 12-block catalogue model, ITAE from the panel (last block by default)
        vm.teacherProperty().set("dinov2-small");
        vm.modeProperty().set(TransferMode.DISTILL);
        assertEquals("", vm.warningProperty().get(), "ITAE off on the teacher: nothing to warn about");
        vm.itaeOnProperty().set(true);
        assertTrue(vm.warningProperty().get().contains("block 11"), vm.warningProperty().get());
        itae.lastLayerOnlyProperty().set(false);
        itae.layerFromProperty().set(0);
        itae.layerToProperty().set(11);
        assertEquals("", vm.warningProperty().get(), "every block engineered, so the transferred ones too");
        itae.enabledProperty().set(false);
        assertEquals("", vm.warningProperty().get(), "the panel's own switch does not turn the teacher's ITAE off");
    }
}
