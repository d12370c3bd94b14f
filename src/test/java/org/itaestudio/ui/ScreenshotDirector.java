package org.itaestudio.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javafx.util.Duration;
import javax.imageio.ImageIO;
import org.itaestudio.Logging;
import org.itaestudio.model.NativeThreading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the real app through its screens and saves a PNG of each ({@code Scene.snapshot}) - used by
 * tools/screenshots.sh for docs/screenshots/: {@code ScreenshotDirector MODEL FOLDER} with
 * {@code -Ditae.screenshots=DIR} (where the PNGs go); options:
 * {@code itae.screenshots.image} (relative path of the image to inspect), {@code itae.screenshots.k} (clusters),
 * {@code itae.screenshots.apply=true}
 * (also run "Apply to folder" and shoot the before/after map), {@code itae.screenshots.prefix} (file name prefix),
 * {@code itae.screenshots.exit=false} (stay open), {@code itae.screenshots.threshold} (near-duplicate threshold of the
 * duplicates shot, default 0.95), {@code itae.screenshots.only=explore} (open the folder, shoot only the exploration
 * windows, exit), {@code itae.screenshots.only=inspector-ttr} (the inspector's token norms and fixes side by side,
 * before and after calibrating test-time registers on the folder, exit).
 */
public final class ScreenshotDirector {

    private static final Logger LOG = LoggerFactory.getLogger(ScreenshotDirector.class);

    private record Step(String name, long delayMs, BooleanSupplier ready, Runnable action) {
    }

    private final Stage stage;
    private final MainWindow window;
    private final MainViewModel vm;
    private final Path out;
    private final String prefix;
    private final Deque<Step> steps = new ArrayDeque<>();
    private Timeline timer;
    private long stepStarted;
    private long deadline;

    private ScreenshotDirector(Stage stage, MainWindow window, MainViewModel vm, Path out) {
        this.stage = stage;
        this.window = window;
        this.vm = vm;
        this.out = out;
        this.prefix = System.getProperty("itae.screenshots.prefix", "");
    }

    /** Opens the app as {@code itae-studio --model MODEL FOLDER} does, with this director instead of a user. */
    public static void main(String[] args) {
        String dir = System.getProperty("itae.screenshots");
        if (args.length != 2 || dir == null || dir.isBlank()) {
            System.err.println("usage: java -Ditae.screenshots=DIR ... org.itaestudio.ui.ScreenshotDirector MODEL FOLDER");
            System.exit(2);
        }
        Logging.init();
        NativeThreading.configure(); // before anything loads libtorch
        StudioApp.launch(Path.of(args[1]), args[0],
                (stage, window, vm, folder) -> new ScreenshotDirector(stage, window, vm, Path.of(dir)).start(folder));
        System.exit(0);
    }

