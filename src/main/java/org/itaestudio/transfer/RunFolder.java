package org.itaestudio.transfer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.itaestudio.store.AtomicFiles;

/**
 * A run's folder: {@code run.json} (settings, model identities, seed), {@code metrics.csv} (one row per finished
 * epoch), {@code checkpoint.safetensors} (what resuming needs) and {@code student/} (the trained model). Every file
 * is replaced atomically, so an interrupted run leaves the last finished epoch readable.
 */
public record RunFolder(Path dir) {

    public static final String METRICS_HEADER =
            "epoch,step,lr,classification_loss,attention_loss,train_top1,val_top1,images_per_s";

    public Path runJson() {
        return dir.resolve("run.json");
    }

    public Path metricsCsv() {
        return dir.resolve("metrics.csv");
    }

    public Path checkpoint() {
        return dir.resolve("checkpoint.safetensors");
    }

    public Path student() {
        return dir.resolve("student");
    }

    public void writeRun(JsonObject run) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeString(runJson(), new GsonBuilder().setPrettyPrinting().create().toJson(run) + "\n");
    }

    public JsonObject readRun() throws IOException {
        if (!Files.isRegularFile(runJson())) {
            throw new java.nio.file.NoSuchFileException(runJson().toString());
        }
        return JsonParser.parseString(Files.readString(runJson(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    public void writeMetrics(List<EpochMetrics> epochs) throws IOException {
        StringBuilder csv = new StringBuilder(METRICS_HEADER).append('\n');
        for (EpochMetrics m : epochs) {
            csv.append(String.format(Locale.ROOT, "%d,%d,%.9g,%.9g,%.9g,%.6f,%s,%.2f%n", m.epoch(), m.step(), m.lr(),
                    m.classificationLoss(), m.attentionLoss(), m.trainTop1(),
                    Double.isNaN(m.valTop1()) ? "" : String.format(Locale.ROOT, "%.6f", m.valTop1()),
                    m.imagesPerSecond()));
        }
        AtomicFiles.writeString(metricsCsv(), csv.toString());
    }

    /** The rows of the first {@code epochs} epochs (what a resumed run keeps). */
    public List<EpochMetrics> readMetrics(int epochs) throws IOException {
        List<EpochMetrics> out = new ArrayList<>();
        if (!Files.isRegularFile(metricsCsv())) {
            return out;
        }
        List<String> lines = Files.readAllLines(metricsCsv(), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length == 8 && Integer.parseInt(f[0]) <= epochs) {
                out.add(new EpochMetrics(Integer.parseInt(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                        f[6].isEmpty() ? Double.NaN : Double.parseDouble(f[6]), Double.parseDouble(f[7])));
            }
        }
        return out;
    }
}
