package org.itaestudio;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared real-image folder ({@code ../shared/data} next to the project) for tests. */
public final class TestData {

    private TestData() {
    }

    /**
     * The shared data folder: system property {@code itae.sharedData} if set, else the first
     * {@code shared/data} or {@code ../shared/data} found walking up from the working directory; null if absent.
     */
    public static Path sharedData() {
        String property = System.getProperty("itae.sharedData");
        if (property != null && !property.isBlank()) {
            Path p = Path.of(property).toAbsolutePath().normalize();
            return Files.isDirectory(p) ? p : null;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : new Path[] {dir.resolve("shared/data"), dir.resolve("../shared/data")}) {
                if (Files.isDirectory(candidate)) {
                    return candidate.normalize();
                }
            }
        }
        return null;
    }

    /** {@link #sharedData()}, or skips the calling test with a clear message when it is absent. */
    public static Path requireSharedData() {
        Path data = sharedData();
        String where = System.getProperty("itae.sharedData", Path.of("").toAbsolutePath().resolve("../shared/data").normalize().toString());
        Assumptions.assumeTrue(data != null, "shared data not found: " + where);
        return data;
    }
}