    void start(Path folder) {
        String transferData = System.getProperty("itae.screenshots.transfer");
        if (transferData != null) {
            transferSteps(Path.of(transferData));
            startTimer();
            return;
        }
        BooleanSupplier always = () -> true;
        BooleanSupplier idle = () -> !vm.runningProperty().get();
        step("empty state", 1200, always, () -> {
            if (vm.analysis() == null) {
                snap("empty-state");
            }
        });
        if (folder != null) {
            step("open", 0, always, () -> {
                Integer k = Integer.getInteger("itae.screenshots.k");
                if (k != null) {
                    vm.kProperty().set(k);
                }
                if ("hdbscan".equals(System.getProperty("itae.screenshots.only"))) {
                    vm.clusterMethodProperty().set(org.itaestudio.cluster.ClusterMethod.HDBSCAN);
                    vm.minClusterSizeProperty().set(Integer.getInteger("itae.screenshots.minClusterSize", 5));
                }
                vm.openFolder(folder);
            });
            step("running", 1500, always, () -> {
                if (vm.runningProperty().get()) {
                    snap("running");
                }
            });
            step("analysed", 300, idle, () -> {
                if (vm.analysis() == null || vm.analysis().size() == 0) {
                    snap(vm.errorProperty().get() != null ? "error-state" : "no-images");
                    steps.removeIf(s -> !s.name().equals("model dialog") && !s.name().equals("exit"));
                }
            });
            if ("inspector-ttr".equals(System.getProperty("itae.screenshots.only"))) {
                inspectorTtrSteps(idle);
                startTimer();
                return;
            }
            if ("fixes".equals(System.getProperty("itae.screenshots.only"))) {
                fixSteps(idle);
                step("exit", 1000, always, () -> {
                    stage.close();
                    Platform.exit();
                });
                startTimer();
                return;
            }
            if ("explore".equals(System.getProperty("itae.screenshots.only"))
                    || "hdbscan".equals(System.getProperty("itae.screenshots.only"))) {
                if ("hdbscan".equals(System.getProperty("itae.screenshots.only"))) {
                    hdbscanSteps();
                } else {
                    exploreSteps(idle);
                }
                step("exit", 1000, always, () -> {
                    stage.close();
                    Platform.exit();
                });
                startTimer();
                return;
            }
            step("gallery", 3000, always, () -> {
                vm.viewProperty().set(MainViewModel.View.CLUSTERS);
            });
            step("gallery shot", 2500, always, () -> snap("gallery"));
            step("map", 0, always, () -> vm.viewProperty().set(MainViewModel.View.MAP));
            step("hover", 1000, always, this::hoverSomePoint);
            step("map shot", 1500, always, () -> snap("map"));
            step("inspect", 0, always, () -> {
                vm.selectedImageProperty().set(imageToInspect());
                vm.viewProperty().set(MainViewModel.View.INSPECTOR);
            });
            step("hover patch", 1500, () -> vm.inspector().resultProperty().get() != null
                    && !vm.inspector().busyProperty().get(), () -> {
                var ins = vm.inspector().resultProperty().get().inspection();
                int patch = (ins.gridH() / 2) * ins.gridW() + ins.gridW() / 3;
                var p = window.inspector().patchCentreOnScreen(patch);
                new javafx.scene.robot.Robot().mouseMove(p.getX(), p.getY());
            });
            step("inspector shot", 800, always, () -> snap("inspector"));
            step("before", 0, always, () -> vm.inspector().showBeforeProperty().set(true));
            step("before shot", 1200, () -> !vm.inspector().busyProperty().get(), () -> {
                snap("inspector-before");
                vm.inspector().showBeforeProperty().set(false);
            });
            exploreSteps(idle);
            if (Boolean.getBoolean("itae.screenshots.apply")) {
                step("apply", 1200, () -> !vm.inspector().busyProperty().get(), vm::applyItaeToFolder);
                step("applied", 1500, idle, () -> vm.viewProperty().set(MainViewModel.View.MAP));
                step("applied shot", 1500, always, () -> snap("map-after-apply"));
                step("before map", 0, always, () -> ((javafx.scene.control.ToggleButton) window.map()
                        .lookup("#map-before")).setSelected(true));
                step("before map shot", 1200, always, () -> {
                    snap("map-before-apply");
                    ((javafx.scene.control.ToggleButton) window.map().lookup("#map-after")).setSelected(true);
                });
            }
            step("dark", 0, always, () -> {
                vm.darkThemeProperty().set(true);
                vm.viewProperty().set(MainViewModel.View.INSPECTOR);
            });
            step("dark inspector", 1500, always, () -> snap("inspector-dark"));
            step("dark gallery", 0, always, () -> vm.viewProperty().set(MainViewModel.View.CLUSTERS));
            step("dark gallery shot", 1500, always, () -> snap("gallery-dark"));
            step("dark map", 0, always, () -> vm.viewProperty().set(MainViewModel.View.MAP));
            step("dark map shot", 1500, always, () -> {
                snap("map-dark");
                vm.darkThemeProperty().set(false);
            });
        }
        step("model dialog", 800, always, () -> {
            String missing = "dinov2-base";
            ModelDialog d = window.showModelDialog(new MainViewModel.ModelMissingException(missing,
                    vm.models().status(missing)));
            Platform.runLater(() -> new Timeline(new KeyFrame(Duration.millis(1200), e -> {
                snapScene(d.getDialogPane().getScene(), "model-dialog");
                d.setResult(null);
                d.close();
            })).play());
        });
        step("exit", 2500, always, () -> {
            if (!"false".equals(System.getProperty("itae.screenshots.exit"))) {
                LOG.info("screenshots done: {}", out.toAbsolutePath());
                stage.close();
                Platform.exit();
            }
        });
        startTimer();
    }

