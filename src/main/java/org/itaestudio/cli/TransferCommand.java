package org.itaestudio.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.itaestudio.model.transfer.StepLosses;
import org.itaestudio.model.transfer.StudentArch;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.transfer.TransferSession;
import org.itaestudio.model.transfer.TransferSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.transfer.Augmentation;
import org.itaestudio.transfer.EpochMetrics;
import org.itaestudio.transfer.RunFolder;
import org.itaestudio.transfer.TransferRun;
import org.itaestudio.transfer.TransferRunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = "Train a student ViT on a labelled folder (class sub-folders) from scratch, or with a teacher's "
                + "attention (copy or distill, Li et al. 2024); writes a run folder and prints a JSON summary.",
        footer = {"", "Examples:",
                "  itae-studio transfer --teacher dinov2-small --mode distill --train photos/ --output runs/distill",
                "  itae-studio transfer --output runs/distill --resume",
                "  itae-studio transfer --teacher t.safetensors --mode copy --train photos/ --output runs/x --max-steps 0"})
final class TransferCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--teacher", paramLabel = "M", description = "Teacher model: a name, a Hugging Face model directory, "
            + "a .safetensors or a .pth file (required unless --resume).")
    String teacher;

    @Option(names = "--mode", paramLabel = "scratch|copy|distill", description = "What the student learns from "
            + "(required unless --resume).")
    String mode;

    @Option(names = "--train", paramLabel = "DIR", description = "Labelled training folder: DIR/<class>/<image> "
            + "(required unless --resume).")
    Path train;

    @Option(names = "--output", required = true, paramLabel = "RUN_DIR",
            description = "Run folder: run.json, metrics.csv, checkpoint.safetensors, student/.")
    Path output;

    @Option(names = "--val", paramLabel = "DIR", description = "Separate labelled validation folder (instead of a split).")
    Path val;

    @Option(names = "--val-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "Fraction of each class held out for validation when no --val is given (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--student-init", paramLabel = "FILE", description = "Start the student's backbone from this model "
            + "(a name, Hugging Face directory, .safetensors or .pth file, or a run folder: its student/); the student "
            + "takes its shape, the head starts random. Not with --student-depth/-dim/-heads/-patch.")
    String studentInit;

    @Option(names = "--student-depth", paramLabel = "N", description = "Student blocks (default: the teacher's).")
    Integer studentDepth;

    @Option(names = "--student-dim", paramLabel = "D", description = "Student width (default: the teacher's).")
    Integer studentDim;

    @Option(names = "--student-heads", paramLabel = "H", description = "Student heads (default: the teacher's).")
    Integer studentHeads;

    @Option(names = "--student-patch", paramLabel = "P", description = "Student patch size (default: the teacher's).")
    Integer studentPatch;

    @Option(names = "--student-arch", paramLabel = "native|standard", defaultValue = "native",
            description = "native keeps the teacher's LayerScale, registers and SwiGLU; standard is a plain pre-norm "
                    + "ViT (default: ${DEFAULT-VALUE}).")
    String studentArch;

    @Option(names = "--transfer-layers", paramLabel = "LIST",
            description = "Transferred blocks, e.g. 0-8 or 0,2,4 (default: every block but the last 3).")
    String transferLayers;

    @Option(names = "--atd-weight", paramLabel = "W", defaultValue = "3",
            description = "Weight of the attention loss when distilling (default: ${DEFAULT-VALUE}).")
    double atdWeight;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32",
            description = "Images per optimiser step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", paramLabel = "WD", defaultValue = "0.05",
            description = "AdamW weight decay, not on norms, biases, tokens and positions (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--clip-grad", paramLabel = "NORM", defaultValue = "0",
            description = "Clip the gradients' global L2 norm to NORM before each step; 0 does not clip (default: ${DEFAULT-VALUE}).")
    double clipGrad;

    @Option(names = "--warmup-epochs", paramLabel = "W", defaultValue = "0",
            description = "Epochs of linear warm-up before the cosine decay (default: ${DEFAULT-VALUE}).")
    int warmupEpochs;

    @Option(names = "--augment", paramLabel = "standard|none", defaultValue = "standard",
            description = "standard: random resized crop 0.35-1 (bicubic) and flip; none: the embed preprocessing "
                    + "(default: ${DEFAULT-VALUE}).")
    String augment;

    @Option(names = "--no-shuffle", description = "Visit the training images in sorted path order every epoch.")
    boolean noShuffle;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the split, the student's initialisation, batch order and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-steps", paramLabel = "N",
            description = "Stop after N optimiser steps; 0 prints the losses of the first batch as JSON and changes nothing.")
    Integer maxSteps;

    @Option(names = "--resume", description = "Continue the run in --output from its last checkpoint, with its settings.")
    boolean resume;

    @Option(names = "--image-size", paramLabel = "PX", defaultValue = "256",
            description = "Resize the shorter side to PX before the centre crop (validation, --augment none) (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--crop", paramLabel = "PX", defaultValue = "224",
            description = "Side of the square images the student trains on, a multiple of its patch size (default: ${DEFAULT-VALUE}).")
    int crop;

    @Option(names = "--device", paramLabel = "cpu|gpu", defaultValue = "cpu",
            description = "Where the models run; gpu falls back to cpu with a note when CUDA is absent (default: ${DEFAULT-VALUE}).")
    String device;

    @Mixin
    ItaeOptions itae = new ItaeOptions();

    @Override
    public Integer call() throws Exception {
        RunFolder run = new RunFolder(output);
        if (maxSteps != null && maxSteps < 0) {
            throw new UsageException("--max-steps must be >= 0, got " + maxSteps);
        }
        TransferRunRequest r;
        if (resume) {
            r = TransferRun.recorded(run);
            if (spec.commandLine().getParseResult().hasMatchedOption("--device")) {
                r = r.withDevice(CliSupport.deviceChoice(device)); // where to run is this invocation's choice
            }
        } else {
            r = request();
            if ((maxSteps == null || maxSteps > 0) && Files.exists(run.runJson())) {
                throw new UsageException(output + " already holds a run; give another --output, or --resume");
            }
            checkDefaultLayers(r);
        }
        TransferRun.Data data = TransferRun.data(r); // after the quick checks: reading a folder takes a while
        CliSupport.reportSkipped(data.skipped(), System.err);
        CliSupport.noteDevice(r.device().id(), System.err);
        // the models close before a Ctrl-C lets the JVM exit: libtorch must not be running while it does
        try (AutoCloseable stop = CliSupport.stopBeforeExit()) {
            if (maxSteps != null && maxSteps == 0) {
                printFirstBatchLosses(TransferRun.firstBatchLosses(r, data, resume ? run.checkpoint() : null));
                return 0;
            }
            Cancellation cancel = CliSupport.cancelOnInterrupt();
            long started = System.nanoTime();
            int epochs = r.epochs();
            TransferRun.Outcome outcome = TransferRun.train(r, data, run, resume,
                    maxSteps == null ? Long.MAX_VALUE : maxSteps, CliSupport.progressBar(), cancel::isCancelled,
                    (m, history) -> System.err.printf(Locale.ROOT, "epoch %d/%d: loss %.4f (attention %.4f), "
                            + "train top-1 %.3f, val top-1 %.3f, %.1f images/s%n", m.epoch(), epochs,
                            m.classificationLoss(), m.attentionLoss(), m.trainTop1(), m.valTop1(), m.imagesPerSecond()));
            if (cancel.isCancelled()) {
                throw new CancellationException();
            }
            System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(
                    summary(run, r, data, outcome, (System.nanoTime() - started) / 1e9)));
            return 0;
        }
    }

    /** The run these options describe, refusing option values the command cannot use with one line. */
    TransferRunRequest request() {
        TransferMode transferMode = EngineOptions.parseEnum(TransferMode.class, required(mode, "--mode"), "scratch",
                "--mode");
        required(teacher, "--teacher");
        required(train, "--train");
        if (epochs < 1 || batchSize < 1 || warmupEpochs < 0 || warmupEpochs >= epochs) {
            throw new UsageException("need --epochs >= 1, --batch-size >= 1 and 0 <= --warmup-epochs < --epochs");
        }
        if (!(lr > 0) || !(weightDecay >= 0) || !(atdWeight >= 0) || !(clipGrad >= 0)) {
            throw new UsageException("--lr must be > 0; --weight-decay, --atd-weight and --clip-grad >= 0");
        }
        SortedSet<Integer> layers = transferLayers == null ? null : ItaeOptions.parseLayers(transferLayers, "--transfer-layers");
        if (layers != null && layers.isEmpty()) {
            throw new UsageException("--transfer-layers needs block indices, e.g. 0-8");
        }
        if (crop < 1 || crop > imageSize) {
            throw new UsageException("--crop must be between 1 and --image-size (" + imageSize + "), got " + crop);
        }
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new UsageException("--val-fraction must be in (0, 1), got " + valFraction);
        }
        if (studentInit != null
                && (studentDepth != null || studentDim != null || studentHeads != null || studentPatch != null)) {
            throw new UsageException("--student-init gives the student's shape; drop --student-depth, --student-dim, "
                    + "--student-heads and --student-patch");
        }
        TransferSession.StudentShape shape = new TransferSession.StudentShape(studentDepth, studentDim, studentHeads,
                studentPatch, EngineOptions.parseEnum(StudentArch.class, studentArch, "native", "--student-arch"));
        Augmentation augmentation = EngineOptions.parseEnum(Augmentation.class, augment, "standard", "--augment");
        return new TransferRunRequest(teacher, itae.itae(), transferMode, shape, studentInit, layers, atdWeight, epochs,
                batchSize, lr, weightDecay, clipGrad, warmupEpochs, augmentation, !noShuffle, seed, imageSize, crop,
                train, val, valFraction, CliSupport.deviceChoice(device));
    }

    /** Copy and distill need a block to transfer: a student too shallow for the default needs --transfer-layers. */
    private static void checkDefaultLayers(TransferRunRequest r) throws java.io.IOException {
        if (r.mode() == TransferMode.SCRATCH || r.transferLayers() != null) {
            return;
        }
        int depth = TransferRun.studentDepth(r, TransferRun.teacherFile(r));
        if (TransferSettings.defaultLayers(depth).isEmpty()) {
            throw new UsageException("a " + depth + "-block student has no block to transfer by default "
                    + "(every block but the last " + TransferSettings.UNTRANSFERRED_LAST_BLOCKS + "); give --transfer-layers");
        }
    }

    private static <T> T required(T value, String option) {
        if (value == null) {
            throw new UsageException(option + " is required (unless --resume)");
        }
        return value;
    }

    private static void printFirstBatchLosses(StepLosses losses) {
        JsonObject loss = new JsonObject();
        loss.addProperty("classification", losses.classification());
        loss.addProperty("attention", losses.attention());
        loss.addProperty("total", losses.total());
        JsonObject o = new JsonObject();
        o.add("loss", loss);
        JsonArray perLayer = new JsonArray();
        for (double l : losses.attentionPerLayer()) {
            perLayer.add(l);
        }
        o.add("attention_per_layer", perLayer);
        System.out.println(new Gson().toJson(o));
    }

    private static JsonObject summary(RunFolder run, TransferRunRequest r, TransferRun.Data data,
                                      TransferRun.Outcome outcome, double seconds) {
        List<EpochMetrics> history = outcome.history();
        JsonObject o = new JsonObject();
        o.addProperty("run", run.dir().toString());
        o.addProperty("mode", r.mode().name().toLowerCase(Locale.ROOT));
        o.addProperty("epochs", history.isEmpty() ? 0 : history.get(history.size() - 1).epoch());
        o.addProperty("steps", outcome.steps());
        o.addProperty("train_images", data.train().count());
        o.addProperty("val_images", data.val().count());
        o.addProperty("classes", data.train().classes().size());
        if (!history.isEmpty()) {
            EpochMetrics last = history.get(history.size() - 1);
            o.addProperty("classification_loss", last.classificationLoss());
            o.addProperty("attention_loss", last.attentionLoss());
            o.addProperty("train_top1", last.trainTop1());
            if (!Double.isNaN(last.valTop1())) {
                o.addProperty("val_top1", last.valTop1());
            }
        }
        o.addProperty("seconds", Math.round(seconds * 1000) / 1000.0);
        o.addProperty("student", run.student().toString());
        return o;
    }
}
