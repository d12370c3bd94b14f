package org.itaestudio.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import org.itaestudio.cluster.Hdbscan;
import org.itaestudio.cluster.HdbscanClustering;
import org.itaestudio.cluster.Map2D;
import org.itaestudio.cluster.Metrics;
import org.itaestudio.cluster.TsneMap;
import org.itaestudio.cluster.UmapMap;
import org.itaestudio.progress.ProgressListener;

/**
 * UMAP, t-SNE and HDBSCAN on synthetic clustered embeddings: wall and CPU time, trustworthiness
 * at k = 10 on a seeded sample, and .npy exports for tools/trustworthiness.py (scikit-learn's
 * trustworthiness on the same sample).
 *
 * <pre>java -cp target/classes:$(cat target/classpath.txt) org.itaestudio.bench.MapMethodsBenchmark N D OUTDIR [umap|tsne|hdbscan]...</pre>
 *
 * <p>Data: 100 clusters, centres of norm ~3 (N(0, 9/D) per coordinate); each point is its
 * centre plus a rank-8 Gaussian (factors of norm ~0.7) plus isotropic noise of norm ~1, seed 42: clusters with a
 * low-dimensional inside, the shape image embeddings have (a random cloud has no neighbourhoods
 * to keep, so trustworthiness would say nothing).
 */
public final class MapMethodsBenchmark {
    private MapMethodsBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int n = Integer.parseInt(args[0]);
        int d = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        Files.createDirectories(out);
        float[][] x = synthetic(n, d, 100, 42);
        int sample = Math.min(n, 5000);
        int[] idx = sampleIndices(n, sample, 7);
        float[][] xs = new float[sample][];
        for (int t = 0; t < sample; t++) xs[t] = x[idx[t]];
        writeNpy(out.resolve("x_sample.npy"), xs);
        System.out.printf(Locale.ROOT, "data: %d x %d, 100 clusters; trustworthiness on a %d-point sample%n", n, d, sample);
        for (int a = 3; a < args.length; a++) {
            switch (args[a]) {
                case "umap" -> map("umap", () -> new UmapMap().compute(x, stages("umap"), null), idx, xs, out);
                case "tsne" -> map("tsne", () -> new TsneMap().compute(x, stages("tsne"), null), idx, xs, out);
                case "hdbscan" -> {
                    long[] t0 = times();
                    HdbscanClustering c = new Hdbscan().cluster(x, stages("hdbscan"), null);
                    long[] t1 = times();
                    System.out.printf(Locale.ROOT, "hdbscan: %.1f s wall, %.1f s CPU; %s; %d clusters, %d noise; ARI vs the generating clusters %.4f%n",
                            (t1[0] - t0[0]) / 1e9, (t1[1] - t0[1]) / 1e9, c.method(), c.k(), c.noiseCount(),
                            Metrics.ari(truth(n, 100), c.labels()));
                }
                default -> throw new IllegalArgumentException("unknown method " + args[a]);
            }
        }
    }

    private static void map(String name, Supplier<Map2D> run, int[] idx, float[][] xs, Path out) throws IOException {
        long[] t0 = times();
        Map2D m = run.get();
        long[] t1 = times();
        double[][] p = new double[idx.length][];
        float[][] pf = new float[idx.length][];
        for (int t = 0; t < idx.length; t++) {
            p[t] = new double[]{m.x()[idx[t]], m.y()[idx[t]]};
            pf[t] = new float[]{m.x()[idx[t]], m.y()[idx[t]]};
        }
        writeNpy(out.resolve(name + "_sample.npy"), pf);
        double trust = Metrics.trustworthiness(xs, p, 10);
        System.out.printf(Locale.ROOT, "%s: %.1f s wall, %.1f s CPU; trustworthiness(k=10, sample, Java) %.4f; %s%n",
                name, (t1[0] - t0[0]) / 1e9, (t1[1] - t0[1]) / 1e9, trust, m.method());
    }

    /** Prints the wall and CPU seconds at which each stage starts. */
    private static ProgressListener stages(String name) {
        long[] t0 = times();
        String[] last = {""};
        return p -> {
            if (!p.stage().equals(last[0])) {
                last[0] = p.stage();
                long[] t = times();
                System.out.printf(Locale.ROOT, "  %s: '%s' from %.1f s wall, %.1f s CPU%n", name, p.stage(),
                        (t[0] - t0[0]) / 1e9, (t[1] - t0[1]) / 1e9);
            }
        };
    }

    /** {wall ns, process CPU ns}. */
    private static long[] times() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new long[]{System.nanoTime(), os.getProcessCpuTime()};
    }

    static float[][] synthetic(int n, int d, int clusters, long seed) {
        Random r = new Random(seed);
        double s = 1 / Math.sqrt(d); // per-coordinate scale for a vector of norm ~1
        double[][] centres = new double[clusters][d];
        double[][][] factors = new double[clusters][8][d];
        for (int c = 0; c < clusters; c++) {
            for (int j = 0; j < d; j++) centres[c][j] = 3 * s * r.nextGaussian();
            for (int f = 0; f < 8; f++) for (int j = 0; j < d; j++) factors[c][f][j] = 0.7 * s * r.nextGaussian();
        }
        float[][] x = new float[n][d];
        double[] z = new double[8];
        for (int i = 0; i < n; i++) {
            int c = i % clusters;
            for (int f = 0; f < 8; f++) z[f] = r.nextGaussian();
            for (int j = 0; j < d; j++) {
                double v = centres[c][j] + s * r.nextGaussian();
                for (int f = 0; f < 8; f++) v += z[f] * factors[c][f][j];
                x[i][j] = (float) v;
            }
        }
        return x;
    }

    private static int[] truth(int n, int clusters) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i % clusters;
        return t;
    }

    private static int[] sampleIndices(int n, int m, long seed) {
        Random r = new Random(seed);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = 0; i < m; i++) {
            int j = i + r.nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] s = java.util.Arrays.copyOf(perm, m);
        java.util.Arrays.sort(s);
        return s;
    }

    /** A float32 C-order .npy (version 1.0). */
    static void writeNpy(Path file, float[][] rows) throws IOException {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows.length + ", " + cols + "), }";
        int headerLen = 10 + dict.length() + 1;
        int pad = (64 - headerLen % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + 4 * rows.length * cols).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        buf.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (float[] row : rows) for (float v : row) buf.putFloat(v);
        Files.write(file, buf.array());
    }
}