    private void startTimer() {
        deadline = System.currentTimeMillis() + Long.getLong("itae.screenshots.timeoutMs", 30 * 60_000L);
        stepStarted = System.currentTimeMillis();
        timer = new Timeline(new KeyFrame(Duration.millis(100), e -> tick()));
        timer.setCycleCount(Timeline.INDEFINITE);
        timer.play();
    }

    /**
     * An HDBSCAN run (min cluster size {@code itae.screenshots.minClusterSize}, default 5): the map and the gallery
     * with the grey "Unclustered" group, the toolbar's HDBSCAN settings open, and the near-duplicates window just
     * after Find (its progress bar and Cancel) and when done (the largest image of each set marked keep).
     */
    private void hdbscanSteps() {
        BooleanSupplier always = () -> true;
        step("hdbscan map", 0, always, () -> vm.viewProperty().set(MainViewModel.View.MAP));
        step("hdbscan map shot", 2000, always, () -> snap("map-hdbscan"));
        step("hdbscan gallery", 0, always, () -> {
            vm.viewProperty().set(MainViewModel.View.CLUSTERS);
            int noise = vm.clusters().noiseCluster();
            if (noise >= 0 && vm.clusters().size(noise) > 0) {
                window.gallery().reveal(vm.clusters().members(noise)[0]);
            }
        });
        step("hdbscan gallery shot", 2500, always, () -> snap("gallery-hdbscan"));
        step("hdbscan settings", 0, always,
                () -> ((javafx.scene.control.MenuButton) stage.getScene().lookup("#hdbscan-settings")).show());
        step("hdbscan settings shot", 1200, always, () -> {
            snapWithPopups("hdbscan-settings");
            ((javafx.scene.control.MenuButton) stage.getScene().lookup("#hdbscan-settings")).hide();
        });
        step("duplicates window", 0, always, () -> {
            vm.explore().thresholdProperty().set(Double.parseDouble(System.getProperty("itae.screenshots.threshold", "0.95")));
            window.exploreMenu().showDuplicates();
        });
        // Find and the shot in one FX step: the search's first progress cannot arrive before it
        step("duplicates find", 1200, always, () -> {
            vm.explore().findDuplicates();
            snapScene(window.exploreMenu().duplicatesDialog().getScene(), "duplicates-progress");
        });
        step("duplicates done shot", 1500, () -> !vm.explore().findingDuplicatesProperty().get(), () -> {
            DuplicatesDialog d = window.exploreMenu().duplicatesDialog();
            snapScene(d.getScene(), "duplicates-keep");
            d.close();
        });
    }

    /**
     * The inspector's token norm map and fixes side by side: first before any calibration (the test-time-register
     * map is a placeholder), then after Calibrate on the open folder (norms at the calibration's detect layer with its
     * threshold, the appended register's norm, four maps), in light and dark themes; then exits.
     */
    private void inspectorTtrSteps(BooleanSupplier idle) {
        BooleanSupplier always = () -> true;
        BooleanSupplier compared = () -> !vm.sideBySide().busyProperty().get()
                && !vm.sideBySide().panelsProperty().get().isEmpty() && !vm.inspector().busyProperty().get();
        step("inspect", 0, idle, () -> {
            vm.selectedImageProperty().set(imageToInspect());
            vm.viewProperty().set(MainViewModel.View.INSPECTOR);
            vm.sideBySide().activeProperty().set(true);
        });
        step("uncalibrated shot", 1500, compared, () -> snap("inspector-norms-uncalibrated"));
        step("calibrate", 0, always, vm::calibrateRegisters);
        step("calibrated", 500, () -> vm.fixes().neuronsProperty().get() != null && !vm.fixes().calibratingProperty().get(),
                () -> { });
        step("calibrated shot", 2000, () -> compared.getAsBoolean() && vm.sideBySide().panelsProperty().get().size() == 4,
                () -> snap("inspector-norms-and-fixes"));
        step("head", 0, always, () -> vm.inspector().headProperty().set(0));
        step("head shot", 1500, compared, () -> {
            snap("inspector-norms-and-fixes-head0");
            vm.inspector().headProperty().set(-1);
            vm.darkThemeProperty().set(true);
        });
        step("dark shot", 1500, compared, () -> {
            snap("inspector-norms-and-fixes-dark");
            vm.darkThemeProperty().set(false);
        });
        step("exit", 1000, always, () -> {
            stage.close();
            Platform.exit();
        });
    }

