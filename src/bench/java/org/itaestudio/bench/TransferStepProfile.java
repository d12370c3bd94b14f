package org.itaestudio.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.transfer.AdamW;
import org.itaestudio.model.transfer.StudentArch;
import org.itaestudio.model.transfer.TrainingBatch;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.transfer.TransferSession;
import org.itaestudio.model.transfer.TransferSettings;

/**
 * Where a training step's time goes, per mode: the whole backward call (teacher forward, student forward, losses,
 * backward pass) and the AdamW update, on the batches {@link TransferReproduction} writes. Best of the timed steps
 * and their median, in ms; the machine's load is printed next to them.
 *
 * <p>{@code java -cp target/classes:$(cat target/classpath.txt) org.itaestudio.bench.TransferStepProfile
 * OUT/batches.safetensors OUT/shape [steps]}
 */
public final class TransferStepProfile {

    private TransferStepProfile() {
    }

    public static void main(String[] args) throws Exception {
        Path batchesFile = Path.of(args[0]);
        Path teacher = Path.of(args[1]);
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        List<TrainingBatch> batches = TransferSpeed.readBatches(batchesFile);
        System.out.println("load " + MachineInfo.loadAverage());
        for (TransferMode mode : TransferMode.values()) {
            TransferSettings settings = new TransferSettings(mode, mode == TransferMode.SCRATCH ? new TreeSet<>()
                    : TransferSettings.defaultLayers(TransferReproduction.SHAPE.depth()), 3.0, AdamW.Settings.defaults(0.05));
            try (TransferSession session = TransferSession.open(teacher, null,
                    new TransferSession.StudentShape(null, null, null, null, StudentArch.NATIVE), 32, 10, settings,
                    0, DeviceChoice.CPU, null)) {
                List<Double> backward = new ArrayList<>();
                List<Double> update = new ArrayList<>();
                for (int k = 0; k < steps + 2; k++) {
                    TrainingBatch b = batches.get(k % batches.size());
                    long t0 = System.nanoTime();
                    session.trainer().backward(b);
                    long t1 = System.nanoTime();
                    session.trainer().update(1e-3);
                    long t2 = System.nanoTime();
                    if (k >= 2) {
                        backward.add((t1 - t0) / 1e6);
                        update.add((t2 - t1) / 1e6);
                    }
                }
                System.out.printf(Locale.ROOT, "%-8s backward (teacher, student fwd+bwd) best %.0f median %.0f ms; "
                        + "AdamW best %.0f median %.0f ms%n", mode.name().toLowerCase(Locale.ROOT), min(backward),
                        median(backward), min(update), median(update));
            }
        }
        System.out.println("load " + MachineInfo.loadAverage());
    }

    static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }
}
