package org.itaestudio.ui;

import java.nio.file.Path;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.TextArea;
import javafx.stage.Window;
import org.itaestudio.AppInfo;
import org.itaestudio.Logging;
import org.itaestudio.store.CacheDirs;

/** Version, where the log file and caches are (for bug reports), and what the app runs on. */
final class AboutDialog {
    private AboutDialog() {
    }

    /** The text shown (also what "copy" gives a user filing a bug). */
    static String text(String engineLine) {
        Path log = Logging.logFile();
        CacheDirs dirs = CacheDirs.resolve();
        return "ITAE Studio " + AppInfo.version() + "\n"
                + "DINOv2 clustering with Inference-Time Attention Engineering (Nakamura et al., ACCV 2024)\n\n"
                + "Log file: " + (log != null ? log : "(none: logging to a file is off in this run)") + "\n"
                + "Caches: " + dirs.cache() + "\n"
                + "Engine: " + (engineLine == null || engineLine.isBlank() ? "no model loaded yet" : engineLine) + "\n"
                + "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MB\n\n"
                + "Licence: Apache-2.0. Third-party licences: docs/DECISIONS.md; sample photos: sample-data/LICENSES.md.";
    }

    static void show(Window owner, String engineLine) {
        Alert a = new Alert(Alert.AlertType.INFORMATION, null, ButtonType.CLOSE);
        a.initOwner(owner);
        a.setTitle("About ITAE Studio");
        a.setHeaderText("ITAE Studio " + AppInfo.version());
        TextArea body = new TextArea(text(engineLine));
        body.setEditable(false);
        body.setWrapText(true);
        body.setPrefRowCount(10);
        body.setPrefColumnCount(70);
        body.setId("about-text");
        a.getDialogPane().setContent(body);
        a.show();
    }
}
