package org.itaestudio.transfer;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.function.BooleanSupplier;
import org.itaestudio.image.PreprocessConfig;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.model.transfer.AdamW;
import org.itaestudio.model.transfer.AttentionComparison;
import org.itaestudio.model.transfer.StepLosses;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.transfer.TransferSession;
import org.itaestudio.model.transfer.TransferSettings;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.pipeline.SkippedFile;

/**
 * A transfer run from a {@link TransferRunRequest} to a run folder, without a console: what the app's Transfer view
 * runs. It writes the folder the {@code transfer} command writes ({@code run.json} with the command's arguments,
 * {@code metrics.csv}, the checkpoint and {@code student/} after every epoch), so either can resume the other's runs.
 */
public final class TransferRun {

    /**
     * The run's images: the labelled folders and what the epochs draw from.
     *
     * @param skipped the files of the folders read that are not part of the data, with why
     */
    public record Data(LabelledFolder train, LabelledFolder val, TrainingImages trainImages, LabelledImages valImages,
                       List<SkippedFile> skipped) {
    }

    /**
     * What a run did: its epochs so far (a resumed run's earlier ones included), whether it was cancelled, and
     * the optimiser steps taken in all.
     */
    public record Outcome(List<EpochMetrics> history, boolean cancelled, String device, long steps) {
    }

    /** Called on the training thread after each epoch, once its checkpoint, student and metrics are written. */
    @FunctionalInterface
    public interface EpochListener {
        void epochWritten(EpochMetrics metrics, List<EpochMetrics> history);
    }

    private TransferRun() {
    }

    /** Reads and splits the request's folders and prepares the training and validation images. */
    public static Data data(TransferRunRequest r) throws IOException {
        if (r.crop() < 1 || r.crop() > r.imageSize()) {
            throw new IllegalArgumentException("the crop must be between 1 and the image size (" + r.imageSize()
                    + "), got " + r.crop());
        }
        if (!(r.valFraction() > 0 && r.valFraction() < 1)) {
            throw new IllegalArgumentException("the validation fraction must be in (0, 1), got " + r.valFraction());
        }
        LabelledFolder all = LabelledFolder.read(r.train(), null);
        LabelledFolder val = r.val() == null ? null : LabelledFolder.read(r.val(), all.classes());
        return prepare(all, val, r.valFraction(), r.seed(), r.augment(), evaluation(r), r.crop());
    }

    /**
     * Splits and prepares a run's images (the command and the app both read their folders, then call this).
     *
     * @param val the separate validation folder, or null for a seeded stratified split of {@code all}
     */
    public static Data prepare(LabelledFolder all, LabelledFolder val, double valFraction, long seed,
                               Augmentation augment, Preprocessor eval, int crop) throws TransferDataException {
        LabelledFolder trainData;
        LabelledFolder valData;
        if (val != null) {
            trainData = all;
            valData = val;
        } else {
            DataSplit split = DataSplit.stratified(all, valFraction, seed);
            trainData = all.subset(split.train());
            valData = all.subset(split.val());
        }
        TrainingImages trainImages = augment == Augmentation.NONE
                ? AugmentedImages.evaluation(trainData, eval, crop)
                : new AugmentedImages(trainData, augment, eval, crop, seed);
        List<SkippedFile> skipped = new ArrayList<>(all.skipped());
        if (val != null) {
            skipped.addAll(val.skipped());
        }
        return new Data(trainData, valData, trainImages, AugmentedImages.evaluation(valData, eval, crop),
                List.copyOf(skipped));
    }

    /** The evaluation preprocessing of a run (validation, prediction, attention comparison). */
    public static Preprocessor evaluation(TransferRunRequest r) {
        return new Preprocessor(PreprocessConfig.of(r.imageSize(), r.crop()));
    }

