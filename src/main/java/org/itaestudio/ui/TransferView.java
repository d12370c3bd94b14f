package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.CheckBoxTableCell;
import javafx.scene.image.ImageView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.RowConstraints;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.hub.ModelCatalog;
import org.itaestudio.model.transfer.AttentionComparison;
import org.itaestudio.model.transfer.StudentArch;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.transfer.EpochMetrics;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignA;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

/**
 * The Transfer screen: a new run's settings and Start / Cancel / Resume on the left; on the right the curves of the
 * runs (losses, validation top-1; one series per run, with a legend), the table of runs, and the teacher's and a
 * student's attention on a validation image side by side. Builds nodes and binds to {@link TransferViewModel}.
 */
final class TransferView extends BorderPane {

    /** Side of each attention heatmap on screen. */
    static final int HEATMAP_SIDE = 224;

    private final TransferViewModel vm;
    private final Subscriptions subs = new Subscriptions();
    private final LineChart<Number, Number> lossChart = chart("Epoch", "Loss");
    private final LineChart<Number, Number> top1Chart = chart("Epoch", "Validation top-1");
    private final TableView<TransferViewModel.RunSummary> table = new TableView<>();
    private final ImageView teacherView = new ImageView();
    private final ImageView studentView = new ImageView();
    private boolean showAttentionLoss;

    TransferView(TransferViewModel vm) {
        this.vm = vm;
        setId("transfer-view");
        getStyleClass().add("transfer-view");
        VBox actions = new VBox(6);
        actions.setPadding(new Insets(14, 14, 8, 14));
        actions.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // the settings below scroll instead
        ScrollPane form = new ScrollPane(form(actions));
        form.setFitToWidth(true);
        form.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        form.setPrefViewportWidth(330);
        form.getStyleClass().add("side-scroll");
        VBox.setVgrow(form, Priority.ALWAYS);
        // the commands and the run's progress stay in view however long the settings are
        VBox left = new VBox(actions, new javafx.scene.control.Separator(), form);
        left.setPrefWidth(345);
        left.setMaxWidth(345);
        setLeft(left);
        setCenter(results());
        subs.onInvalidated(o -> drawCurves(), vm.curves());
        subs.onChange(this::drawComparison, vm.comparisonProperty());
        drawCurves();
        vm.refreshRuns();
    }

    void dispose() {
        subs.close();
    }

    // ------------------------------------------------------------------ settings

    /** The settings; the title, commands, progress and message go into {@code actions}. */
    private Node form(VBox actions) {
        VBox box = new VBox(8);
        box.setPadding(new Insets(8, 14, 14, 14));
        box.getStyleClass().add("transfer-form");
        Label title = new Label("Attention transfer");
        title.getStyleClass().add(Styles.TITLE_4);
        Label sub = new Label("Train a student ViT on a labelled folder from scratch, or with the teacher's attention "
                + "copied or distilled (Li et al. 2024).");
        sub.setWrapText(true);
        sub.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        sub.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);

        ComboBox<String> teacher = new ComboBox<>();
        teacher.setId("transfer-teacher");
        teacher.setEditable(true);
        teacher.getItems().addAll(ModelCatalog.names());
        teacher.setMaxWidth(Double.MAX_VALUE);
        subs.bindBidirectional(teacher.valueProperty(), vm.teacherProperty());
        Button browse = iconButton(new FontIcon(MaterialDesignF.FILE_OUTLINE), "A .safetensors or .pth file");
        browse.setOnAction(e -> {
            FileChooser c = new FileChooser();
            c.getExtensionFilters().add(new FileChooser.ExtensionFilter("Checkpoints", "*.safetensors", "*.pth"));
            File f = c.showOpenDialog(getScene().getWindow());
            if (f != null) {
                vm.teacherProperty().set(f.getPath());
            }
        });
        HBox.setHgrow(teacher, Priority.ALWAYS);
        HBox teacherRow = new HBox(4, teacher, browse);

