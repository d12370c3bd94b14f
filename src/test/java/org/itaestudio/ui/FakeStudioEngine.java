package org.itaestudio.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.LayerProbe;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.pipeline.FolderEmbeddings;
import org.itaestudio.pipeline.Inspection;
import org.itaestudio.pipeline.SkippedFile;
import org.itaestudio.pipeline.StudioEngine;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * A hand-made engine for UI tests only (never shipped): deterministic clusters and maps, and inspections whose
 * V norms are known (patch p has norm p + 1), so a threshold t flags exactly the patches with p + 1 <= t.
 */
class FakeStudioEngine implements StudioEngine {

    static final int GRID = 4;
    static final int HEADS = 6;
    static final int DEPTH = 4;
    static final int SIZE = 56;
    static final double AUTO_THRESHOLD = 4.5;

    final AtomicInteger inspectCalls = new AtomicInteger();
    final AtomicInteger analyzeCalls = new AtomicInteger();
    final List<ItaeConfig> inspectConfigs = new CopyOnWriteArrayList<>();
    /** When set, an inspection with this manual threshold blocks until the latch opens. */
    volatile double gateThreshold = Double.NaN;
    volatile CountDownLatch gate;
    /** When set, a folder run stops after its first image until the latch opens or the run is cancelled. */
    volatile CountDownLatch analysisGate;
    volatile int defaultK = 3;
    /** The settings of the last analyse or re-cluster call. */
    volatile AnalysisSettings lastSettings;
    /** false: trust the file extension (fast scans of big folders in benchmarks). */
    volatile boolean checkDecode = true;

    @Override
    public FolderAnalysis analyze(Path folder, AnalysisSettings settings, ProgressListener progress, Cancellation cancel)
            throws IOException {
        analyzeCalls.incrementAndGet();
        lastSettings = settings;
        List<Path> files;
        try (Stream<Path> s = Files.walk(folder)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<String> paths = new ArrayList<>();
        List<SkippedFile> skipped = new ArrayList<>();
        int done = 0;
        for (Path f : files) {
            cancel.throwIfCancelled();
            String rel = folder.relativize(f).toString().replace('\\', '/');
            String name = rel.toLowerCase(Locale.ROOT);
            if (!(name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".jpg"))) {
                continue;
            }
            if (checkDecode && ImageIO.read(f.toFile()) == null) {
                skipped.add(new SkippedFile(rel, "not a decodable image"));
            } else {
                paths.add(rel);
            }
            done++;
            progress.onProgress(new Progress("Embedding", done, files.size(), 10, java.time.Duration.ofSeconds(files.size() - done), skipped.size()));
            CountDownLatch held = analysisGate;
            while (held != null && !awaitQuietly(held, 10) && !Thread.currentThread().isInterrupted()) {
                cancel.throwIfCancelled();
            }
        }
        int n = paths.size();
        int k = settings.k() > 0 ? settings.k() : defaultK;
        boolean itaeOn = settings.itae() != null;
        float[][] emb = new float[n][4];
        int[] labels = new int[n];
        double[] dist = new double[n];
        double[][] map = new double[n][2];
        for (int i = 0; i < n; i++) {
            // with ITAE on, every 5th image moves to the next cluster, so "apply" has visible changes
            labels[i] = (i + (itaeOn && i % 5 == 0 ? 1 : 0)) % k;
            emb[i] = new float[] {labels[i], i, 1, -1};
            dist[i] = (i * 7 % 11) / 11.0;
            double angle = 2 * Math.PI * labels[i] / k;
            map[i][0] = 10 * Math.cos(angle) + (i % 7) * 0.3;
            map[i][1] = 10 * Math.sin(angle) + (i % 5) * 0.3;
        }
        return new FolderAnalysis(folder, paths, emb, labels, n == 0 ? 0 : k, dist, map, skipped, settings);
    }

