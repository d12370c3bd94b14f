package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.ModelService;
import org.itaestudio.progress.Progress;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignD;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;

/**
 * Shown when the chosen model is not on this computer: says what is missing and where it was looked for, and
 * offers a download (with progress and cancel) or a local checkpoint. Its result is the model spec to use, or
 * null when the user closes it. Never blocks the FX thread: the download runs in a background task.
 */
final class ModelDialog extends Dialog<String> {

    private final ProgressBar bar = new ProgressBar(0);
    private final Label progressText = new Label();
    private final Button download = new Button("Download", new FontIcon(MaterialDesignD.DOWNLOAD));
    private final Button cancel = new Button("Cancel download");
    private Cancellation downloadCancel;
    private Task<Path> task;

    ModelDialog(Window owner, String model, ModelService.Status status, ModelService service) {
        if (owner != null) {
            initOwner(owner);
        }
        setTitle("Model not available");
        getDialogPane().getStyleClass().add("model-dialog");
        getDialogPane().setId("model-dialog");
        VBox progress = progressBox();
        VBox content = new VBox(12);
        content.getChildren().addAll(messages(model, status));
        content.getChildren().addAll(actions(model, status, service, progress), progress);
        content.setPadding(new Insets(8, 4, 4, 4));
        content.setPrefWidth(560);
        getDialogPane().setContent(content);
        getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        setResultConverter(b -> null);
        cancel.setOnAction(e -> {
            if (downloadCancel != null) {
                downloadCancel.cancel();
            }
            if (task != null) {
                task.cancel(false);
            }
        });
        setOnCloseRequest(e -> {
            if (downloadCancel != null) {
                downloadCancel.cancel();
            }
        });
    }

    /** What is missing, where it was looked for, and whether a download can fetch it. */
    private static List<Node> messages(String model, ModelService.Status status) {
        Label title = new Label("The model \u201c" + model + "\u201d is not on this computer");
        title.getStyleClass().add(Styles.TITLE_4);
        title.setWrapText(true);
        Label explanation = new Label(status.explanation());
        explanation.setId("model-explanation");
        explanation.setWrapText(true);
        explanation.setMaxWidth(520);
        Label offline = new Label(status.downloadable()
                ? "It can be downloaded once (with resume and checksum check) into the Hugging Face cache."
                : "A download is not possible from here. You can copy the model files to the place above, or use "
                + "a checkpoint you already have.");
        offline.setWrapText(true);
        offline.setMaxWidth(520);
        offline.getStyleClass().add(Styles.TEXT_MUTED);
        return List.of(title, explanation, offline);
    }

    /** Download (shows {@code progress}), choose a checkpoint file, choose a model folder. */
    private HBox actions(String model, ModelService.Status status, ModelService service, VBox progress) {
        download.setId("model-download");
        download.getStyleClass().add(Styles.ACCENT);
        download.setDisable(!status.downloadable());
        download.setTooltip(new Tooltip(status.downloadable() ? "Download " + model : "Not available: no download source"));
        download.setOnAction(e -> {
            progress.setVisible(true);
            progress.setManaged(true);
            download.setDisable(true);
            startDownload(model, service);
        });
        Button file = new Button("Choose file\u2026", new FontIcon(MaterialDesignF.FILE_OUTLINE));
        file.setId("model-choose-file");
        file.setTooltip(new Tooltip("A .safetensors or .pth checkpoint"));
        file.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setTitle("Choose a DINOv2 checkpoint");
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Checkpoints", "*.safetensors", "*.pth"));
            File f = fc.showOpenDialog(getDialogPane().getScene().getWindow());
            if (f != null) {
                finish(f.getAbsolutePath());
            }
        });
        Button folder = new Button("Choose folder\u2026", new FontIcon(MaterialDesignF.FOLDER_OUTLINE));
        folder.setTooltip(new Tooltip("A Hugging Face model folder (config.json + model.safetensors)"));
        folder.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            dc.setTitle("Choose a Hugging Face model folder");
            File f = dc.showDialog(getDialogPane().getScene().getWindow());
            if (f != null) {
                finish(f.getAbsolutePath());
            }
        });
        HBox actions = new HBox(8, download, file, folder);
        actions.setAlignment(Pos.CENTER_LEFT);
        return actions;
    }

    /** The download's bar, Cancel and text; hidden until a download starts. */
    private VBox progressBox() {
        bar.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(bar, Priority.ALWAYS);
        cancel.setGraphic(new FontIcon(MaterialDesignP.PAUSE_CIRCLE_OUTLINE));
        cancel.setTooltip(new Tooltip("Stop the download (it resumes next time)"));
        HBox progressRow = new HBox(8, bar, cancel);
        progressRow.setAlignment(Pos.CENTER_LEFT);
        VBox progress = new VBox(4, progressRow, progressText);
        progress.setVisible(false);
        progress.setManaged(false);
        progressText.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        return progress;
    }

    private void startDownload(String model, ModelService service) {
        downloadCancel = new Cancellation();
        Cancellation c = downloadCancel;
        task = new Task<>() {
            @Override
            protected Path call() throws Exception {
                return service.download(model, p -> {
                    updateProgress(p.done(), Math.max(1, p.total()));
                    updateMessage(describe(p));
                }, c);
            }
        };
        bar.progressProperty().bind(task.progressProperty());
        progressText.textProperty().bind(task.messageProperty());
        task.setOnSucceeded(e -> finish(model));
        task.setOnFailed(e -> stopped("Download failed: " + MainViewModel.oneLine(task.getException())));
        task.setOnCancelled(e -> stopped("Download cancelled; it resumes where it stopped next time."));
        Thread t = new Thread(task, "model-download");
        t.setDaemon(true);
        t.start();
    }

    private void stopped(String message) {
        progressText.textProperty().unbind();
        progressText.setText(message);
        bar.progressProperty().unbind();
        download.setDisable(false);
        download.setText("Retry download");
    }

    static String describe(Progress p) {
        String s = String.format(Locale.ROOT, "%.1f of %.1f MB", p.done() / 1e6, p.total() / 1e6);
        if (p.itemsPerSecond() > 0) {
            s += String.format(Locale.ROOT, " \u00b7 %.1f MB/s", p.itemsPerSecond() / 1e6);
        }
        if (p.eta() != null) {
            s += " \u00b7 " + StatusBar.formatEta(p.eta()) + " left";
        }
        return s;
    }

    private void finish(String spec) {
        setResult(spec);
        close();
    }
}