        CheckBox itae = new CheckBox("ITAE on the teacher (the ITAE panel's settings)");
        itae.setId("transfer-itae");
        itae.setWrapText(true);
        subs.bindBidirectional(itae.selectedProperty(), vm.itaeOnProperty());
        Label warning = new Label();
        warning.setId("transfer-warning");
        warning.setWrapText(true);
        warning.getStyleClass().addAll(Styles.WARNING, Styles.TEXT_SMALL);
        warning.setGraphic(new FontIcon(MaterialDesignA.ALERT_OUTLINE));
        subs.bind(warning.textProperty(), vm.warningProperty());
        subs.bind(warning.visibleProperty(), vm.warningProperty().isNotEmpty());
        warning.managedProperty().bind(warning.visibleProperty());

        ComboBox<TransferMode> mode = enumBox(TransferMode.values(), vm.modeProperty(), "transfer-mode");
        ComboBox<StudentArch> arch = enumBox(StudentArch.values(), vm.archProperty(), "transfer-arch");
        GridPane shape = new GridPane();
        shape.setHgap(6);
        shape.setVgap(4);
        shape.addRow(0, small("Depth"), intField(vm.studentDepthProperty(), "transfer-depth"),
                small("Width"), intField(vm.studentDimProperty(), "transfer-dim"));
        shape.addRow(1, small("Heads"), intField(vm.studentHeadsProperty(), "transfer-heads"),
                small("Patch"), intField(vm.studentPatchProperty(), "transfer-patch"));

        Label folder = new Label();
        folder.setId("transfer-folder");
        folder.setWrapText(true);
        subs.bind(folder.textProperty(), Bindings.createStringBinding(() -> vm.folderProperty().get() == null
                ? "No folder chosen" : vm.folderProperty().get().toString(), vm.folderProperty()));
        Button chooseFolder = new Button("Folder\u2026", new FontIcon(MaterialDesignF.FOLDER_OPEN_OUTLINE));
        chooseFolder.setOnAction(e -> chooseDir("Labelled folder (one sub-folder per class)", vm.folderProperty()));

        Spinner<Integer> epochs = spinner(1, 10_000, vm.epochsProperty(), "transfer-epochs");
        Spinner<Integer> batch = spinner(1, 4096, vm.batchSizeProperty(), "transfer-batch");
        TextField lr = numberField(vm.lrProperty(), Double::parseDouble, v -> v.doubleValue() > 0, "transfer-lr");
        TextField imageSize = numberField(vm.imageSizeProperty(), Integer::parseInt, v -> v.intValue() > 0,
                "transfer-image-size");
        TextField crop = numberField(vm.cropProperty(), Integer::parseInt, v -> v.intValue() > 0, "transfer-crop");
        ComboBox<DeviceChoice> device = enumBox(DeviceChoice.values(), vm.deviceProperty(), "transfer-device");
        GridPane schedule = new GridPane();
        schedule.setHgap(6);
        schedule.setVgap(4);
        schedule.addRow(0, small("Epochs"), epochs, small("Batch"), batch);
        schedule.addRow(1, small("Peak lr"), lr, small("Device"), device);
        schedule.addRow(2, small("Resize"), imageSize, small("Crop px"), crop);

        Label runsRoot = new Label();
        runsRoot.setWrapText(true);
        runsRoot.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        subs.bind(runsRoot.textProperty(), Bindings.createStringBinding(() -> "Runs are saved in "
                + vm.runsRootProperty().get(), vm.runsRootProperty()));
        Button chooseRoot = new Button("Runs folder\u2026");
        chooseRoot.setOnAction(e -> {
            chooseDir("Where runs are saved", vm.runsRootProperty());
            vm.refreshRuns();
        });

        Button start = new Button("Start", new FontIcon(MaterialDesignP.PLAY));
        start.setId("transfer-start");
        start.getStyleClass().add(Styles.ACCENT);
        start.setOnAction(e -> vm.start());
        Button cancel = new Button("Cancel", new FontIcon(MaterialDesignS.STOP));
        cancel.setId("transfer-cancel");
        cancel.setOnAction(e -> vm.cancel());
        Button resume = new Button("Resume", new FontIcon(MaterialDesignP.PLAY_PAUSE));
        resume.setId("transfer-resume");
        resume.setTooltip(new Tooltip("Continue the selected run (or the last one) from its last checkpoint"));
        resume.setOnAction(e -> vm.resume());
        var running = vm.stateProperty().isEqualTo(TransferViewModel.State.RUNNING);
        subs.bind(start.disableProperty(), running);
        subs.bind(resume.disableProperty(), running);
        subs.bind(cancel.disableProperty(), running.not());
        HBox buttons = new HBox(6, start, cancel, resume);

