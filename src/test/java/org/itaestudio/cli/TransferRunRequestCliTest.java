package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.transfer.StudentArch;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.transfer.TransferSession;
import org.itaestudio.transfer.Augmentation;
import org.itaestudio.transfer.TransferRunRequest;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The app records its runs as {@code transfer} arguments and reads the command's: both directions must mean what
 * the command means (same options, same defaults), checked against the command's own parser.
 */
class TransferRunRequestCliTest {

    private static TransferCommand parsed(List<String> args) {
        TransferCommand c = new TransferCommand();
        new CommandLine(c).parseArgs(args.toArray(String[]::new));
        return c;
    }

    /** Every setting the command parsed equals the request's. */
    private static void assertSameRun(TransferCommand c, TransferRunRequest r) {
        assertEquals(c.teacher, r.teacher());
        assertEquals(c.mode.toUpperCase(Locale.ROOT), r.mode().name());
        assertEquals(c.train, r.train());
        assertEquals(c.val, r.val());
        assertEquals(c.valFraction, r.valFraction());
        assertEquals(c.studentDepth, r.shape().depth());
        assertEquals(c.studentDim, r.shape().dim());
        assertEquals(c.studentHeads, r.shape().heads());
        assertEquals(c.studentPatch, r.shape().patch());
        assertEquals(c.studentArch.toUpperCase(Locale.ROOT), r.shape().arch().name());
        assertEquals(c.studentInit, r.studentInit());
        assertEquals(c.clipGrad, r.clipGrad());
        assertEquals(c.transferLayers == null ? null : ItaeOptions.parseLayers(c.transferLayers, "--transfer-layers"),
                r.transferLayers());
        assertEquals(c.atdWeight, r.atdWeight());
        assertEquals(c.epochs, r.epochs());
        assertEquals(c.batchSize, r.batchSize());
        assertEquals(c.lr, r.lr());
        assertEquals(c.weightDecay, r.weightDecay());
        assertEquals(c.warmupEpochs, r.warmupEpochs());
        assertEquals(c.augment.toUpperCase(Locale.ROOT), r.augment().name());
        assertEquals(!c.noShuffle, r.shuffle());
        assertEquals(c.seed, r.seed());
        assertEquals(c.imageSize, r.imageSize());
        assertEquals(c.crop, r.crop());
        assertEquals(CliSupport.deviceChoice(c.device), r.device());
        assertEquals(c.itae.itae(), r.itae());
    }

    @Test
    void theCommandsDefaultsAreTheRequests() {
        List<String> args = List.of("--teacher", "dinov2-small", "--mode", "copy", "--train", "photos", "--output", "runs/x");
        assertSameRun(parsed(args), TransferRunRequest.fromArguments(args));
        assertEquals(TransferRunRequest.defaults("dinov2-small", TransferMode.COPY, Path.of("photos")),
                TransferRunRequest.fromArguments(args));
    }

    @Test
    void everyOptionTheCommandRecordsIsReadBack() {
        List<String> args = List.of("--teacher", "t.safetensors", "--mode", "DISTILL", "--train", "a", "--val", "b",
                "--output", "o", "--val-fraction", "0.3", "--student-depth", "6", "--student-dim", "192",
                "--student-heads", "3", "--student-patch", "4", "--student-arch", "standard", "--transfer-layers", "0-2,4",
                "--atd-weight", "1.5", "--epochs", "7", "--batch-size", "16", "--lr", "5e-4", "--weight-decay", "0",
                "--warmup-epochs", "2", "--clip-grad", "2.5", "--augment", "none", "--no-shuffle", "--seed", "9", "--image-size", "40",
                "--crop", "32", "--device", "gpu", "--itae-component", "k", "--itae-threshold", "0.25",
                "--itae-direction", "above", "--itae-strength", "0.5", "--itae-layers", "1,3", "--itae-rows", "all");
        assertSameRun(parsed(args), TransferRunRequest.fromArguments(args));
        assertEquals(TransferRunRequest.fromArguments(args), parsed(args).request(), "the command runs what it records");
        List<String> someItae = List.of("--teacher", "t", "--mode", "scratch", "--train", "a", "--output", "o",
                "--itae-threshold", "auto", "--student-init", "runs/first");
        assertSameRun(parsed(someItae), TransferRunRequest.fromArguments(someItae));
    }

    @Test
    void anOptionTheAppCannotRunIsRefusedNotDropped() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TransferRunRequest.fromArguments(List.of("--teacher", "t", "--mode", "copy", "--train", "a",
                        "--some-new-option", "1")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("--some-new-option"), e.getMessage());
    }

    @Test
    void theAppsArgumentsParseToTheSameRun() {
        TransferRunRequest r = new TransferRunRequest("teacher dir", new ItaeConfig(ItaeConfig.Component.Q,
                ItaeConfig.Threshold.fixed(1.75), ItaeConfig.Direction.BELOW, 0.8,
                ItaeConfig.Blocks.of(new TreeSet<>(List.of(0, 1, 2))), ItaeConfig.Rows.CLS), TransferMode.COPY,
                new TransferSession.StudentShape(null, 96, null, null, StudentArch.NATIVE), null,
                new TreeSet<>(List.of(0, 1)), 3.0, 4, 8, 2.5e-4, 0.05, 0.5, 1, Augmentation.STANDARD, true, 123, 64, 56, Path.of("data dir"), null, 0.25,
                DeviceChoice.AUTO);
        List<String> args = new ArrayList<>(r.toArguments());
        args.addAll(List.of("--output", "o"));
        assertSameRun(parsed(args), r);
        assertEquals(r, TransferRunRequest.fromArguments(args));
        TransferRunRequest plain = r.withItae(null);
        List<String> plainArgs = new ArrayList<>(plain.toArguments());
        plainArgs.addAll(List.of("--output", "o"));
        assertSameRun(parsed(plainArgs), plain);
    }
}
