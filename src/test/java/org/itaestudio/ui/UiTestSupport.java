package org.itaestudio.ui;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import javafx.application.Platform;
import javax.imageio.ImageIO;
import org.testfx.util.WaitForAsyncUtils;

/** Helpers for the UI tests: small generated image folders, throwaway preferences, waiting on the FX thread. */
final class UiTestSupport {

    private UiTestSupport() {
    }

    /** Writes {@code n} small PNGs with distinct colours. */
    static Path imageFolder(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
            int rgb = ClusterPalette.rgb(i);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 48; x++) {
                    img.setRGB(x, y, x < 24 ? rgb : (rgb ^ 0x404040));
                }
            }
            ImageIO.write(img, "png", dir.resolve(String.format("img_%03d.png", i)).toFile());
        }
        return dir;
    }

    static StudioPreferences throwawayPrefs() {
        return new StudioPreferences(Preferences.userRoot().node("itae-studio-test/" + UUID.randomUUID()));
    }

    static void removePrefs(StudioPreferences p) {
        try {
            p.node().removeNode();
        } catch (BackingStoreException | IllegalStateException e) {
            // best effort
        }
    }

    /** Polls {@code condition} on the FX thread until true. */
    static void waitFor(String what, long seconds, BooleanSupplier condition) throws TimeoutException {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> onFx(condition::getAsBoolean));
        WaitForAsyncUtils.waitForFxEvents();
    }

    static <T> T onFx(Callable<T> c) throws Exception {
        if (Platform.isFxApplicationThread()) {
            return c.call();
        }
        return WaitForAsyncUtils.asyncFx(c).get(30, TimeUnit.SECONDS);
    }

    static void runFx(Runnable r) {
        try {
            WaitForAsyncUtils.asyncFx(r).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        WaitForAsyncUtils.waitForFxEvents();
    }
}