    @Override
    public FolderEmbeddings embed(Path folder, AnalysisSettings settings, ProgressListener progress, Cancellation cancel)
            throws IOException {
        FolderAnalysis a = analyze(folder, settings, progress, cancel);
        return new FolderEmbeddings(folder, a.paths(), a.embeddings(), a.skipped(), 0, 0);
    }

    @Override
    public FolderAnalysis recluster(FolderAnalysis a, AnalysisSettings settings, ProgressListener progress, Cancellation cancel) {
        lastSettings = settings;
        int k = settings.k() > 0 ? settings.k() : defaultK;
        int[] labels = new int[a.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % k;
        }
        return new FolderAnalysis(a.folder(), a.paths(), a.embeddings(), labels, k, a.distances(), a.map(), a.skipped(), settings);
    }

    @Override
    public Inspection inspect(Path image, AnalysisSettings settings, int layer, ItaeConfig itae) throws IOException {
        inspectCalls.incrementAndGet();
        inspectConfigs.add(itae == null ? ItaeConfig.paperDefault(-999) : itae);
        if (gate != null && itae != null && !itae.autoThreshold() && itae.fixedThreshold() == gateThreshold) {
            awaitQuietly(gate, Long.MAX_VALUE);
        }
        if (!Files.exists(image)) {
            throw new IOException(image + ": no such file");
        }
        int patches = GRID * GRID;
        int tokens = 1 + patches;
        float[] v = new float[tokens];
        float[] q = new float[tokens];
        float[] k = new float[tokens];
        v[0] = 50;
        q[0] = 40;
        k[0] = 30;
        for (int p = 0; p < patches; p++) {
            v[1 + p] = p + 1;
            q[1 + p] = 2 * (p + 1);
            k[1 + p] = 100 - p;
        }
        boolean active = itae != null && itae.resolveLayers(DEPTH).contains(layer);
        double t = Double.NaN;
        int[] artifacts = new int[0];
        if (active) {
            t = itae.autoThreshold() ? AUTO_THRESHOLD : itae.fixedThreshold();
            float[] score = itae.component() == ItaeConfig.Component.V ? v : itae.component() == ItaeConfig.Component.Q ? q : k;
            List<Integer> a = new ArrayList<>();
            for (int p = 0; p < patches; p++) {
                double s = score[1 + p];
                if (itae.direction() == ItaeConfig.Direction.BELOW ? s <= t : s >= t) {
                    a.add(p);
                }
            }
            artifacts = a.stream().mapToInt(Integer::intValue).toArray();
        }
        float[][] cls = new float[HEADS][patches];
        for (int h = 0; h < HEADS; h++) {
            double sum = 0;
            for (int p = 0; p < patches; p++) {
                cls[h][p] = (float) Math.exp(-Math.abs(p - (h * 3 + layer) % patches) / 2.0);
                sum += cls[h][p];
            }
            for (int p = 0; p < patches; p++) {
                cls[h][p] /= sum;
            }
            for (int a : artifacts) {
                cls[h][a] *= (float) (1 - itae.strength());
            }
        }
        int[] rgb = new int[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                rgb[y * SIZE + x] = ((x * 4) << 16) | ((y * 4) << 8) | 0x80;
            }
        }
        LayerProbe probe = new LayerProbe(layer, new float[][] {q}, new float[][] {k}, new float[][] {v},
                new float[][][] {cls}, null, new int[][] {artifacts}, new double[] {t});
        return new Inspection(image, SIZE, SIZE, rgb, GRID, GRID, 0, layer, probe.image(0), new float[] {1, 2, 3, 4});
    }

    /** True once the latch is open; false after {@code millis} or an interrupt (the flag is kept). */
    private static boolean awaitQuietly(CountDownLatch latch, long millis) {
        try {
            return latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public int depth(AnalysisSettings settings) {
        return DEPTH;
    }

    @Override
    public void close() {
    }
}
