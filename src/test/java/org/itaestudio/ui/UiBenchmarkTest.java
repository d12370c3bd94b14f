package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.HubModelService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Numbers for the report (printed as "UI-BENCH ..." lines): the map's frame time with 50,000 points and its hover
 * query time, and the ITAE control-to-heatmap latency with the real engine on a ViT-S/14-shaped model. No time is
 * asserted (a shared CI machine's timings prove nothing): only that each measured thing happened, so the numbers stay
 * in the printed lines and the documents that quote them.
 */
@ExtendWith(ApplicationExtension.class)
class UiBenchmarkTest {

    @TempDir
    Path tmp;

    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
    }

    @Test
    void mapFrameTimeAt50kPoints() throws Exception {
        int n = 50_000;
        SplittableRandom r = new SplittableRandom(1);
        double[] x = new double[n], y = new double[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(20);
            labels[i] = c;
            double angle = c * 2 * Math.PI / 20;
            double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
            double g = Math.sqrt(-2 * Math.log(u1));
            x[i] = 30 * Math.cos(angle) + 4 * g * Math.cos(2 * Math.PI * u2);
            y[i] = 30 * Math.sin(angle) + 4 * g * Math.sin(2 * Math.PI * u2);
        }
        MapCanvas canvas = onFx(() -> {
            MapCanvas c = new MapCanvas();
            stage.setScene(new Scene(new StackPane(c), 1200, 760));
            stage.show();
            c.setData(x, y, labels, true);
            return c;
        });
        waitFor("laid out", 10, () -> canvas.getWidth() > 1000);
        double[] full = measure(canvas, 60, () -> canvas.renderNow());
        double[] pan = measure(canvas, 60, () -> {
            canvas.pan(3, 2);
            canvas.renderNow();
        });
        runFx(() -> canvas.selectionProperty().set(java.util.stream.IntStream.range(0, 5000).toArray()));
        double[] sel = measure(canvas, 30, () -> canvas.renderNow());
        runFx(() -> canvas.selectionProperty().set(new int[0]));
        // the same frame on a HiDPI screen (render scale 2: a 2400x1520 buffer), rasterising only
        int[] hiDpi = new int[2400 * 1520];
        double hiDpiMs = hiDpiMillis(canvas, hiDpi, 5, 30);
        // hover: nearest-point queries at random screen positions
        int queries = HOVER_QUERIES;
        double[] hover = hover(canvas);
        double hoverMicros = hover[0];
        int hits = (int) hover[1];
        System.out.printf(Locale.ROOT, "UI-BENCH map 50000 points 1200x760: frame (rasterise + buffer update) mean %.2f ms, "
                        + "p95 %.2f ms; panning mean %.2f ms; with 5000 selected mean %.2f ms; at render scale 2 (rasterise "
                        + "only) mean %.2f ms; hover query %.2f us (%d%% hit)%n",
                full[0], full[1], pan[0], sel[0], hiDpiMs, hoverMicros, 100 * hits / queries);
        assertTrue(full[0] > 0 && hiDpiMs > 0, "frames were drawn");
        assertTrue(hits > 0, "hover queries find the points under the cursor");
    }

    /**
     * 1,000,000 synthetic points (40 Gaussian clusters): frames drawn from pixel bins at render scale 1 (full frame,
     * panning, zooming) and 2 (rasterising a 2400x1520 buffer), then zoomed in until points are drawn one by one; hover
     * and lasso query times; the frame saved as target/ui-bench/map-1m-points.png for the docs.
     */
    @Test
    void mapFrameTimeAtOneMillionPoints() throws Exception {
        int n = 1_000_000;
        SplittableRandom r = new SplittableRandom(3);
        double[] x = new double[n], y = new double[n];
        int[] labels = new int[n];
        double[][] centres = new double[40][2];
        for (double[] c : centres) {
            c[0] = 100 * r.nextDouble();
            c[1] = 70 * r.nextDouble();
        }
        for (int i = 0; i < n; i++) {
            int c = (int) Math.min(39, Math.floor(40 * Math.pow(r.nextDouble(), 1.6))); // uneven cluster sizes
            labels[i] = c;
            double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
            double g = Math.sqrt(-2 * Math.log(u1)) * (1.5 + c % 5);
            x[i] = centres[c][0] + g * Math.cos(2 * Math.PI * u2);
            y[i] = centres[c][1] + g * Math.sin(2 * Math.PI * u2) * 0.7;
        }
        MapCanvas canvas = onFx(() -> {
            MapCanvas c = new MapCanvas();
            stage.setScene(new Scene(new StackPane(c), 1200, 760));
            stage.show();
            c.setData(x, y, labels, true);
            return c;
        });
        waitFor("laid out", 10, () -> canvas.getWidth() > 1000);
        runFx(canvas::fit);
        double[] full = measure(canvas, 30, () -> canvas.renderNow());
        double fullCpu = cpuMillis(canvas, 20, () -> canvas.renderNow());
        boolean binned = onFx(canvas::lastFrameBinned);
        int[] frame = new int[1200 * 760]; // the fitted view, for the docs
        onFx(() -> {
            canvas.rasterise(frame, 1200, 760, 1);
            return null;
        });
        double[] pan = measure(canvas, 30, () -> {
            canvas.pan(3, 2);
            canvas.renderNow();
        });
        double panCpu = cpuMillis(canvas, 20, () -> {
            canvas.pan(-3, -2);
            canvas.renderNow();
        });
        int[] step = {0};
        double[] zoom = measure(canvas, 30, () -> {
            canvas.zoom(step[0]++ % 2 == 0 ? 1.1 : 1 / 1.1, 600, 380);
            canvas.renderNow();
        });
        int[] hiDpi = new int[2400 * 1520];
        double hiDpiCpu = cpuMillis(canvas, 10, () -> canvas.rasterise(hiDpi, 2400, 1520, 2));
        double hiDpiMs = hiDpiMillis(canvas, hiDpi, 3, 10);
        // hover: nearest-point queries at random screen positions
        int queries = HOVER_QUERIES;
        double[] hover = hover(canvas);
        double hoverMicros = hover[0];
        int hits = (int) hover[1];
        // lasso: a 40-gon of radius 200 px around the view's centre, then the selection drawn
        double[] lx = new double[40], ly = new double[40];
        for (int k = 0; k < 40; k++) {
            lx[k] = 600 + 200 * Math.cos(2 * Math.PI * k / 40);
            ly[k] = 380 + 200 * Math.sin(2 * Math.PI * k / 40);
        }
        int[][] picked = new int[1][];
        double lassoMs = 0;
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long lassoCpu0 = threads.getCurrentThreadCpuTime();
        for (int rep = 0; rep < 10; rep++) {
            long t = System.nanoTime();
            picked[0] = canvas.pickPolygon(lx, ly, 40);
            lassoMs += (System.nanoTime() - t) / 1e6 / 10;
        }
        double lassoCpu = (threads.getCurrentThreadCpuTime() - lassoCpu0) / 1e6 / 10;
        runFx(() -> canvas.selectionProperty().set(picked[0]));
        double[] sel = measure(canvas, 10, () -> canvas.renderNow());
        runFx(() -> canvas.selectionProperty().set(new int[0]));
        // zoomed in until few enough points are in view to draw one by one
        runFx(() -> canvas.zoom(12, 600, 380));
        double[] close = measure(canvas, 20, () -> canvas.renderNow());
        boolean closeBinned = onFx(canvas::lastFrameBinned);
        System.out.printf(Locale.ROOT, "UI-BENCH map 1000000 points 1200x760: frame (%s) mean %.2f ms, p95 %.2f ms; "
                        + "panning mean %.2f ms, p95 %.2f ms; zooming mean %.2f ms, p95 %.2f ms; with %d lasso-selected "
                        + "mean %.2f ms; at render scale 2 (rasterise only) mean %.2f ms; zoomed in x12 (%s) mean %.2f ms; "
                        + "hover query %.2f us (%d%% hit); lasso query %.2f ms. CPU time of the drawing thread (what a "
                        + "loaded machine does not inflate): frame %.2f ms, panning %.2f ms, render scale 2 %.2f ms, "
                        + "lasso %.2f ms%n",
                binned ? "pixel bins" : "dots", full[0], full[1], pan[0], pan[1], zoom[0], zoom[1], picked[0].length,
                sel[0], hiDpiMs, closeBinned ? "pixel bins" : "dots", close[0], hoverMicros, 100 * hits / queries, lassoMs,
                fullCpu, panCpu, hiDpiCpu, lassoCpu);
        Path out = Path.of("target", "ui-bench");
        Files.createDirectories(out);
        BufferedImage img = new BufferedImage(1200, 760, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 1200, 760, frame, 0, 1200);
        ImageIO.write(img, "png", out.resolve("map-1m-points.png").toFile());
        assertTrue(binned, "a million points in view are drawn from pixel bins");
        assertTrue(!closeBinned, "zoomed in, points are drawn one by one");
        assertTrue(picked[0].length > 0 && hits > 0, "lasso and hover find points");
    }

    /** Mean CPU time (ms) of the FX thread per frame over {@code frames} frames after 3 warm-up frames. */
    private static double cpuMillis(MapCanvas canvas, int frames, Runnable frame) throws Exception {
        return onFx(() -> {
            for (int i = 0; i < 3; i++) {
                frame.run();
            }
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long t0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < frames; i++) {
                frame.run();
            }
            return (threads.getCurrentThreadCpuTime() - t0) / 1e6 / frames;
        });
    }

    static final int HOVER_QUERIES = 20_000;

    /** {microseconds per nearest-point query, hits} for queries at seeded random positions of a 1200x760 view. */
    private static double[] hover(MapCanvas canvas) {
        long t0 = System.nanoTime();
        int hits = 0;
        SplittableRandom q = new SplittableRandom(2);
        for (int i = 0; i < HOVER_QUERIES; i++) {
            hits += canvas.pick(q.nextDouble() * 1200, q.nextDouble() * 760) >= 0 ? 1 : 0;
        }
        return new double[] {(System.nanoTime() - t0) / 1e3 / HOVER_QUERIES, hits};
    }

    /** Mean ms to rasterise the view at render scale 2 (a 2400x1520 buffer), after {@code warm} untimed runs. */
    private static double hiDpiMillis(MapCanvas canvas, int[] buffer, int warm, int runs) throws Exception {
        return onFx(() -> {
            for (int i = 0; i < warm; i++) {
                canvas.rasterise(buffer, 2400, 1520, 2);
            }
            long t = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                canvas.rasterise(buffer, 2400, 1520, 2);
            }
            return (System.nanoTime() - t) / 1e6 / runs;
        });
    }

    /** {mean, p95} of canvas.lastFrameMillis() over {@code frames} frames after 10 warm-up frames, on the FX thread. */
    private static double[] measure(MapCanvas canvas, int frames, Runnable frame) throws Exception {
        return onFx(() -> {
            for (int i = 0; i < 10; i++) {
                frame.run();
            }
            double[] t = new double[frames];
            for (int i = 0; i < frames; i++) {
                frame.run();
                t[i] = canvas.lastFrameMillis();
            }
            Arrays.sort(t);
            return new double[] {Arrays.stream(t).average().orElse(0), t[(int) (frames * 0.95)]};
        });
    }

    @Test
    void galleryScrollsTenThousandThumbnails() throws Exception {
        Path cifar = org.itaestudio.TestData.requireSharedData().resolve("cifar10-test");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(cifar), "no cifar10-test in the shared data");
        galleryScroll(cifar, 10_000);
    }

    /**
     * A folder of 100,000 images: 100 generated 32x32 PNGs, each hard-linked 1,000 times under 100 sub-folders (the
     * gallery loads every thumbnail by its own path, so the cache sees 100,000 files; linking keeps the test's disk
     * use and set-up small).
     */
    @Test
    void galleryScrollsOneHundredThousandThumbnails() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("hundred-thousand"));
        Path originals = Files.createDirectories(tmp.resolve("originals"));
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 100; i++) {
            BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            int base = rnd.nextInt(0xFFFFFF);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    img.setRGB(x, y, base ^ ((x * 8) << 8) ^ (y * 8));
                }
            }
            ImageIO.write(img, "png", originals.resolve(i + ".png").toFile());
        }
        for (int f = 0; f < 100; f++) {
            Path sub = Files.createDirectories(dir.resolve(String.format(Locale.ROOT, "f%03d", f)));
            for (int j = 0; j < 1_000; j++) {
                Files.createLink(sub.resolve(String.format(Locale.ROOT, "img%04d.png", j)), originals.resolve((j % 100) + ".png"));
            }
        }
        galleryScroll(dir, 100_000);
    }

    private void galleryScroll(Path folder, int expectedImages) throws Exception {
        Path cifar = folder;
        FakeStudioEngine engine = new FakeStudioEngine();
        engine.checkDecode = false;
        engine.defaultK = 10;
        StudioPreferences prefs = UiTestSupport.throwawayPrefs();
        ThumbnailCache thumbs = new ThumbnailCache(2_000, 192, 2, ThumbnailLoaders.imageIo(), Platform::runLater);
        MainViewModel vm = onFx(() -> new MainViewModel(engine, new HubModelService(
                Map.of("HF_HUB_OFFLINE", "1", "HF_HUB_CACHE", tmp.toString())), prefs));
        vm.modelProperty().set(Files.writeString(tmp.resolve("m.safetensors"), "x").toString());
        MainWindow window = onFx(() -> {
            MainWindow w = new MainWindow(vm, thumbs);
            stage.setScene(new Scene(w, 1240, 780));
            stage.show();
            return w;
        });
        try {
            runFx(() -> vm.openFolder(cifar));
            waitFor("analysis", 120, () -> vm.analysis() != null && !vm.runningProperty().get());
            int images = vm.analysis().size();
            GalleryView gallery = window.gallery();
            int rows = gallery.rowCount();
            // a fling: jump 7 rows per frame through the whole gallery, laying out each frame on the FX thread
            double[] stepMs = onFx(() -> {
                int steps = rows / 7;
                double[] t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    long t0 = System.nanoTime();
                    gallery.scrollToRow(i * 7);
                    gallery.layout();
                    t[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(t);
                return new double[] {Arrays.stream(t).average().orElse(0), t[(int) (t.length * 0.95)], t[t.length - 1], steps};
            });
            // then stop at the end and wait until the rows on screen have their thumbnails
            long t0 = System.nanoTime();
            waitFor("visible thumbnails", 30, () -> window.gallery().visibleThumbnailsLoaded());
            double settle = (System.nanoTime() - t0) / 1e6;
            System.out.printf(Locale.ROOT, "UI-BENCH gallery %d images, %d rows: scroll step (7 rows + layout) mean %.2f ms, p95 %.2f ms, "
                            + "max %.2f ms over %d steps; visible thumbnails loaded %.0f ms after the fling; cache holds %d%n",
                    images, rows, stepMs[0], stepMs[1], stepMs[2], (int) stepMs[3], settle, thumbs.size());
            assertTrue(images == expectedImages, "expected " + expectedImages + " images, got " + images);
            assertTrue(window.gallery().visibleThumbnailsLoaded(), "the rows at the end of the fling show thumbnails");
        } finally {
            runFx(() -> {
                vm.close();
                thumbs.close();
            });
            UiTestSupport.removePrefs(prefs);
        }
    }

    @Test
    void controlToHeatmapLatencyWithTheRealEngine() throws Exception {
        Map<String, String> env = Map.of("HF_HUB_OFFLINE", "1", "HF_HUB_CACHE", tmp.resolve("hf").toString());
        Path model = SyntheticModelFiles.write(tmp.resolve("vits14.safetensors"), SyntheticModelFiles.SMALL_REG, 7);
        Path dir = Files.createDirectories(tmp.resolve("imgs"));
        BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        for (int yy = 0; yy < 240; yy++) {
            for (int xx = 0; xx < 320; xx++) {
                img.setRGB(xx, yy, ((xx * 255 / 320) << 16) | ((yy * 255 / 240) << 8) | ((xx ^ yy) & 0xFF));
            }
        }
        ImageIO.write(img, "png", dir.resolve("a.png").toFile());
        StudioPreferences prefs = UiTestSupport.throwawayPrefs();
        try (DefaultStudioEngine engine = new DefaultStudioEngine(tmp.resolve("cache"), new ModelResolver(env))) {
            MainViewModel vm = onFx(() -> new MainViewModel(engine, new HubModelService(env), prefs));
            ThumbnailCache thumbs = new ThumbnailCache(10, 64, 1, ThumbnailLoaders.imageIo(), Platform::runLater);
            MainWindow window = onFx(() -> {
                MainWindow w = new MainWindow(vm, thumbs);
                stage.setScene(new Scene(w, 1240, 780));
                stage.show();
                vm.modelProperty().set(model.toString());
                vm.deviceProperty().set(DeviceChoice.CPU);
                vm.viewProperty().set(MainViewModel.View.INSPECTOR);
                return w;
            });
            // first inspection loads the model and runs all 12 blocks
            long t0 = System.nanoTime();
            runFx(() -> vm.inspector().inspect(dir.resolve("a.png")));
            waitFor("first", 120, () -> vm.inspector().resultProperty().get() != null && !vm.inspector().busyProperty().get());
            double first = (System.nanoTime() - t0) / 1e6;
            runFx(() -> vm.itae().autoThresholdProperty().set(false));
            waitFor("manual", 60, () -> !vm.inspector().busyProperty().get()
                    && vm.inspector().resultProperty().get().config() != null
                    && !vm.inspector().resultProperty().get().config().autoThreshold());
            List<Double> latencies = new ArrayList<>();
            List<Double> inspects = new ArrayList<>();
            List<Double> renders = new ArrayList<>();
            double lo = window.itaePanel().thresholdSlider().getMin(), hi = window.itaePanel().thresholdSlider().getMax();
            for (int i = 0; i < 8; i++) {
                double t = lo + (hi - lo) * (i + 1) / 10;
                runFx(() -> vm.inspector().lastLatencyMillisProperty().set(Double.NaN));
                runFx(() -> window.itaePanel().thresholdSlider().setValue(t));
                waitFor("latency", 60, () -> !Double.isNaN(vm.inspector().lastLatencyMillisProperty().get())
                        && vm.inspector().resultProperty().get().config().threshold().equals(ItaeConfig.Threshold.fixed(t))
                        && !vm.inspector().busyProperty().get());
                latencies.add(vm.inspector().lastLatencyMillisProperty().get());
                inspects.add(vm.inspector().resultProperty().get().inspectNanos() / 1e6);
                renders.add(vm.inspector().lastRenderMillis());
            }
            latencies.sort(null);
            inspects.sort(null);
            renders.sort(null);
            System.out.printf(Locale.ROOT, "UI-BENCH control-to-heatmap (ViT-S/14 shape, 224 px, CPU): first inspection %.0f ms; "
                            + "slider move: median %.1f ms, max %.1f ms (debounce %d ms + engine inspect median %.1f ms + view render median %.1f ms)%n",
                    first, latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1),
                    MainViewModel.CONTROL_DEBOUNCE.toMillis(), inspects.get(inspects.size() / 2), renders.get(renders.size() / 2));
            assertTrue(latencies.stream().allMatch(l -> l > 0), "every slider move reached the heatmap: " + latencies);
            runFx(() -> {
                vm.close();
                thumbs.close();
            });
        } finally {
            UiTestSupport.removePrefs(prefs);
        }
    }
}
