package org.itaestudio.ui;

import java.nio.file.Path;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.image.ImageView;

/** A table column that shows each row's image as a thumbnail, loaded in the background by the shared cache. */
final class ThumbnailColumn {
    private ThumbnailColumn() {
    }

    /**
     * @param size  the thumbnail's edge in pixels
     * @param image the row's image file, or null when it has none (no thumbnail)
     */
    static <T> TableColumn<T, T> create(ThumbnailCache thumbs, double size, Function<T, Path> image) {
        TableColumn<T, T> column = new TableColumn<>("Image");
        column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue()));
        column.setCellFactory(c -> new TableCell<>() {
            private final ImageView iv = new ImageView();

            {
                iv.setFitWidth(size);
                iv.setFitHeight(size);
                iv.setPreserveRatio(true);
            }

            @Override
            protected void updateItem(T item, boolean empty) {
                super.updateItem(item, empty);
                iv.setImage(null);
                setGraphic(empty || item == null ? null : iv);
                Path file = empty || item == null ? null : image.apply(item);
                if (file != null) {
                    // a recycled cell may show another row by the time the image arrives
                    thumbs.request(file, img -> {
                        if (getItem() == item) {
                            iv.setImage(img);
                        }
                    });
                }
            }
        });
        column.setPrefWidth(size + 16);
        return column;
    }
}
