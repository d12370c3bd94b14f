package org.itaestudio.transfer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.transfer.StudentArch;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.transfer.TransferSession;

/**
 * Every setting of a transfer run, as the {@code transfer} command takes them. A run folder records them as that
 * command's arguments ({@link #toArguments()}), so a run started anywhere resumes, and predicts, from the command
 * line too; {@link #fromArguments} reads them back.
 *
 * @param teacher        the teacher: a model name, a Hugging Face folder, a .safetensors or a .pth file
 * @param itae           ITAE on the teacher's attention, or null
 * @param mode           scratch, copy or distill
 * @param shape          the student's shape (nulls take the teacher's) and arch
 * @param studentInit    the model the student's backbone starts from (a model spec or a run folder), or null for a
 *                       random one; it gives the shape, so {@code shape} then holds only the arch
 * @param transferLayers the transferred blocks, or null for the default (every block but the last 3)
 * @param clipGrad       bound of the gradients' global L2 norm, 0 for no clipping
 * @param train          labelled training folder
 * @param val            separate labelled validation folder, or null to split {@code train}
 * @param valFraction    fraction of each class held out when {@code val} is null
 * @param augment        training augmentation
 * @param shuffle        false visits the training images in sorted path order every epoch
 * @param imageSize      shorter side before the centre crop (validation, no augmentation)
 * @param crop           side of the square images the student trains on
 */
