package org.itaestudio.model.transfer;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.itaestudio.model.weights.SafetensorsReader;
import org.itaestudio.model.weights.SafetensorsWriter;

/**
 * Everything a run needs to continue bit for bit, in one safetensors file written atomically: the student's
 * parameters (official names), AdamW's moments ({@code optimizer.m.*}, {@code optimizer.v.*}) and two counters
 * ({@code state.epochs}, {@code state.steps}, exact as float32 below 2^24).
 */
public final class TransferCheckpoint {

    static final String FIRST = "optimizer.m.";
    static final String SECOND = "optimizer.v.";
    static final String EPOCHS = "state.epochs";
    static final String STEPS = "state.steps";

    private TransferCheckpoint() {
    }

    public static void write(Path file, TransferTrainer trainer, int epochsDone) throws IOException {
        StudentVit student = trainer.student();
        Map<String, long[]> shapes = student.config().parameterShapes();
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        student.weights().forEach((name, w) -> tensors.add(new SafetensorsWriter.Tensor(name, shapes.get(name), w)));
        trainer.optimizer().moments(true).forEach((name, w) ->
                tensors.add(new SafetensorsWriter.Tensor(FIRST + name, shapes.get(name), w)));
        trainer.optimizer().moments(false).forEach((name, w) ->
                tensors.add(new SafetensorsWriter.Tensor(SECOND + name, shapes.get(name), w)));
        tensors.add(new SafetensorsWriter.Tensor(EPOCHS, new long[] {1}, new float[] {epochsDone}));
        tensors.add(new SafetensorsWriter.Tensor(STEPS, new long[] {1}, new float[] {trainer.optimizer().steps()}));
        SafetensorsWriter.write(file, tensors, Map.of("format", "itae-studio transfer checkpoint"));
    }

    /** Epochs finished when the checkpoint was written. */
    public static int epochs(SafetensorsReader checkpoint) throws IOException {
        return (int) checkpoint.readFloats(EPOCHS).get(0);
    }

    /** Sets the trainer's optimiser to the checkpoint's state (its student must have been loaded from it). */
    static void restoreOptimizer(SafetensorsReader checkpoint, TransferTrainer trainer) throws IOException {
        Map<String, float[]> first = new LinkedHashMap<>();
        Map<String, float[]> second = new LinkedHashMap<>();
        for (String name : trainer.student().parameters().keySet()) {
            first.put(name, floats(checkpoint, FIRST + name));
            second.put(name, floats(checkpoint, SECOND + name));
        }
        trainer.optimizer().restore((int) checkpoint.readFloats(STEPS).get(0), first, second);
    }

    private static float[] floats(SafetensorsReader reader, String name) throws IOException {
        if (!reader.tensors().containsKey(name)) {
            throw new IOException(reader.file() + ": checkpoint has no tensor " + name);
        }
        FloatBuffer fb = reader.readFloats(name);
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }
}
