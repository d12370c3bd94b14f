package org.itaestudio.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.itaestudio.image.FolderScanner.ImageFile;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.BatchEmbedder;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.EmbeddingPipeline;
import org.itaestudio.pipeline.SkippedFile;
import org.itaestudio.store.ContentHasher;

/**
 * The executor side of the job: one model per executor JVM (loaded by the first task, shared by the tasks that run
 * there, concurrent ones included), and the task body that turns (path, bytes) rows into embedding rows.
 */
final class ExecutorEmbedder {
    private ExecutorEmbedder() {
    }

    /** Images written to the task's scratch folder and embedded together (bounds scratch disk and memory). */
    static final int FILES_PER_CHUNK = 64;

    /** Test seam: runs at the start of every task (the retry test makes one attempt fail). */
    interface TaskHook {
        void beforeTask(int partition, int attempt);
    }

    static volatile TaskHook hook = (partition, attempt) -> { };

    private static BatchEmbedder loaded;
    private static String loadedArgs;

    /** The executor's model for these settings, loaded once; a job with other settings replaces it. */
    static synchronized BatchEmbedder embedder(JobSpec job) {
        String key = String.join("\u0000", job.engineArgs());
        if (loaded == null || !key.equals(loadedArgs)) {
            if (loaded != null) {
                loaded.close();
                loaded = null;
            }
            AnalysisSettings settings = EmbedClusterCommand.parseEngineArgs(job.engineArgs());
            useTaskCpus();
            try {
                loaded = BatchEmbedder.open(settings, job.decodeThreads());
            } catch (IOException e) {
                throw new UncheckedIOException("executor cannot load the model: " + e.getMessage(), e);
            }
            loadedArgs = key;
            if (!loaded.settingsKey().equals(job.settingsKey())) {
                throw new IllegalStateException("the model '" + settings.model() + "' on this executor differs from the "
                        + "driver's (content " + loaded.modelIdentity() + "): every executor must read the same file");
            }
        }
        return loaded;
    }

    /**
     * Gives libtorch as many intra-op threads as Spark gives a task cores ({@code spark.task.cpus}, default 1), so
     * that an executor running {@code spark.executor.cores} tasks at once uses that many cores, not that many times
     * all of the machine's. Takes effect when this JVM loads its first model; a user's
     * {@code -Dai.djl.pytorch.num_threads} wins.
     */
    private static void useTaskCpus() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        if (env != null && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(env.conf().getInt("spark.task.cpus", 1)));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /**
     * Rows (path, content) to rows of {@link EmbedClusterJob#EMBEDDED}: one per input row, with the embedding, or
     * with the reason it was skipped, or marked as known (its content hash is in {@code known}: embedded by an
     * earlier run with the same settings).
     */
    static Iterator<Row> embedPartition(Iterator<Row> rows, JobSpec job, KnownHashes known) throws IOException {
        TaskContext ctx = TaskContext.get();
        if (ctx != null) {
            hook.beforeTask(ctx.partitionId(), ctx.attemptNumber());
        }
        List<Row> out = new ArrayList<>();
        Path scratch = Files.createTempDirectory("itae-spark-");
        try {
            List<Pending> chunk = new ArrayList<>();
            while (rows.hasNext()) {
                Row r = rows.next();
                String path = r.getString(0);
                byte[] content = (byte[]) r.get(1);
                String hash = ContentHasher.sha256Hex(content);
                String relative = relativePath(job.inputRoot(), path);
                if (known.contains(hash)) {
                    out.add(RowFactory.create(path, relative, hash, null, null, true));
                    continue;
                }
                // the project's decoder reads files (EXIF, format sniffing, pixel cap): give it the bytes as one,
                // under the original name so the extension is the same as the CLI sees
                Path file = scratch.resolve(chunk.size() + "-" + fileName(path));
                Files.write(file, content);
                chunk.add(new Pending(path, relative, hash, new ImageFile(relative, file)));
                if (chunk.size() == FILES_PER_CHUNK) {
                    embedChunk(chunk, job, out);
                }
            }
            embedChunk(chunk, job, out);
        } finally {
            deleteTree(scratch);
        }
        return out.iterator();
    }

    private record Pending(String path, String relative, String hash, ImageFile file) {
    }

    private static void embedChunk(List<Pending> chunk, JobSpec job, List<Row> out) throws IOException {
        if (chunk.isEmpty()) {
            return;
        }
        List<ImageFile> files = new ArrayList<>();
        chunk.forEach(p -> files.add(p.file()));
        EmbeddingPipeline.Result result = embedder(job).embed(files, Cancellation.none());
        Map<String, float[]> byRelative = new HashMap<>();
        for (int i = 0; i < result.paths().size(); i++) {
            byRelative.put(result.paths().get(i), result.embeddings()[i]);
        }
        Map<String, String> reasons = new HashMap<>();
        for (SkippedFile s : result.skipped()) {
            reasons.put(s.relativePath(), s.reason());
        }
        for (Pending p : chunk) {
            float[] e = byRelative.get(p.relative());
            String reason = e == null ? reasons.getOrDefault(p.relative(), "not embedded") : null;
            out.add(RowFactory.create(p.path(), p.relative(), p.hash(), e == null ? null : boxed(e), reason, false));
            Files.deleteIfExists(p.file().path());
        }
        chunk.clear();
    }

    /**
     * The path below the input root, '/'-separated, as the CLI names files. Both are Hadoop path strings (not
     * percent-encoded), the root qualified the way Spark's file listing qualifies what it finds.
     */
    static String relativePath(String root, String path) {
        String r = root.endsWith("/") ? root : root + "/";
        return path.startsWith(r) ? path.substring(r.length()) : fileName(path);
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static Float[] boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
