package org.itaestudio.model.transfer;

import java.io.IOException;
import java.nio.file.Path;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.ComputeDevice;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.weights.CheckpointLoader;
import org.itaestudio.model.weights.LoadedCheckpoint;
import org.itaestudio.model.weights.SafetensorsReader;

/**
 * The loaded models of a run: the teacher (any checkpoint the app loads, kept only when copy or distill needs it),
 * the student (random from the seed, or from a run checkpoint) and their trainer, on one device. Callers outside
 * {@code model} use it without touching the tensor engine.
 */
public final class TransferSession implements AutoCloseable {

    /**
     * The student's shape; a null field takes the teacher's value.
     *
     * @param depth blocks
     * @param dim   width
     * @param heads attention heads
     * @param patch patch size in pixels
     * @param arch  native or standard
     */
    public record StudentShape(Integer depth, Integer dim, Integer heads, Integer patch, StudentArch arch) {
    }

    private final DinoV2 teacherModel;
    private final DinoV2Config teacherConfig;
    private final String teacherDescription;
    private final StudentVit student;
    private final TransferTrainer trainer;
    private final int epochsDone;
    private final ComputeDevice device;

    private TransferSession(DinoV2 teacherModel, DinoV2Config teacherConfig, String teacherDescription,
                            StudentVit student, TransferTrainer trainer, int epochsDone, ComputeDevice device) {
        this.teacherModel = teacherModel;
        this.teacherConfig = teacherConfig;
        this.teacherDescription = teacherDescription;
        this.student = student;
        this.trainer = trainer;
        this.epochsDone = epochsDone;
        this.device = device;
    }

    /**
     * Opens a run's models.
     *
     * @param teacherFile the resolved teacher checkpoint (file or Hugging Face folder)
     * @param side        the square side the student trains on (a multiple of its patch size)
     * @param checkpoint  a run checkpoint to continue from, or null for a fresh student from {@code seed}
     * @throws IllegalArgumentException for a student that cannot be built or cannot learn from this teacher
     */
    public static TransferSession open(Path teacherFile, ItaeConfig itae, StudentShape shape, int side, int classes,
                                       TransferSettings settings, long seed, DeviceChoice deviceChoice,
                                       Path checkpoint) throws IOException {
        return open(teacherFile, itae, shape, null, side, classes, settings, seed, deviceChoice, checkpoint);
    }

    /**
     * Opens a run's models, the student's backbone starting from a model the app loads.
     *
     * @param studentInit a resolved model (file or Hugging Face folder, e.g. another run's {@code student/}) whose
     *                    architecture and weights the fresh student's backbone takes (see
     *                    {@link StudentVit#initialiseFrom}); its shape replaces {@code shape}'s sizes (only the
     *                    arch is used), or null for {@link #open(Path, ItaeConfig, StudentShape, int, int,
     *                    TransferSettings, long, DeviceChoice, Path)}. With a checkpoint it gives the shape only.
     */
    public static TransferSession open(Path teacherFile, ItaeConfig itae, StudentShape shape, Path studentInit,
                                       int side, int classes, TransferSettings settings, long seed,
                                       DeviceChoice deviceChoice, Path checkpoint) throws IOException {
        ComputeDevice device = ComputeDevice.resolve(deviceChoice);
        DinoV2 teacher = null;
        StudentVit student = null;
        try (LoadedCheckpoint ckpt = CheckpointLoader.open(teacherFile);
             LoadedCheckpoint init = studentInit == null ? null : CheckpointLoader.open(studentInit)) {
            DinoV2Config tc = ckpt.config();
            StudentConfig config = studentConfig(tc, shape, init == null ? null : init.config(), side, classes);
            if (init != null && shape.arch() == StudentArch.STANDARD
                    && (init.config().numRegisters() > 0 || init.config().ffn() == DinoV2Config.FfnType.SWIGLU)) {
                throw new IllegalArgumentException("the initial model has " + (init.config().numRegisters() > 0
                        ? init.config().numRegisters() + " registers" : "a SwiGLU MLP")
                        + ", which a standard student lacks (use the native student)");
            }
            if (settings.mode() != TransferMode.SCRATCH) {
                TransferTrainer.checkCompatible(tc, config.backbone(), settings);
                teacher = DinoV2.create(tc, ckpt.weights(), device.device());
            }
            int epochs = 0;
            TransferTrainer trainer;
            if (checkpoint == null) {
                student = init == null ? StudentVit.initialise(config, seed, device.device())
                        : StudentVit.initialiseFrom(config, seed, device.device(), init.config(), init.weights());
                trainer = new TransferTrainer(teacher == null ? null : new TeacherAttention(teacher, itae), student, settings);
            } else {
                try (SafetensorsReader reader = SafetensorsReader.open(checkpoint)) {
                    student = StudentVit.load(config, reader, device.device());
                    trainer = new TransferTrainer(teacher == null ? null : new TeacherAttention(teacher, itae), student,
                            settings);
                    TransferCheckpoint.restoreOptimizer(reader, trainer);
                    epochs = TransferCheckpoint.epochs(reader);
                }
            }
            return new TransferSession(teacher, tc, ckpt.description(), student, trainer, epochs, device);
        } catch (IOException | RuntimeException e) {
            if (student != null) {
                student.close();
            }
            if (teacher != null) {
                teacher.close();
            }
            throw e;
        }
    }