    /**
     * The artifact-fix panel after a calibration on the open folder, then the fix comparison with the images of the
     * fix that moved most listed.
     */
    private void fixSteps(BooleanSupplier idle) {
        BooleanSupplier always = () -> true;
        step("calibrate", 500, idle, () -> {
            vm.viewProperty().set(MainViewModel.View.INSPECTOR);
            vm.selectedImageProperty().set(imageToInspect());
            vm.calibrateRegisters();
        });
        step("calibrated", 1500, () -> !vm.fixes().calibratingProperty().get()
                && !vm.inspector().busyProperty().get(), () -> vm.fixes().fixProperty().set(ArtifactFixModel.Fix.BOTH));
        step("artifact fix shot", 2500, () -> !vm.inspector().busyProperty().get(), () -> snap("artifact-fix-panel"));
        step("compare", 0, always, () -> {
            window.exploreMenu().showFixComparison();
            vm.compareFixes();
        });
        step("compared", 1000, () -> !vm.comparison().runningProperty().get() && !vm.comparison().rows().isEmpty(), () -> {
            FixComparisonModel.RowView most = vm.comparison().rows().stream()
                    .max(java.util.Comparator.comparingInt(FixComparisonModel.RowView::changed)).orElseThrow();
            vm.comparison().showMoved(most);
        });
        step("comparison shot", 2500, always, () -> {
            FixComparisonView v = window.exploreMenu().comparisonView();
            snapScene(v.getScene(), "fix-comparison");
        });
    }

    /** More like this, near-duplicates, the gallery's most-unusual-first order and a split cluster. */
    private void exploreSteps(BooleanSupplier idle) {
        BooleanSupplier always = () -> true;
        step("more like this", 500, idle, () -> vm.explore().showSimilar(imageToInspect()));
        step("more like this shot", 2500, () -> !vm.explore().similar().isEmpty(), () -> {
            SimilarDialog d = window.exploreMenu().similarDialog();
            snapScene(d.getScene(), "more-like-this");
            d.close();
        });
        step("duplicates", 0, always, () -> {
            vm.explore().thresholdProperty().set(Double.parseDouble(System.getProperty("itae.screenshots.threshold", "0.95")));
            window.exploreMenu().showDuplicates();
            vm.explore().findDuplicates();
        });
        step("duplicates shot", 2500, () -> !vm.explore().findingDuplicatesProperty().get(), () -> {
            DuplicatesDialog d = window.exploreMenu().duplicatesDialog();
            snapScene(d.getScene(), "duplicates");
            d.close();
        });
        step("scores", 0, always, () -> vm.explore().requestOutlierScores(null));
        step("unusual", 0, () -> vm.explore().outliersReadyProperty().get(), () -> {
            vm.clusters().setOrder(ClusterModel.Order.MOST_UNUSUAL_FIRST);
            vm.viewProperty().set(MainViewModel.View.CLUSTERS);
        });
        step("unusual shot", 2500, always, () -> {
            snap("gallery-most-unusual");
            vm.clusters().setOrder(ClusterModel.Order.REPRESENTATIVES_FIRST);
        });
        step("split", 0, always, () -> {
            int biggest = 0;
            for (int k = 0; k < vm.clusters().clusterCount(); k++) {
                if (vm.clusters().size(k) > vm.clusters().size(biggest)) {
                    biggest = k;
                }
            }
            vm.splitCluster(biggest);
        });
        step("split shot", 2500, () -> !vm.explore().splittingProperty().get(), () -> {
            snap("gallery-after-split");
            vm.clusters().undo();
        });
    }

