package org.itaestudio.spark;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.itaestudio.cli.UsageException;

/**
 * A job's output folder on any Hadoop filesystem. Results are written under {@code _staging/} and published by moving
 * them into place, {@code job.json} last; {@code job.json} is what marks a finished job, so a job that stops half-way
 * leaves no folder that passes for complete (and an {@code --update} run keeps the previous tables readable until
 * the new ones are ready).
 */
final class OutputFolder {
    static final String JOB_FILE = "job.json";
    static final String STAGING = "_staging";

    private final FileSystem fs;
    private final Path root;
    private final Dataset<Row> previous;

    private OutputFolder(FileSystem fs, Path root, Dataset<Row> previous) {
        this.fs = fs;
        this.root = root;
        this.previous = previous;
    }

    /**
     * Checks the output against the flags and clears its staging area.
     *
     * @param settingsKey with {@code update}, the previous job must have used the same model and settings
     * @throws UsageException when the folder exists and neither flag allows using it, or holds another job
     */
    static OutputFolder prepare(String output, Configuration conf, boolean overwrite, boolean update,
                                String settingsKey) throws IOException {
        Path p = new Path(output);
        FileSystem fs;
        try {
            fs = p.getFileSystem(conf);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("cannot write output " + output + ": " + e.getMessage());
        }
        Path root = fs.makeQualified(p);
        Dataset<Row> previous = null;
        if (fs.exists(root)) {
            if (!fs.getFileStatus(root).isDirectory()) {
                throw new UsageException("output exists and is not a folder: " + output);
            }
            boolean finished = fs.exists(new Path(root, JOB_FILE));
            if (overwrite) {
                fs.delete(new Path(root, JOB_FILE), false); // from now on the folder is not a finished job
            } else if (update && finished) {
                String previousKey = readJob(fs, new Path(root, JOB_FILE)).get("settings_key").getAsString();
                if (!previousKey.equals(settingsKey)) {
                    throw new UsageException("--update: " + output + " was made with another model or other settings; "
                            + "use a new output or --overwrite");
                }
                previous = SparkSession.active().read().parquet(new Path(root, "embeddings").toString());
            } else if (finished) {
                throw new UsageException("output exists: " + output
                        + " (--update embeds only new images into it, --overwrite replaces it)");
            } else if (fs.listStatus(root).length > 0) {
                throw new UsageException("output " + output + " exists but holds no finished job (no " + JOB_FILE
                        + "); pass --overwrite to replace it");
            }
        } else if (!fs.mkdirs(root)) {
            throw new UsageException("cannot create output " + output);
        }
        fs.delete(new Path(root, STAGING), true);
        return new OutputFolder(fs, root, previous);
    }

    /** The previous job's embeddings table ({@code --update}), or null. */
    Dataset<Row> previous() {
        return previous;
    }

    String root() {
        return root.toString();
    }

    /** Where a table is written before it is published. */
    String staged(String name) {
        return new Path(new Path(root, STAGING), name).toString();
    }

    Dataset<Row> stagedTable(String name) {
        return SparkSession.active().read().parquet(staged(name));
    }

    void stageLocalFile(java.nio.file.Path local, String name) throws IOException {
        fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path(new Path(root, STAGING), name));
    }

    /** Moves the staged tables and files into place, then writes {@code job.json}; removes the staging area. */
    void publish(List<String> tables, List<String> files, String jobJson) throws IOException {
        fs.delete(new Path(root, JOB_FILE), false);
        Path staging = new Path(root, STAGING);
        for (String name : concat(tables, files)) {
            Path target = new Path(root, name);
            fs.delete(target, true);
            if (!fs.rename(new Path(staging, name), target)) {
                throw new IOException("cannot move " + new Path(staging, name) + " to " + target);
            }
        }
        Path tmp = new Path(staging, JOB_FILE);
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(jobJson.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        if (!fs.rename(tmp, new Path(root, JOB_FILE))) {
            throw new IOException("cannot write " + new Path(root, JOB_FILE));
        }
        fs.delete(staging, true);
    }

    /** Removes what this job staged (nothing was published). */
    void abandon() throws IOException {
        fs.delete(new Path(root, STAGING), true);
    }

    static JsonObject readJob(FileSystem fs, Path file) throws IOException {
        try (FSDataInputStream in = fs.open(file)) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException("unreadable " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