    /** The architecture of a teacher checkpoint, read without building the model. */
    public static DinoV2Config readConfig(Path teacherFile) throws IOException {
        try (LoadedCheckpoint ckpt = CheckpointLoader.open(teacherFile)) {
            return ckpt.config();
        }
    }

    /** The student of a run: the initial model's shape when it has one, else the teacher's with the overrides. */
    static StudentConfig studentConfig(DinoV2Config teacher, StudentShape shape, DinoV2Config init, int side,
                                       int classes) {
        return init == null ? studentConfig(teacher, shape, side, classes)
                : studentConfig(init, new StudentShape(null, null, null, null, shape.arch()), side, classes);
    }

    /** The teacher's shape with the given overrides, training on {@code side} pixels. */
    static StudentConfig studentConfig(DinoV2Config teacher, StudentShape shape, int side, int classes) {
        int patch = shape.patch() != null ? shape.patch() : teacher.patchSize();
        if (patch < 1 || side % patch != 0) {
            throw new IllegalArgumentException("the training side " + side + " px is not a multiple of the student's "
                    + "patch size " + patch + " (set --crop)");
        }
        StudentConfig like = StudentConfig.like(teacher, shape.arch(), side / patch, classes);
        DinoV2Config b = like.backbone();
        int dim = shape.dim() != null ? shape.dim() : b.embedDim();
        int heads = shape.heads() != null ? shape.heads() : b.numHeads();
        int depth = shape.depth() != null ? shape.depth() : b.depth();
        if (dim < 1 || heads < 1 || depth < 1 || dim % heads != 0) {
            throw new IllegalArgumentException("student width " + dim + " must be a positive multiple of its "
                    + heads + " heads, with at least one block");
        }
        int hidden = dim == b.embedDim() ? b.ffnHidden()
                : b.ffn() == DinoV2Config.FfnType.SWIGLU ? DinoV2Config.swigluHidden(dim) : 4 * dim;
        DinoV2Config backbone = new DinoV2Config(dim, depth, heads, hidden, b.ffn(), b.numRegisters(), patch,
                side / patch, b.layerNormEps(), false, 0.0);
        return new StudentConfig(backbone, shape.arch(), classes, like.layerScaleInit());
    }

    public TransferTrainer trainer() {
        return trainer;
    }

    public DinoV2Config teacherConfig() {
        return teacherConfig;
    }

    /** What the teacher checkpoint is (format, naming), for the run's record. */
    public String teacherDescription() {
        return teacherDescription;
    }

    public StudentConfig studentConfig() {
        return student.config();
    }

    /** Epochs the restored checkpoint had finished (0 for a fresh student). */
    public int epochsDone() {
        return epochsDone;
    }

    /** Where the models run, as the user reads it. */
    public String deviceLabel() {
        return device.label();
    }

    public void writeCheckpoint(Path file, int epochs) throws IOException {
        TransferCheckpoint.write(file, trainer, epochs);
    }

    public void exportStudent(Path dir) throws IOException {
        StudentExport.write(dir, student);
    }

    @Override
    public void close() {
        trainer.close();
        student.close();
        if (teacherModel != null) {
            teacherModel.close();
        }
    }
}
