package org.itaestudio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Facts about this installation of ITAE Studio that the CLI, the app and the log all report. */
public final class AppInfo {

    private AppInfo() {
    }

    /** The Maven project version, filtered into version.properties at build time; "dev" when it is missing. */
    public static String version() {
        try (InputStream in = AppInfo.class.getResourceAsStream("/org/itaestudio/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    /** sample-data/ of the installation ({@code itae.home}) or of the working directory, if present; else null. */
    public static Path sampleData() {
        String home = System.getProperty("itae.home");
        for (Path p : new Path[] {home == null ? null : Path.of(home, "sample-data"), Path.of("sample-data")}) {
            if (p != null && Files.isDirectory(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        return null;
    }
}
