package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.image.Image;
import javafx.scene.image.WritableImage;
import org.itaestudio.TestData;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.pipeline.HubModelService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;

/** Preferences survive a restart; thumbnails: LRU bound, failures remembered, EXIF orientation, CMYK. */
@ExtendWith(ApplicationExtension.class)
class PreferencesAndThumbnailsTest {

    @TempDir
    Path tmp;

    @Test
    void settingsAreRestoredByTheNextViewModel() throws Exception {
        StudioPreferences prefs = UiTestSupport.throwawayPrefs();
        try {
            Map<String, String> env = Map.of("HF_HUB_OFFLINE", "1", "HF_HUB_CACHE", tmp.toString());
            MainViewModel a = UiTestSupport.onFx(() -> new MainViewModel(new FakeStudioEngine(), new HubModelService(env), prefs));
            UiTestSupport.runFx(() -> {
                a.modelProperty().set("dinov2-base-reg");
                a.deviceProperty().set(DeviceChoice.GPU);
                a.jpegDraftProperty().set(true);
                a.kProperty().set(7);
                a.mapMethodProperty().set(MapMethod.PCA);
                a.clusterMethodProperty().set(org.itaestudio.cluster.ClusterMethod.HDBSCAN);
                a.minClusterSizeProperty().set(25);
                a.minSamplesProperty().set(4);
                a.reductionProperty().set(org.itaestudio.cluster.Hdbscan.Reduction.PCA_50);
                a.darkThemeProperty().set(true);
                a.itae().componentProperty().set(ItaeConfig.Component.K);
                a.itae().autoThresholdProperty().set(false);
                a.itae().thresholdProperty().set(12.5);
                a.itae().strengthProperty().set(0.4);
                a.itae().lastLayerOnlyProperty().set(false);
                a.itae().layerFromProperty().set(8);
                a.itae().layerToProperty().set(10);
                a.itae().rowsProperty().set(ItaeConfig.Rows.ALL);
                a.inspector().colorMapProperty().set(ColorMap.MAGMA);
                a.inspector().opacityProperty().set(0.35);
                a.savePreferences();
                a.close();
            });
            for (int i = 0; i < 10; i++) {
                prefs.addRecentFolder(tmp.resolve("f" + i));
            }
            prefs.addRecentFolder(tmp.resolve("f3")); // moves to the front, no duplicate

            MainViewModel b = UiTestSupport.onFx(() -> new MainViewModel(new FakeStudioEngine(), new HubModelService(env), prefs));
            assertEquals("dinov2-base-reg", b.modelProperty().get());
            assertEquals(DeviceChoice.GPU, b.deviceProperty().get());
            assertTrue(b.jpegDraftProperty().get());
            assertTrue(b.settings().jpegDraft(), "the next run decodes JPEGs in draft mode");
            assertEquals(7, b.kProperty().get());
            assertEquals(MapMethod.PCA, b.mapMethodProperty().get());
            assertEquals(org.itaestudio.cluster.ClusterMethod.HDBSCAN, b.clusterMethodProperty().get());
            assertEquals(org.itaestudio.cluster.ClusterMethod.HDBSCAN, b.settings().clusterMethod());
            assertEquals(new org.itaestudio.cluster.Hdbscan.Settings(25, 4, org.itaestudio.cluster.Hdbscan.Reduction.PCA_50),
                    b.settings().density());
            assertTrue(b.darkThemeProperty().get());
            assertEquals(ColorMap.MAGMA, b.inspector().colorMapProperty().get());
            assertEquals(0.35, b.inspector().opacityProperty().get(), 1e-12);
            ItaeConfig c = b.itae().toConfig(12);
            assertEquals(ItaeConfig.Component.K, c.component());
            assertEquals(12.5, c.fixedThreshold(), 1e-12);
            assertEquals(0.4, c.strength(), 1e-12);
            assertEquals(ItaeConfig.Blocks.of(java.util.Set.of(8, 9, 10)), c.layers());
            assertEquals(ItaeConfig.Rows.ALL, c.rows());
            List<Path> recent = b.recentFolders();
            assertEquals(StudioPreferences.MAX_RECENT, recent.size());
            assertEquals(tmp.resolve("f3").toAbsolutePath(), recent.get(0));
            assertEquals(tmp.resolve("f9").toAbsolutePath(), recent.get(1));
            assertEquals(1, recent.stream().filter(p -> p.endsWith("f3")).count());
            UiTestSupport.runFx(b::close);
        } finally {
            UiTestSupport.removePrefs(prefs);
        }
    }

    @Test
    void cacheIsBoundedRemembersFailuresAndDeliversOnThePublisher() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        ThumbnailCache cache = new ThumbnailCache(3, 8, 1, (file, side) -> {
            loads.incrementAndGet();
            if (file.toString().endsWith("bad")) {
                throw new java.io.IOException("broken");
            }
            return new WritableImage(side, side);
        }, Runnable::run);
        try {
            for (String n : new String[] {"a", "b", "c", "d"}) {
                CountDownLatch l = new CountDownLatch(1);
                cache.request(Path.of(n), img -> l.countDown());
                assertTrue(l.await(5, TimeUnit.SECONDS));
            }
            assertEquals(3, cache.size(), "LRU bound");
            assertNull(cache.getIfPresent(Path.of("a")), "the eldest was evicted");
            assertNotNull(cache.getIfPresent(Path.of("d")));
            AtomicReference<Image> got = new AtomicReference<>(new WritableImage(1, 1));
            CountDownLatch bad = new CountDownLatch(1);
            cache.request(Path.of("bad"), img -> {
                got.set(img);
                bad.countDown();
            });
            assertTrue(bad.await(5, TimeUnit.SECONDS));
            assertNull(got.get(), "a failed decode delivers null");
            int before = loads.get();
            cache.request(Path.of("bad"), img -> { });
            assertEquals(before, loads.get(), "a failure is not retried");
            assertTrue(cache.failed(Path.of("bad")));
        } finally {
            cache.close();
        }
    }

    @Test
    void thumbnailsAreUprightAndReadOddFiles() throws Exception {
        Path odd = TestData.requireSharedData().resolve("odd-images");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(odd), "no odd-images in the shared data");
        try (var files = Files.list(odd)) {
            for (Path f : files.filter(p -> p.toString().toLowerCase().matches(".*\\.(jpe?g|png)$")).toList()) {
                String name = f.getFileName().toString().toLowerCase();
                if (name.contains("trunc")) {
                    continue; // a truncated file may or may not give a partial thumbnail; either is fine
                }
                Image img = ThumbnailLoaders.load(f, 96);
                assertEquals(96, Math.max(img.getWidth(), img.getHeight()), 0.5, f.toString());
                // every odd variant is the 2048x1536 landscape elephants photo once upright (EXIF rotation applied)
                assertTrue(img.getWidth() > img.getHeight(), f + " is " + img.getWidth() + "x" + img.getHeight());
            }
        }
    }
}