        ProgressBar bar = new ProgressBar(0);
        bar.setId("transfer-progress");
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.getStyleClass().add(Styles.MEDIUM);
        bar.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        subs.bind(bar.progressProperty(), Bindings.createDoubleBinding(() -> vm.progressProperty().get() == null
                ? (vm.running() ? -1 : 0) : vm.progressProperty().get().fraction(), vm.progressProperty(), vm.stateProperty()));
        subs.bind(bar.visibleProperty(), running);
        bar.managedProperty().bind(bar.visibleProperty());
        Label progress = new Label();
        progress.setId("transfer-progress-text");
        progress.setWrapText(true);
        progress.getStyleClass().add(Styles.TEXT_SMALL);
        subs.bind(progress.textProperty(), vm.progressTextProperty());
        Label message = new Label();
        message.setId("transfer-message");
        message.setWrapText(true);
        message.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        progress.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        message.getStyleClass().add(Styles.TEXT_SMALL);
        subs.bind(message.textProperty(), vm.messageProperty());

        actions.getChildren().addAll(title, sub, buttons, bar, progress, message);
        box.getChildren().addAll(section("Teacher"), teacherRow, itae, warning,
                section("Student"), labelled("Mode", mode), labelled("Architecture", arch), shape,
                muted("Empty shape fields take the teacher's."),
                section("Data"), folder, chooseFolder, section("Training"), schedule, runsRoot, chooseRoot);
        return box;
    }

    private void chooseDir(String title, ObjectProperty<Path> target) {
        DirectoryChooser c = new DirectoryChooser();
        c.setTitle(title);
        if (target.get() != null && target.get().toFile().isDirectory()) {
            c.setInitialDirectory(target.get().toFile());
        }
        File f = c.showDialog(getScene().getWindow());
        if (f != null) {
            target.set(f.toPath());
        }
    }

    private static <T> void parse(String text, Function<String, T> parser, TextField field,
                                  java.util.function.Predicate<T> valid, java.util.function.Consumer<T> set) {
        try {
            T v = parser.apply(text.strip());
            if (valid.test(v)) {
                set.accept(v);
                field.pseudoClassStateChanged(Styles.STATE_DANGER, false);
                return;
            }
        } catch (RuntimeException e) {
            // shown as an invalid field below
        }
        field.pseudoClassStateChanged(Styles.STATE_DANGER, true);
    }

    /** A number field whose empty text means null (the teacher's value). */
    private TextField intField(ObjectProperty<Integer> target, String id) {
        TextField f = new TextField(target.get() == null ? "" : target.get().toString());
        f.setId(id);
        f.setPromptText("teacher's");
        f.setPrefColumnCount(5);
        f.textProperty().addListener((o, a, b) -> {
            if (b.isBlank()) {
                target.set(null);
                f.pseudoClassStateChanged(Styles.STATE_DANGER, false);
            } else {
                parse(b, Integer::parseInt, f, v -> v > 0, target::set);
            }
        });
        subs.onChange(target, (o, a, b) -> {
            String text = b == null ? "" : b.toString();
            if (!text.equals(f.getText().strip())) {
                f.setText(text);
            }
        });
        return f;
    }

    private <E extends Enum<E>> ComboBox<E> enumBox(E[] values, ObjectProperty<E> target, String id) {
        ComboBox<E> box = new ComboBox<>();
        box.setId(id);
        box.getItems().addAll(values);
        box.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(E e) {
                return e == null ? "" : e.name().charAt(0) + e.name().substring(1).toLowerCase(Locale.ROOT);
            }

            @Override
            public E fromString(String s) {
                return null;
            }
        });
        subs.bindBidirectional(box.valueProperty(), target);
        return box;
    }

    /** A spinner that sets and follows {@code target}. */
    private Spinner<Integer> spinner(int min, int max, javafx.beans.property.IntegerProperty target, String id) {
        Spinner<Integer> s = new Spinner<>(min, max, target.get());
        s.setId(id);
        s.setEditable(true);
        s.setPrefWidth(90);
        s.valueProperty().addListener((o, a, b) -> target.set(b));
        subs.onChange(target, (o, a, b) -> s.getValueFactory().setValue(b.intValue()));
        return s;
    }

    /** A text field that sets {@code target} when its text parses to a valid value, and follows it. */
    private <N extends Number> TextField numberField(javafx.beans.property.Property<Number> target,
                                                     Function<String, N> parser,
                                                     java.util.function.Predicate<N> valid, String id) {
        TextField f = new TextField(String.valueOf(target.getValue()));
        f.setId(id);
        f.setPrefColumnCount(6);
        f.textProperty().addListener((o, a, b) -> parse(b, parser, f, valid, target::setValue));
        subs.onChange(target, (o, a, b) -> {
            try {
                if (parser.apply(f.getText().strip()).doubleValue() == b.doubleValue()) {
                    return;
                }
            } catch (RuntimeException e) {
                // replaced below
            }
            f.setText(String.valueOf(b));
        });
        return f;
    }

    // ------------------------------------------------------------------ results

    private Node results() {
        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(10);
        grid.setPadding(new Insets(10));
        ColumnConstraints half = new ColumnConstraints();
        half.setPercentWidth(50);
        half.setHgrow(Priority.ALWAYS);
        grid.getColumnConstraints().addAll(half, half);
        RowConstraints top = new RowConstraints();
        top.setPercentHeight(45);
        RowConstraints bottom = new RowConstraints();
        bottom.setPercentHeight(55);
        grid.getRowConstraints().addAll(top, bottom);
        grid.add(withPlaceholder(lossChart, lossSwitch()), 0, 0);
        grid.add(withPlaceholder(top1Chart, null), 1, 0);
        grid.add(runsTable(), 0, 1);
        grid.add(attention(), 1, 1);
        return grid;
    }

    /** Classification or attention loss on the loss chart (their scales differ by an order of magnitude). */
    private Node lossSwitch() {
        javafx.scene.control.ToggleButton ce = new javafx.scene.control.ToggleButton("Classification");
        javafx.scene.control.ToggleButton atd = new javafx.scene.control.ToggleButton("Attention");
        ce.setId("transfer-loss-ce");
        atd.setId("transfer-loss-attention");
        atd.setTooltip(new Tooltip("Distillation's attention loss: sum over the transferred blocks of the cross-entropy "
                + "between the teacher's and the student's attention"));
        javafx.scene.control.ToggleGroup g = new javafx.scene.control.ToggleGroup();
        ce.setToggleGroup(g);
        atd.setToggleGroup(g);
        ce.getStyleClass().addAll(Styles.LEFT_PILL, Styles.SMALL);
        atd.getStyleClass().addAll(Styles.RIGHT_PILL, Styles.SMALL);
        ce.setSelected(true);
        g.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                a.setSelected(true);
            } else {
                showAttentionLoss = b == atd;
                drawCurves();
            }
        });
        return new HBox(ce, atd);
    }

    /** The chart, with a line in its middle while there are no curves, and an optional control at its top right. */
    private Node withPlaceholder(LineChart<Number, Number> chart, Node control) {
        Label empty = new Label("Curves appear here after each epoch; runs in the table are overlaid.");
        empty.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        empty.setMouseTransparent(true);
        empty.visibleProperty().bind(Bindings.isEmpty(chart.getData()));
        javafx.scene.layout.StackPane p = new javafx.scene.layout.StackPane(chart, empty);
        if (control != null) {
            javafx.scene.layout.StackPane.setAlignment(control, Pos.TOP_CENTER); // in place of the chart's title
            javafx.scene.layout.StackPane.setMargin(control, new Insets(4, 0, 0, 0));
            p.getChildren().add(control);
            if (control instanceof javafx.scene.layout.Region r) {
                r.setMaxSize(javafx.scene.layout.Region.USE_PREF_SIZE, javafx.scene.layout.Region.USE_PREF_SIZE);
            }
        }
        return p;
    }

    private static LineChart<Number, Number> chart(String x, String y) {
        NumberAxis xAxis = new NumberAxis(1, 2, 1);                                    // range set per draw
        xAxis.setLabel(x);
        xAxis.setAutoRanging(false);
        xAxis.setMinorTickVisible(false);
        xAxis.setTickLabelFormatter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Number n) {
                return n.doubleValue() == Math.rint(n.doubleValue()) ? Integer.toString(n.intValue()) : "";
            }

            @Override
            public Number fromString(String text) {
                return Double.valueOf(text);
            }
        });
        NumberAxis yAxis = new NumberAxis();
        yAxis.setLabel(y);
        yAxis.setForceZeroInRange(false);
        LineChart<Number, Number> c = new LineChart<>(xAxis, yAxis);
        c.setAnimated(false);
        c.setCreateSymbols(true);
        c.setId(y.equals("Loss") ? "transfer-loss-chart" : "transfer-top1-chart");
        c.setTitle(y.equals("Loss") ? " " : "Validation top-1"); // the loss chart's title is its switch
        c.setMinHeight(180);
        return c;
    }

    /**
     * One series per run on each chart, named by the run: its classification (or, for distillation runs, attention)
     * loss, and its validation top-1.
     */
    private void drawCurves() {
        lossChart.getData().clear();
        top1Chart.getData().clear();
        lossChart.getYAxis().setLabel(showAttentionLoss ? "Attention loss (distill runs)" : "Classification loss");
        int last = 2;
        for (TransferViewModel.Curve c : vm.curves()) {
            XYChart.Series<Number, Number> loss = new XYChart.Series<>();
            loss.setName(c.label());
            XYChart.Series<Number, Number> top1 = new XYChart.Series<>();
            top1.setName(c.label());
            for (EpochMetrics m : c.points()) {
                double l = showAttentionLoss ? m.attentionLoss() : m.classificationLoss();
                if (Double.isFinite(l)) { // a diverged run (NaN loss) would leave the whole chart blank
                    loss.getData().add(new XYChart.Data<>(m.epoch(), l));
                }
                if (!Double.isNaN(m.valTop1())) {
                    top1.getData().add(new XYChart.Data<>(m.epoch(), m.valTop1()));
                }
                last = Math.max(last, m.epoch());
            }
            if (!showAttentionLoss || c.mode() == TransferMode.DISTILL) {
                lossChart.getData().add(loss);
            }
            top1Chart.getData().add(top1);
        }
        for (LineChart<Number, Number> chart : List.of(lossChart, top1Chart)) {
            NumberAxis x = (NumberAxis) chart.getXAxis();
            x.setLowerBound(1);
            x.setUpperBound(last);
            x.setTickUnit(Math.max(1, Math.ceil((last - 1) / 10.0)));
        }
    }

    private Node runsTable() {
        table.setId("transfer-runs");
        table.setItems(vm.runs());
        table.setPlaceholder(new Label("No runs yet: choose a labelled folder and press Start"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        TableColumn<TransferViewModel.RunSummary, Boolean> plot = new TableColumn<>("Plot");
        plot.setCellValueFactory(d -> {
            var p = new javafx.beans.property.SimpleBooleanProperty(!vm.hiddenRuns().contains(d.getValue().dir()));
            p.addListener((o, a, b) -> {
                if (b) {
                    vm.hiddenRuns().remove(d.getValue().dir());
                } else {
                    vm.hiddenRuns().add(d.getValue().dir());
                }
            });
            return p;
        });
        plot.setCellFactory(CheckBoxTableCell.forTableColumn(plot));
        plot.setEditable(true);
        plot.setMinWidth(48);
        plot.setMaxWidth(48);
        table.setEditable(true);
        table.getColumns().add(plot);
        // the run's name says its mode, ITAE and student arch (distill-itae-01, copy-standard-02); the tooltip spells them out
        table.getColumns().add(textColumn("Run", TransferViewModel.RunSummary::name, 130));
        table.getColumns().add(textColumn("Epochs", s -> s.epochsDone() + (s.request() == null ? ""
                : "/" + s.request().epochs()), 80));
        table.getColumns().add(textColumn("Top-1", s -> Double.isNaN(s.valTop1()) ? "\u2013"
                : String.format(Locale.ROOT, "%.3f", s.valTop1()), 62));
        table.getColumns().add(textColumn("State", s -> s.problem() != null ? s.problem()
                : s.complete() ? "finished" : s.dir().equals(vm.currentRunProperty().get()) && vm.running()
                ? "training" : s.resumable() ? "resumable" : "no checkpoint", 90));
        subs.onChange(table.getSelectionModel().selectedItemProperty(), (o, a, b) -> {
            if (b != null) {
                vm.selectedRunProperty().set(b);
            }
        });
        subs.onChange(vm.selectedRunProperty(), (o, a, b) -> {
            if (b != null && table.getSelectionModel().getSelectedItem() != b) {
                table.getSelectionModel().select(b);
            }
        });
        Label title = section("Runs");
        Button refresh = iconButton(new FontIcon(MaterialDesignF.FOLDER_REFRESH_OUTLINE), "List the runs folder again");
        refresh.setOnAction(e -> vm.refreshRuns());
        HBox head = new HBox(6, title, refresh);
        head.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(4, head, table);
        VBox.setVgrow(table, Priority.ALWAYS);
        return box;
    }

    private static <T> TableColumn<TransferViewModel.RunSummary, String> textColumn(
            String name, Function<TransferViewModel.RunSummary, String> value, double width) {
        TableColumn<TransferViewModel.RunSummary, String> c = new TableColumn<>(name);
        c.setCellValueFactory(d -> new javafx.beans.property.ReadOnlyStringWrapper(value.apply(d.getValue())));
        c.setPrefWidth(width);
        if (width <= 80) {
            c.setMinWidth(width); // short numbers: the name column gives way
        }
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                TransferViewModel.RunSummary run = empty || getTableRow() == null ? null : getTableRow().getItem();
                setTooltip(run == null ? null : new Tooltip(run.label() + (run.problem() != null ? "\n" + run.problem()
                        : run.request() != null ? "\nteacher " + run.request().teacher() : "")));
            }
        });
        return c;
    }

    private Node attention() {
        Label title = section("Attention on a validation image (CLS row)");
        ComboBox<String> image = new ComboBox<>(vm.valImages());
        image.setId("transfer-val-image");
        image.setPrefWidth(170);
        image.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0) {
                vm.valImageProperty().set(b.intValue());
            }
        });
        subs.onInvalidated(o -> {
            if (!vm.valImages().isEmpty()) {
                image.getSelectionModel().select(Math.min(vm.valImageProperty().get(), vm.valImages().size() - 1));
            }
        }, vm.valImages());
        Spinner<Integer> layer = new Spinner<>(0, 1000, vm.layerProperty().get());
        layer.setId("transfer-layer");
        layer.setPrefWidth(75);
        layer.valueProperty().addListener((o, a, b) -> vm.layerProperty().set(b));
        subs.onChange(vm.layerCountProperty(), (o, a, b) -> ((javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory)
                layer.getValueFactory()).setMax(Math.max(0, b - 1)));
        subs.onChange(vm.layerProperty(), (o, a, b) -> layer.getValueFactory().setValue(b.intValue()));
        Spinner<Integer> head = new Spinner<>(0, 1000, vm.headProperty().get());
        head.setId("transfer-head");
        head.setPrefWidth(70);
        head.valueProperty().addListener((o, a, b) -> vm.headProperty().set(b));
        subs.onChange(vm.headCountProperty(), (o, a, b) -> ((javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory)
                head.getValueFactory()).setMax(Math.max(0, b - 1)));
        subs.onChange(vm.headProperty(), (o, a, b) -> head.getValueFactory().setValue(b.intValue()));
        Button compare = new Button("Compare", new FontIcon(MaterialDesignF.FILE_COMPARE));
        compare.setId("transfer-compare");
        compare.setOnAction(e -> vm.compare());
        image.setMaxWidth(Double.MAX_VALUE);
        HBox controls = new HBox(6, small("Block"), layer, small("Head"), head, compare);
        controls.setAlignment(Pos.CENTER_LEFT);

        teacherView.setId("transfer-teacher-heatmap");
        studentView.setId("transfer-student-heatmap");
        for (ImageView v : List.of(teacherView, studentView)) {
            v.setFitWidth(HEATMAP_SIDE);
            v.setPreserveRatio(true);
            v.setSmooth(false);
        }
        Label teacherTitle = small("Teacher");
        Label studentTitle = small("Student");
        subs.bind(teacherTitle.textProperty(), Bindings.createStringBinding(() -> {
            TransferViewModel.RunSummary s = vm.selectedRunProperty().get();
            return s == null || s.request() == null ? "Teacher"
                    : "Teacher" + (s.request().itae() != null ? " with ITAE" : "");
        }, vm.selectedRunProperty()));
        subs.bind(studentTitle.textProperty(), Bindings.createStringBinding(() -> {
            TransferViewModel.RunSummary s = vm.selectedRunProperty().get();
            return s == null ? "Student" : "Student of " + s.name();
        }, vm.selectedRunProperty()));
        VBox t = new VBox(4, teacherTitle, teacherView);
        VBox s = new VBox(4, studentTitle, studentView);
        HBox maps = new HBox(12, t, s);
        Label kl = new Label();
        kl.setId("transfer-kl");
        kl.setWrapText(true);
        kl.getStyleClass().add(Styles.TEXT_SMALL);
        subs.bind(kl.textProperty(), vm.comparisonTextProperty());
        VBox box = new VBox(6, title, image, controls, maps, kl);
        // the two maps share the pane's width (at most HEATMAP_SIDE each), so both stay in view on small windows
        for (ImageView v : List.of(teacherView, studentView)) {
            subs.bind(v.fitWidthProperty(), Bindings.createDoubleBinding(
                    () -> Math.max(64, Math.min(HEATMAP_SIDE, (box.getWidth() - maps.getSpacing()) / 2 - 2)),
                    box.widthProperty()));
        }
        ScrollPane scroll = new ScrollPane(box);
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        scroll.getStyleClass().add("side-scroll");
        return scroll;
    }

    private void drawComparison() {
        TransferViewModel.Comparison c = vm.comparisonProperty().get();
        if (c == null) {
            teacherView.setImage(null);
            studentView.setImage(null);
            return;
        }
        AttentionComparison.Result r = c.result();
        int[] photo = photoRgb(c.pixels(), c.side());
        int[] big = HeatmapRenderer.resizeNearest(photo, c.side(), c.side(), HEATMAP_SIDE, HEATMAP_SIDE);
        teacherView.setImage(overlay(big, r.teacherCls(), r.grid()));
        studentView.setImage(overlay(big, r.studentCls(), r.grid()));
    }

    private static javafx.scene.image.WritableImage overlay(int[] photo, float[] values, int grid) {
        int[] heat = HeatmapRenderer.heatArgb(values, grid, grid, HEATMAP_SIDE, HEATMAP_SIDE, ColorMap.VIRIDIS, 0.6);
        return HeatmapRenderer.toImage(HeatmapRenderer.composite(photo, heat), HEATMAP_SIDE, HEATMAP_SIDE, false);
    }

    /** The normalised CHW pixels the models saw, back to 0xRRGGBB (DINOv2's mean and std undone). */
    static int[] photoRgb(float[] chw, int side) {
        double[] mean = {0.485, 0.456, 0.406};
        double[] std = {0.229, 0.224, 0.225};
        int plane = side * side;
        int[] out = new int[plane];
        for (int i = 0; i < plane; i++) {
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
                int v = (int) Math.round(Math.max(0, Math.min(1, chw[c * plane + i] * std[c] + mean[c])) * 255);
                rgb = rgb << 8 | v;
            }
            out[i] = rgb;
        }
        return out;
    }

    // ------------------------------------------------------------------ small parts

    private static Label section(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }

    private static Label small(String text) {
        Label l = new Label(text);
        l.getStyleClass().add(Styles.TEXT_SMALL);
        l.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        return l;
    }

    private static Label muted(String text) {
        Label l = small(text);
        l.setWrapText(true);
        l.getStyleClass().add(Styles.TEXT_MUTED);
        return l;
    }

    private static HBox labelled(String label, Node control) {
        Label l = small(label);
        l.setMinWidth(80);
        HBox row = new HBox(6, l, control);
        row.setAlignment(Pos.CENTER_LEFT);
        return row;
    }

    private static Button iconButton(Node icon, String tip) {
        Button b = new Button(null, icon);
        b.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        b.setTooltip(new Tooltip(tip));
        return b;
    }
}