    /**
     * The Transfer screen: empty, then four runs on the labelled folder {@code data} with the app's model as the
     * teacher (scratch, copy, distill, distill with ITAE on every block), shot while the last one trains, with the
     * finished runs' table, and with the teacher's and a student's attention side by side. Options:
     * {@code itae.screenshots.transfer.runs} (where the runs go), {@code .epochs} (6), {@code .crop} (32).
     */
    private void transferSteps(Path data) {
        BooleanSupplier always = () -> true;
        TransferViewModel t = vm.transfer();
        BooleanSupplier idle = () -> !t.running();
        int epochs = Integer.getInteger("itae.screenshots.transfer.epochs", 6);
        int crop = Integer.getInteger("itae.screenshots.transfer.crop", 32);
        step("transfer view", 1200, always, () -> {
            t.runsRootProperty().set(Path.of(System.getProperty("itae.screenshots.transfer.runs",
                    out.resolve("transfer-runs").toString())));
            t.refreshRuns();
            vm.viewProperty().set(MainViewModel.View.TRANSFER);
        });
        step("transfer empty shot", 1200, always, () -> snap("transfer-empty"));
        Object[][] runs = {
            {org.itaestudio.model.transfer.TransferMode.SCRATCH, false},
            {org.itaestudio.model.transfer.TransferMode.COPY, false},
            {org.itaestudio.model.transfer.TransferMode.DISTILL, false},
            {org.itaestudio.model.transfer.TransferMode.DISTILL, true},
        };
        for (Object[] r : runs) {
            step("transfer " + r[0] + (Boolean.TRUE.equals(r[1]) ? " itae" : ""), 300, idle, () -> {
                t.folderProperty().set(data);
                t.modeProperty().set((org.itaestudio.model.transfer.TransferMode) r[0]);
                boolean itae = (Boolean) r[1];
                t.itaeOnProperty().set(itae);
                if (itae) {
                    // every block, so the engineered maps are transferred ones (the panel's default, the last
                    // block, would make the view warn that ITAE changes nothing)
                    vm.itae().lastLayerOnlyProperty().set(false);
                    vm.itae().layerFromProperty().set(0);
                    vm.itae().layerToProperty().set(99);
                }
                t.epochsProperty().set(epochs);
                t.batchSizeProperty().set(16);
                t.lrProperty().set(1e-3);
                t.imageSizeProperty().set(crop);
                t.cropProperty().set(crop);
                t.start();
            });
        }
        step("transfer running shot", 500, () -> !t.running() || t.curves().stream().anyMatch(
                c -> c.live() && c.points().size() >= 2), () -> snap("transfer-running"));
        step("transfer finished", 500, idle, () -> {
            t.itaeOnProperty().set(true);
            vm.itae().lastLayerOnlyProperty().set(true); // the paper's ITAE for the next run: the view warns
            if (!t.runs().isEmpty()) {
                t.selectedRunProperty().set(t.runs().get(t.runs().size() - 2 >= 0 ? t.runs().size() - 2 : 0));
            }
        });
        step("transfer runs shot", 1500, always, () -> snap("transfer-runs"));
        step("transfer compare", 500, () -> !t.valImages().isEmpty(), () -> {
            t.layerProperty().set(1);
            t.headProperty().set(0);
            t.compare();
        });
        step("transfer attention shot", 1000, () -> t.comparisonProperty().get() != null
                || !t.comparisonTextProperty().get().startsWith("Computing"), () -> snap("transfer-attention"));
        step("exit", 1000, always, () -> {
            if (!"false".equals(System.getProperty("itae.screenshots.exit"))) {
                LOG.info("screenshots done: {}", out.toAbsolutePath());
                stage.close();
                Platform.exit();
            }
        });
    }

    private void step(String name, long delayMs, BooleanSupplier ready, Runnable action) {
        steps.add(new Step(name, delayMs, ready, action));
    }