    /** The request's optimisation settings for a student of {@code studentDepth} blocks. */
    public static TransferSettings settings(TransferRunRequest r, int studentDepth) {
        if (r.epochs() < 1 || r.batchSize() < 1 || r.warmupEpochs() < 0 || r.warmupEpochs() >= r.epochs()) {
            throw new IllegalArgumentException("need epochs >= 1, batch size >= 1 and 0 <= warm-up epochs < epochs");
        }
        if (!(r.lr() > 0) || !(r.weightDecay() >= 0) || !(r.atdWeight() >= 0) || !(r.clipGrad() >= 0)) {
            throw new IllegalArgumentException("the learning rate must be > 0; weight decay, attention weight and "
                    + "gradient clipping >= 0");
        }
        SortedSet<Integer> layers = r.transferLayers() != null ? r.transferLayers()
                : r.mode() == TransferMode.SCRATCH ? new java.util.TreeSet<>() : TransferSettings.defaultLayers(studentDepth);
        if (layers.isEmpty() && r.mode() != TransferMode.SCRATCH) {
            throw new IllegalArgumentException("a " + studentDepth + "-block student has no block to transfer by default "
                    + "(every block but the last " + TransferSettings.UNTRANSFERRED_LAST_BLOCKS + "); choose the layers");
        }
        AdamW.Settings defaults = AdamW.Settings.defaults(r.weightDecay());
        return new TransferSettings(r.mode(), layers, r.atdWeight(), new AdamW.Settings(defaults.beta1(),
                defaults.beta2(), defaults.eps(), r.weightDecay(), r.clipGrad()));
    }

    /** The teacher's file (downloading a model name that is not on this machine yet). */
    public static Path teacherFile(TransferRunRequest r) throws IOException {
        return new ModelResolver().resolve(r.teacher()).path();
    }

    /** The student's depth: the initial model's, the requested one or the teacher's. */
    public static int studentDepth(TransferRunRequest r, Path teacherFile) throws IOException {
        Path init = studentInitFile(r);
        if (init != null) {
            return TransferSession.readConfig(init).depth();
        }
        return r.shape().depth() != null ? r.shape().depth() : TransferSession.readConfig(teacherFile).depth();
    }

    /**
     * The model the student's backbone starts from, resolved like a teacher, a run folder standing for its exported
     * student; null for a random student.
     */
    public static Path studentInitFile(TransferRunRequest r) throws IOException {
        if (r.studentInit() == null) {
            return null;
        }
        TransferSession.StudentShape s = r.shape();
        if (s.depth() != null || s.dim() != null || s.heads() != null || s.patch() != null) {
            throw new IllegalArgumentException("the initial model gives the student's shape; leave depth, width, "
                    + "heads and patch size unset");
        }
        RunFolder initRun = new RunFolder(Path.of(r.studentInit()));
        if (Files.isRegularFile(initRun.runJson())) {
            return initRun.student();
        }
        return new ModelResolver().resolve(r.studentInit()).path();
    }

    /**
     * Opens the request's teacher and student, the student from {@code checkpoint} when given (a run's last epoch,
     * for prediction or to continue).
     */
    public static TransferSession open(TransferRunRequest r, int classes, Path checkpoint) throws IOException {
        Path teacherFile = teacherFile(r);
        TransferSettings settings = settings(r, studentDepth(r, teacherFile));
        return TransferSession.open(teacherFile, r.itae(), r.shape(), studentInitFile(r), r.crop(), classes, settings,
                r.seed(), r.device(), checkpoint);
    }

