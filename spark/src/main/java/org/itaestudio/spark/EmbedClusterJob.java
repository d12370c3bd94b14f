package org.itaestudio.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.itaestudio.cli.UsageException;
import org.itaestudio.cluster.AutoK;
import org.itaestudio.image.FolderScanner;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.BatchEmbedder;
import org.itaestudio.store.CsvExport;
import org.itaestudio.store.ExploreExport;

/**
 * The driver of {@code spark embed-cluster}: lists the images, has the executors embed them (only content not seen
 * before with {@code --update}), clusters the embeddings with MLlib's k-means, and publishes the result. Everything
 * is written under {@code OUTPUT/_staging} first and moved into place at the end, with {@code job.json} last: a
 * folder without {@code job.json} never passes for a finished job.
 */
final class EmbedClusterJob {
    private EmbedClusterJob() {
    }

    /** The job's options besides the analysis settings (see {@link EmbedClusterCommand} for their meaning). */
    record Options(String input, String output, String master, int k, long seed, boolean overwrite, boolean update,
                   long localExportMax, int decodeThreads, List<String> engineArgs) {
    }

    /** What the job did; printed as JSON on stdout and kept as {@code job.json}. */
    record Summary(String input, String output, String model, String settingsKey, long images, long embeddedNow,
                   long reused, long skipped, int k, double silhouette, boolean localExport, double seconds,
                   String sparkVersion, String master) {
        String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("input", input);
            m.put("output", output);
            m.put("model", model);
            m.put("settings_key", settingsKey);
            m.put("images", images);
            m.put("embedded_now", embeddedNow);
            m.put("reused", reused);
            m.put("skipped", skipped);
            m.put("k", k);
            if (!Double.isNaN(silhouette)) {
                m.put("silhouette", silhouette);
            }
            m.put("local_export", localExport);
            m.put("seconds", Math.round(seconds * 10) / 10.0);
            m.put("spark_version", sparkVersion);
            m.put("master", master);
            return new GsonBuilder().disableHtmlEscaping().create().toJson(m);
        }
    }

    /** Rows the executors return: one per image file. */
    static final StructType EMBEDDED = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("relative_path", DataTypes.StringType, false)
            .add("content_hash", DataTypes.StringType, false)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add("reason", DataTypes.StringType, true)
            .add("known", DataTypes.BooleanType, false);

    static Summary run(AnalysisSettings settings, Options o, Consumer<String> log) throws IOException {
        long start = System.nanoTime();
        BatchEmbedder.Key key;
        try {
            key = BatchEmbedder.key(settings);
        } catch (IOException e) {
            throw new IOException("cannot read the model '" + settings.model() + "': " + e.getMessage(), e);
        }
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = session(o.master());
        try {
            return run(spark, settings, key, o, log, start);
        } catch (UsageException | IOException e) {
            throw e;
        } catch (Exception e) { // Spark's (Scala's undeclared SparkException included): say what failed underneath
            throw new IOException(rootMessage(e), e);
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }

    private static Summary run(SparkSession spark, AnalysisSettings settings, BatchEmbedder.Key key, Options o,
                               Consumer<String> log, long start) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        String inputRoot = checkInput(o.input(), conf);
        OutputFolder out = OutputFolder.prepare(o.output(), conf, o.overwrite(), o.update(), key.settingsKey());
        try {
            return run(spark, settings, key, o, log, start, inputRoot, out);
        } catch (Exception e) {
            try {
                out.abandon(); // a failed job leaves the output as it found it, less what --overwrite cleared
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static Summary run(SparkSession spark, AnalysisSettings settings, BatchEmbedder.Key key, Options o,
                               Consumer<String> log, long start, String inputRoot, OutputFolder out)
            throws IOException {
        String settingsKey = key.settingsKey();

        KnownHashes known = KnownHashes.NONE;
        if (out.previous() != null) {
            List<String> hashes = out.previous().filter(col("settings_key").equalTo(settingsKey))
                    .select("content_hash").distinct().as(Encoders.STRING()).collectAsList();
            known = new KnownHashes(hashes);
            log.accept("update: " + known.size() + " image content(s) already embedded with these settings");
        }
        Broadcast<KnownHashes> knownOnExecutors = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(known);
        JobSpec job = new JobSpec(o.engineArgs(), inputRoot, settingsKey, o.decodeThreads());

        // 1. embed: each executor task turns (path, bytes) into rows of EMBEDDED; written once, then read back, so
        //    the model runs once per image whatever is computed from the rows afterwards
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(inputRoot)
                .filter(col("path").rlike(imageNamePattern())).select("path", "content");
        MapPartitionsFunction<Row, Row> embed = rows -> ExecutorEmbedder.embedPartition(rows, job, knownOnExecutors.value());
        files.mapPartitions(embed, Encoders.row(EMBEDDED)).write().parquet(out.staged("embedded"));
        Dataset<Row> embedded = spark.read().parquet(out.staged("embedded"));

        // 2. the embeddings table: new rows, plus known content with the embedding the earlier run stored
        Dataset<Row> fresh = embedded.filter(col("embedding").isNotNull()).select(col("path"), col("relative_path"),
                col("content_hash"), lit(key.modelIdentity()).as("model_identity"),
                lit(settingsKey).as("settings_key"), col("embedding"));
        Dataset<Row> table = fresh;
        if (out.previous() != null) {
            Dataset<Row> old = out.previous().filter(col("settings_key").equalTo(settingsKey))
                    .dropDuplicates("content_hash").select("content_hash", "embedding");
            Dataset<Row> reused = embedded.filter(col("known")).select("path", "relative_path", "content_hash")
                    .join(old, "content_hash").select(col("path"), col("relative_path"), col("content_hash"),
                            lit(key.modelIdentity()).as("model_identity"), lit(settingsKey).as("settings_key"),
                            col("embedding"));
            table = fresh.unionByName(reused);
        }
        table.write().parquet(out.staged("embeddings"));
        embedded.filter(col("reason").isNotNull()).select("path", "relative_path", "reason")
                .write().parquet(out.staged("skipped"));
        Dataset<Row> embeddings = spark.read().parquet(out.staged("embeddings"));
        long images = embeddings.count();
        long embeddedNow = embedded.filter(col("embedding").isNotNull()).count();
        long skipped = spark.read().parquet(out.staged("skipped")).count();
        log.accept(String.format(Locale.ROOT, "embedded %d image(s) now, %d reused, %d skipped", embeddedNow,
                images - embeddedNow, skipped));
        if (images == 0) {
            throw new IOException("no readable image under " + inputRoot + (skipped > 0 ? " (" + skipped + " skipped)" : ""));
        }

        // 3. clusters: k-means|| on the L2-normalised embeddings, as the CLI's k-means prepares them
        Clusters clusters = cluster(embeddings, images, o.k(), o.seed(), log);
        clusters.labels().select("path", "relative_path", "cluster").write().parquet(out.staged("labels"));

        // 4. the app's files, when they fit on one machine
        boolean localExport = o.localExportMax() > 0 && images <= o.localExportMax();
        if (localExport) {
            writeLocalExport(clusters.labels(), spark.read().parquet(out.staged("skipped")), out);
        }
        Summary summary = new Summary(inputRoot, out.root(), settings.model(), settingsKey, images, embeddedNow,
                images - embeddedNow, skipped, clusters.k(), clusters.silhouette(), localExport,
                (System.nanoTime() - start) / 1e9, spark.version(), spark.sparkContext().master());
        out.publish(List.of("embeddings", "labels", "skipped"), localExport ? LOCAL_FILES : List.of(), summary.toJson());
        return summary;
    }

    static final List<String> LOCAL_FILES = List.of("labels.csv", "embeddings.csv", "skipped.csv", "embeddings.npy",
            "paths.csv");

    private record Clusters(Dataset<Row> labels, int k, double silhouette) {
    }

    private static Clusters cluster(Dataset<Row> embeddings, long n, int requestedK, long seed, Consumer<String> log) {
        Dataset<Row> vectors = new Normalizer().setP(2.0).setInputCol("raw").setOutputCol("features")
                .transform(embeddings.withColumn("raw", functions.array_to_vector(col("embedding"))))
                .select("path", "relative_path", "features").cache();
        try {
            if (n == 1) {
                return new Clusters(vectors.withColumn("cluster", lit(0)), 1, Double.NaN);
            }
            int k;
            double silhouette = Double.NaN;
            if (requestedK > 0) {
                k = (int) Math.min(requestedK, n);
            } else if (n < 3) {
                k = (int) n;
            } else {
                // the CLI's AutoK: k in 2..20 (at most n - 1), highest silhouette
                k = AutoK.DEFAULT_MIN_K;
                silhouette = Double.NEGATIVE_INFINITY;
                ClusteringEvaluator evaluator = new ClusteringEvaluator().setFeaturesCol("features")
                        .setPredictionCol("cluster");
                for (int c = AutoK.DEFAULT_MIN_K; c <= Math.min(AutoK.DEFAULT_MAX_K, n - 1); c++) {
                    double s = evaluator.evaluate(kmeans(c, seed).fit(vectors).transform(vectors));
                    if (s > silhouette) {
                        silhouette = s;
                        k = c;
                    }
                }
                log.accept(String.format(Locale.ROOT, "chose k = %d (silhouette %.4f)", k, silhouette));
            }
            KMeansModel model = kmeans(k, seed).fit(vectors);
            Dataset<Row> labels = model.transform(vectors).select("path", "relative_path", "cluster");
            return new Clusters(labels.localCheckpoint(), k, silhouette);
        } finally {
            vectors.unpersist();
        }
    }

    private static KMeans kmeans(int k, long seed) {
        return new KMeans().setK(k).setSeed(seed).setInitMode("k-means||").setMaxIter(300).setTol(1e-6)
                .setFeaturesCol("features").setPredictionCol("cluster");
    }

    /**
     * labels.csv and embeddings.csv in the CLI's formats and order (relative paths, code-point order), skipped.csv,
     * and the embeddings as NumPy (embeddings.npy, float32, with paths.csv in the same order), as the app exports them.
     */
    private static void writeLocalExport(Dataset<Row> labels, Dataset<Row> skipped, OutputFolder out) throws IOException {
        List<Row> rows = new ArrayList<>(labels.join(out.stagedTable("embeddings").select("path", "embedding"), "path")
                .select("relative_path", "cluster", "embedding").collectAsList());
        rows.sort(Comparator.comparing(r -> r.getString(0), FolderScanner.CODE_POINT_ORDER));
        List<String> paths = rows.stream().map(r -> r.getString(0)).collect(Collectors.toList());
        int[] clusterOf = rows.stream().mapToInt(r -> r.getInt(1)).toArray();
        float[][] vectors = new float[rows.size()][];
        for (int i = 0; i < vectors.length; i++) {
            List<Float> e = rows.get(i).getList(2);
            vectors[i] = new float[e.size()];
            for (int j = 0; j < e.size(); j++) {
                vectors[i][j] = e.get(j);
            }
        }
        List<Row> skippedRows = new ArrayList<>(skipped.select("relative_path", "reason").collectAsList());
        skippedRows.sort(Comparator.comparing(r -> r.getString(0), FolderScanner.CODE_POINT_ORDER));
        java.nio.file.Path local = Files.createTempDirectory("itae-spark-export-");
        try {
            CsvExport.writeLabels(local.resolve("labels.csv"), paths, clusterOf);
            CsvExport.writeEmbeddings(local.resolve("embeddings.csv"), paths, vectors);
            ExploreExport.writeNpyWithPaths(local.resolve("embeddings.npy"), paths, vectors); // + paths.csv
            CsvExport.write(local.resolve("skipped.csv"), CsvExport.LineEnding.LF, sink -> {
                sink.row("path", "reason");
                for (Row r : skippedRows) {
                    sink.row(r.getString(0), r.getString(1));
                }
            });
            for (String name : LOCAL_FILES) {
                out.stageLocalFile(local.resolve(name), name);
            }
        } finally {
            for (String name : LOCAL_FILES) {
                Files.deleteIfExists(local.resolve(name));
            }
            Files.deleteIfExists(local);
        }
    }

    /** Case-insensitive match of the CLI's image extensions at the end of a path. */
    static String imageNamePattern() {
        return "(?i)\\.(" + String.join("|", new java.util.TreeSet<>(FolderScanner.IMAGE_EXTENSIONS)) + ")$";
    }


    private static String checkInput(String input, Configuration conf) throws IOException {
        try {
            Path p = new Path(input);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new UsageException("input not found: " + input);
            }
            if (!fs.getFileStatus(p).isDirectory()) {
                throw new UsageException("input is not a folder: " + input);
            }
            return fs.makeQualified(p).toString();
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("cannot read input " + input + ": " + oneLine(e.getMessage()));
        }
    }

    private static SparkSession session(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("itae-studio embed-cluster");
        if (master != null) {
            b.master(master);
        } else if (SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty()
                && System.getProperty("spark.master") == null) {
            b.master("local[*]"); // run from a checkout without spark-submit
        }
        return b.getOrCreate();
    }

    /**
     * What went wrong underneath Spark's stage bookkeeping: the message of the first exception in the cause chain
     * that Spark did not throw itself (an executor's own error, worded by our code), else of the innermost one.
     */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            root = c;
            if (!c.getClass().getName().startsWith("org.apache.spark.")) {
                break;
            }
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return oneLine(msg);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }
}