    private void tick() {
        if (steps.isEmpty()) {
            timer.stop();
            return;
        }
        if (System.currentTimeMillis() > deadline) {
            LOG.error("screenshots timed out at step {}", steps.peek().name());
            timer.stop();
            Platform.exit();
            return;
        }
        Step s = steps.peek();
        if (System.currentTimeMillis() - stepStarted < s.delayMs() || !s.ready().getAsBoolean()) {
            return;
        }
        steps.poll();
        LOG.info("screenshot step: {}", s.name());
        try {
            s.action().run();
        } catch (RuntimeException ex) {
            LOG.error("screenshot step {} failed", s.name(), ex);
        }
        stepStarted = System.currentTimeMillis();
    }

    private int imageToInspect() {
        String wanted = System.getProperty("itae.screenshots.image");
        var a = vm.analysis();
        if (wanted != null) {
            int i = a.paths().indexOf(wanted);
            if (i >= 0) {
                return i;
            }
            LOG.warn("{} is not among the analysed images; inspecting the first", wanted);
        }
        return 0;
    }

    /** Moves the (synthetic) mouse over a point near the middle of the largest cluster, to show the hover card. */
    private void hoverSomePoint() {
        MapCanvas c = window.map().canvas();
        var a = vm.analysis();
        if (a == null || a.size() == 0) {
            return;
        }
        int biggest = 0;
        for (int k = 0; k < vm.clusters().clusterCount(); k++) {
            if (vm.clusters().size(k) > vm.clusters().size(biggest)) {
                biggest = k;
            }
        }
        int i = vm.clusters().members(biggest)[0];
        double x = c.toScreenX(a.map()[i][0]);
        double y = c.toScreenY(a.map()[i][1]);
        var p = c.localToScreen(x, y);
        // the real pointer (a synthetic event would be undone by the next real mouse event)
        new javafx.scene.robot.Robot().mouseMove(p.getX(), p.getY());
    }

    private void snap(String name) {
        snapScene(stage.getScene(), name);
    }

    /** The window with its open popups (menus) drawn over it where they are on the screen. */
    private void snapWithPopups(String name) {
        try {
            Files.createDirectories(out);
            Scene scene = stage.getScene();
            double scale = stage.getRenderScaleX();
            javafx.scene.SnapshotParameters params = new javafx.scene.SnapshotParameters();
            params.setTransform(javafx.scene.transform.Transform.scale(scale, scale));
            java.awt.image.BufferedImage base = SwingFXUtils.fromFXImage(scene.getRoot().snapshot(params, null), null);
            java.awt.Graphics2D g = base.createGraphics();
            double originX = stage.getX() + scene.getX();
            double originY = stage.getY() + scene.getY();
            for (javafx.stage.Window w : javafx.stage.Window.getWindows()) {
                if (w instanceof javafx.stage.PopupWindow && w.isShowing() && w.getScene() != null) {
                    java.awt.image.BufferedImage pop = SwingFXUtils.fromFXImage(w.getScene().getRoot().snapshot(params, null), null);
                    g.drawImage(pop, (int) Math.round((w.getX() + w.getScene().getX() - originX) * scale),
                            (int) Math.round((w.getY() + w.getScene().getY() - originY) * scale), null);
                }
            }
            g.dispose();
            Path file = out.resolve(prefix + name + ".png");
            ImageIO.write(base, "png", file.toFile());
            LOG.info("wrote {} ({}x{})", file, base.getWidth(), base.getHeight());
        } catch (IOException | RuntimeException e) {
            LOG.error("could not write screenshot {}", name, e);
        }
    }

    private void snapScene(Scene scene, String name) {
        try {
            Files.createDirectories(out);
            // at the window's render scale, so a HiDPI run (-Dglass.gtk.uiScale=2) shows what the screen shows
            double scale = scene.getWindow() == null ? 1 : scene.getWindow().getRenderScaleX();
            javafx.scene.SnapshotParameters params = new javafx.scene.SnapshotParameters();
            params.setTransform(javafx.scene.transform.Transform.scale(scale, scale));
            WritableImage img = scene.getRoot().snapshot(params, null);
            Path file = out.resolve(prefix + name + ".png");
            ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", file.toFile());
            LOG.info("wrote {} ({}x{})", file, (int) img.getWidth(), (int) img.getHeight());
        } catch (IOException | RuntimeException e) {
            LOG.error("could not write screenshot {}", name, e);
        }
    }
}