    /** The request a run folder recorded. */
    public static TransferRunRequest recorded(RunFolder run) throws IOException {
        JsonObject json = run.readRun();
        if (!json.has("arguments")) {
            throw new IOException(run.runJson() + " records no arguments");
        }
        List<String> args = new ArrayList<>();
        json.getAsJsonArray("arguments").forEach(a -> args.add(a.getAsString()));
        try {
            return TransferRunRequest.fromArguments(args);
        } catch (IllegalArgumentException e) {
            throw new IOException(run.runJson() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Trains a new run into {@code run}, or continues the one there from its last checkpoint.
     *
     * @param resume    continue the run in {@code run} (its recorded request is used; {@code r} may differ only in
     *                  the device)
     * @param cancelled checked between steps; a cancelled run keeps its last finished epoch's checkpoint
     * @throws IllegalArgumentException for settings or a student the run cannot use
     * @throws TransferDataException    for folders without labelled images
     */
    public static Outcome train(TransferRunRequest r, RunFolder run, boolean resume, ProgressListener progress,
                                BooleanSupplier cancelled, EpochListener onEpoch) throws IOException {
        checkRunFolder(run, resume);
        return train(r, data(r), run, resume, Long.MAX_VALUE, progress, cancelled, onEpoch);
    }

    /**
     * {@link #train(TransferRunRequest, RunFolder, boolean, ProgressListener, BooleanSupplier, EpochListener)} on
     * images the caller has read, stopping (not cancelled) once the optimiser has taken {@code maxSteps} steps in all.
     */
    public static Outcome train(TransferRunRequest r, Data data, RunFolder run, boolean resume, long maxSteps,
                                ProgressListener progress, BooleanSupplier cancelled, EpochListener onEpoch)
            throws IOException {
        checkRunFolder(run, resume);
        TransferTraining.Plan plan = new TransferTraining.Plan(r.epochs(), r.batchSize(), r.seed(), r.shuffle(), r.lr(),
                0.0, r.warmupEpochs());
        try (TransferSession session = open(r, data.train().classes().size(), resume ? run.checkpoint() : null)) {
            int start = session.epochsDone();
            List<EpochMetrics> history = new ArrayList<>(resume ? run.readMetrics(start) : List.of());
            if (!resume) {
                run.writeRun(record(r, run, session, data));
            }
            TransferTraining.run(session.trainer(), data.trainImages(), data.valImages(), plan, start, progress,
                    () -> cancelled.getAsBoolean() || session.trainer().optimizer().steps() >= maxSteps, m -> {
                        history.add(m);
                        session.writeCheckpoint(run.checkpoint(), m.epoch());
                        session.exportStudent(run.student());
                        run.writeMetrics(history);
                        onEpoch.epochWritten(m, List.copyOf(history));
                    });
            return new Outcome(List.copyOf(history), cancelled.getAsBoolean() && history.size() < r.epochs(),
                    session.deviceLabel(), session.trainer().optimizer().steps());
        }
    }

    /**
     * The losses of the run's first training batch (epoch 0's order), computed without changing anything: the
     * student of {@code checkpoint}, or the fresh one of the request's seed when null.
     */
    public static StepLosses firstBatchLosses(TransferRunRequest r, Data data, Path checkpoint) throws IOException {
        try (TransferSession session = open(r, data.train().classes().size(), checkpoint)) {
            TrainingImages images = data.trainImages();
            int[] order = BatchOrder.epoch(r.seed(), 0, images.count(), r.shuffle());
            return session.trainer().losses(images.batch(0, order, 0, Math.min(r.batchSize(), images.count())));
        }
    }

    private static void checkRunFolder(RunFolder run, boolean resume) {
        if (!resume && Files.exists(run.runJson())) {
            throw new IllegalArgumentException(run.dir() + " already holds a run; resume it or choose another name");
        }
        if (resume && !Files.isRegularFile(run.checkpoint())) {
            throw new IllegalArgumentException(run.dir() + " has no checkpoint to resume from (no epoch finished)");
        }
    }

    /**
     * The teacher's and the run's student's attention on validation image {@code image} (an index into
     * {@code data.valImages()}), in one block and head.
     */
    public static AttentionComparison.Result compare(TransferRunRequest r, RunFolder run, Data data, int image,
                                                     int layer, int head) throws IOException {
        Path teacherFile = teacherFile(r);
        TransferSettings settings = settings(r, studentDepth(r, teacherFile));
        return AttentionComparison.compare(teacherFile, r.itae(), r.shape(), studentInitFile(r), r.crop(), data.train().classes().size(),
                settings, run.checkpoint(), data.valImages().pixels()[image], layer, head, r.device());
    }

    /** run.json: the command's arguments (what resuming parses), the models, the data. */
    private static JsonObject record(TransferRunRequest r, RunFolder run, TransferSession session, Data data) {
        JsonObject o = new JsonObject();
        List<String> args = new ArrayList<>(r.toArguments());
        args.add("--output");
        args.add(run.dir().toString());
        JsonArray arguments = new JsonArray();
        args.forEach(arguments::add);
        o.add("arguments", arguments);
        JsonObject settings = new JsonObject();
        for (int i = 0; i < args.size(); i++) {
            boolean flag = i + 1 >= args.size() || args.get(i + 1).startsWith("--") && !isNumber(args.get(i + 1));
            settings.addProperty(args.get(i), flag ? "true" : args.get(++i));
        }
        o.add("settings", settings);
        describe(o, r.teacher(), r.seed(), session, data);
        return o;
    }

    /** The part of run.json the command and the app write alike: seed, models, device, classes, image counts. */
    public static void describe(JsonObject o, String teacherSpec, long seed, TransferSession session, Data data) {
        o.addProperty("seed", seed);
        JsonObject teacher = new JsonObject();
        teacher.addProperty("spec", teacherSpec);
        teacher.addProperty("description", session.teacherDescription());
        teacher.addProperty("config", String.valueOf(session.teacherConfig()));
        o.add("teacher", teacher);
        o.addProperty("student", String.valueOf(session.studentConfig()));
        o.addProperty("device", session.deviceLabel());
        JsonArray classes = new JsonArray();
        data.train().classes().forEach(classes::add);
        o.add("classes", classes);
        o.addProperty("train_images", data.train().count());
        o.addProperty("val_images", data.val().count());
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