public record TransferRunRequest(String teacher, ItaeConfig itae, TransferMode mode, TransferSession.StudentShape shape,
                                 String studentInit, SortedSet<Integer> transferLayers, double atdWeight, int epochs,
                                 int batchSize, double lr, double weightDecay, double clipGrad, int warmupEpochs,
                                 Augmentation augment,
                                 boolean shuffle, long seed, int imageSize, int crop, Path train, Path val,
                                 double valFraction, DeviceChoice device) {

    public static final double DEFAULT_VAL_FRACTION = 0.2;

    /** The command's options with a value that a request holds, plus {@code --output} and {@code --max-steps} (ignored). */
    private static final java.util.Set<String> VALUED = java.util.Set.of("--teacher", "--mode", "--train", "--output",
            "--val", "--val-fraction", "--student-depth", "--student-dim", "--student-heads", "--student-patch",
            "--student-arch", "--student-init", "--clip-grad", "--transfer-layers", "--atd-weight", "--epochs", "--batch-size", "--lr", "--weight-decay",
            "--warmup-epochs", "--augment", "--seed", "--max-steps", "--image-size", "--crop", "--device",
            "--itae-component", "--itae-threshold", "--itae-direction", "--itae-strength", "--itae-layers", "--itae-rows");

    public TransferRunRequest {
        transferLayers = transferLayers == null ? null : java.util.Collections.unmodifiableSortedSet(new TreeSet<>(transferLayers));
    }

    /** The command's defaults: native student of the teacher's shape, 10 epochs of 32, lr 1e-3, 256/224 px, CPU. */
    public static TransferRunRequest defaults(String teacher, TransferMode mode, Path train) {
        return new TransferRunRequest(teacher, null, mode, new TransferSession.StudentShape(null, null, null, null,
                StudentArch.NATIVE), null, null, 3.0, 10, 32, 1e-3, 0.05, 0.0, 0, Augmentation.STANDARD, true, 0, 256,
                224, train, null, DEFAULT_VAL_FRACTION, DeviceChoice.CPU);
    }

    public TransferRunRequest withItae(ItaeConfig c) {
        return new TransferRunRequest(teacher, c, mode, shape, studentInit, transferLayers, atdWeight, epochs, batchSize,
                lr, weightDecay, clipGrad, warmupEpochs, augment, shuffle, seed, imageSize, crop, train, val, valFraction,
                device);
    }

    public TransferRunRequest withShape(TransferSession.StudentShape s) {
        return new TransferRunRequest(teacher, itae, mode, s, studentInit, transferLayers, atdWeight, epochs, batchSize,
                lr, weightDecay, clipGrad, warmupEpochs, augment, shuffle, seed, imageSize, crop, train, val, valFraction,
                device);
    }

    public TransferRunRequest withSchedule(int newEpochs, int newBatchSize, double newLr) {
        return new TransferRunRequest(teacher, itae, mode, shape, studentInit, transferLayers, atdWeight, newEpochs,
                newBatchSize, newLr, weightDecay, clipGrad, warmupEpochs, augment, shuffle, seed, imageSize, crop, train, val,
                valFraction, device);
    }

    public TransferRunRequest withInput(int newImageSize, int newCrop) {
        return new TransferRunRequest(teacher, itae, mode, shape, studentInit, transferLayers, atdWeight, epochs, batchSize,
                lr, weightDecay, clipGrad, warmupEpochs, augment, shuffle, seed, newImageSize, newCrop, train, val, valFraction,
                device);
    }

    public TransferRunRequest withDevice(DeviceChoice d) {
        return new TransferRunRequest(teacher, itae, mode, shape, studentInit, transferLayers, atdWeight, epochs, batchSize,
                lr, weightDecay, clipGrad, warmupEpochs, augment, shuffle, seed, imageSize, crop, train, val, valFraction,
                d);
    }

    /** The {@code transfer} command's arguments for this run (every setting spelled out, {@code --output} not included). */
    public List<String> toArguments() {
        List<String> a = new ArrayList<>();
        add(a, "--teacher", teacher);
        add(a, "--mode", lower(mode));
        add(a, "--train", train.toString());
        if (val != null) {
            add(a, "--val", val.toString());
        }
        add(a, "--val-fraction", num(valFraction));
        if (shape.depth() != null) {
            add(a, "--student-depth", shape.depth().toString());
        }
        if (shape.dim() != null) {
            add(a, "--student-dim", shape.dim().toString());
        }
        if (shape.heads() != null) {
            add(a, "--student-heads", shape.heads().toString());
        }
        if (shape.patch() != null) {
            add(a, "--student-patch", shape.patch().toString());
        }
        add(a, "--student-arch", lower(shape.arch()));
        if (studentInit != null) {
            add(a, "--student-init", studentInit);
        }
        if (transferLayers != null) {
            add(a, "--transfer-layers", list(transferLayers));
        }
        add(a, "--atd-weight", num(atdWeight));
        add(a, "--epochs", Integer.toString(epochs));
        add(a, "--batch-size", Integer.toString(batchSize));
        add(a, "--lr", num(lr));
        add(a, "--weight-decay", num(weightDecay));
        add(a, "--clip-grad", num(clipGrad));
        add(a, "--warmup-epochs", Integer.toString(warmupEpochs));
        add(a, "--augment", lower(augment));
        if (!shuffle) {
            a.add("--no-shuffle");
        }
        add(a, "--seed", Long.toString(seed));
        add(a, "--image-size", Integer.toString(imageSize));
        add(a, "--crop", Integer.toString(crop));
        add(a, "--device", device.id());
        if (itae != null) {
            add(a, "--itae-component", lower(itae.component()));
            add(a, "--itae-threshold", itae.autoThreshold() ? "auto" : num(itae.fixedThreshold()));
            add(a, "--itae-direction", lower(itae.direction()));
            add(a, "--itae-strength", num(itae.strength()));
            if (itae.layers() instanceof ItaeConfig.Blocks.Listed listed) {
                add(a, "--itae-layers", list(listed.indices()));
            }
            add(a, "--itae-rows", lower(itae.rows()));
        }
        return a;
    }

    /**
     * Reads the arguments a run folder recorded (the command's own, or {@link #toArguments()}'s); {@code --output},
     * {@code --max-steps} and {@code --resume} are ignored.
     *
     * @throws IllegalArgumentException for an option this record cannot hold, or a value the command would refuse
     */
    public static TransferRunRequest fromArguments(List<String> args) {
        java.util.Map<String, String> o = new java.util.HashMap<>();
        boolean shuffle = true;
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i);
            if (name.equals("--no-shuffle")) {
                shuffle = false;
            } else if (name.equals("--resume")) {
                continue;
            } else if (VALUED.contains(name) && i + 1 < args.size()) {
                o.put(name, args.get(++i));
            } else if (name.startsWith("--")) {
                // a setting this record cannot carry: resuming without it would silently train another run
                throw new IllegalArgumentException("the recorded run uses " + name + ", which the app cannot run");
            } else {
                throw new IllegalArgumentException("unexpected argument '" + name + "' in the recorded run");
            }
        }
        String teacher = o.get("--teacher");
        String mode = o.get("--mode");
        String train = o.get("--train");
        if (teacher == null || mode == null || train == null) {
            throw new IllegalArgumentException("the recorded run has no --teacher, --mode or --train");
        }
        TransferSession.StudentShape shape = new TransferSession.StudentShape(integer(o, "--student-depth"),
                integer(o, "--student-dim"), integer(o, "--student-heads"), integer(o, "--student-patch"),
                upper(StudentArch.class, o.getOrDefault("--student-arch", "native")));
        ItaeConfig itae = null;
        if (o.keySet().stream().anyMatch(k -> k.startsWith("--itae-"))) {
            String t = o.getOrDefault("--itae-threshold", "auto").trim();
            ItaeConfig.Threshold threshold = t.equalsIgnoreCase("auto") ? ItaeConfig.Threshold.AUTO
                    : ItaeConfig.Threshold.fixed(Double.parseDouble(t));
            itae = new ItaeConfig(upper(ItaeConfig.Component.class, o.getOrDefault("--itae-component", "v")), threshold,
                    upper(ItaeConfig.Direction.class, o.getOrDefault("--itae-direction", "below")),
                    Double.parseDouble(o.getOrDefault("--itae-strength", "1")),
                    ItaeConfig.Blocks.of(o.containsKey("--itae-layers") ? parseList(o.get("--itae-layers")) : null),
                    upper(ItaeConfig.Rows.class, o.getOrDefault("--itae-rows", "cls")));
        }
        return new TransferRunRequest(teacher, itae, upper(TransferMode.class, mode), shape, o.get("--student-init"),
                o.containsKey("--transfer-layers") ? parseList(o.get("--transfer-layers")) : null,
                Double.parseDouble(o.getOrDefault("--atd-weight", "3")),
                Integer.parseInt(o.getOrDefault("--epochs", "10")),
                Integer.parseInt(o.getOrDefault("--batch-size", "32")),
                Double.parseDouble(o.getOrDefault("--lr", "1e-3")),
                Double.parseDouble(o.getOrDefault("--weight-decay", "0.05")),
                Double.parseDouble(o.getOrDefault("--clip-grad", "0")),
                Integer.parseInt(o.getOrDefault("--warmup-epochs", "0")),
                upper(Augmentation.class, o.getOrDefault("--augment", "standard")), shuffle,
                Long.parseLong(o.getOrDefault("--seed", "0")),
                Integer.parseInt(o.getOrDefault("--image-size", "256")),
                Integer.parseInt(o.getOrDefault("--crop", "224")),
                Path.of(train), o.containsKey("--val") ? Path.of(o.get("--val")) : null,
                Double.parseDouble(o.getOrDefault("--val-fraction", Double.toString(DEFAULT_VAL_FRACTION))),
                DeviceChoice.parse(o.getOrDefault("--device", "cpu")));
    }

    /** Block indices as the command writes them, e.g. {@code 0-8} or {@code 0,2,4}. */
    static SortedSet<Integer> parseList(String spec) {
        SortedSet<Integer> out = new TreeSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-', 1);
            if (dash > 0) {
                int from = Integer.parseInt(p.substring(0, dash).trim());
                int to = Integer.parseInt(p.substring(dash + 1).trim());
                for (int l = Math.min(from, to); l <= Math.max(from, to); l++) {
                    out.add(l);
                }
            } else if (!p.isEmpty()) {
                out.add(Integer.parseInt(p));
            }
        }
        return out;
    }

    private static Integer integer(java.util.Map<String, String> o, String name) {
        return o.containsKey(name) ? Integer.valueOf(o.get(name)) : null;
    }

    private static <E extends Enum<E>> E upper(Class<E> type, String value) {
        return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    }

    private static void add(List<String> a, String name, String value) {
        a.add(name);
        a.add(value);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Shortest text that parses back to the same double. */
    private static String num(double v) {
        return Double.toString(v);
    }

    private static String list(SortedSet<Integer> layers) {
        return layers.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
