package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Hit testing, selection and colours of the map canvas, with real (Monocle) mouse events. */
@ExtendWith(ApplicationExtension.class)
class MapCanvasTest {

    private MapCanvas canvas;
    private double[] xs;
    private double[] ys;
    private int[] labels;

    @Start
    void start(Stage stage) {
        SplittableRandom r = new SplittableRandom(11);
        int n = 400;
        xs = new double[n];
        ys = new double[n];
        labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 4;
            xs[i] = (labels[i] % 2) * 20 + r.nextDouble() * 8;
            ys[i] = (labels[i] / 2) * 20 + r.nextDouble() * 8;
        }
        canvas = new MapCanvas();
        canvas.setData(xs, ys, labels, true);
        stage.setScene(new Scene(new StackPane(canvas), 600, 500));
        stage.show();
    }

    private Point2D screenOf(int i) throws Exception {
        return onFx(() -> canvas.localToScreen(canvas.toScreenX(xs[i]), canvas.toScreenY(ys[i])));
    }

    @Test
    void hoverAndClickFindTheNearestPoint(FxRobot robot) throws Exception {
        runFx(canvas::fit);
        for (int i : new int[] {0, 57, 123, 399}) {
            Point2D p = screenOf(i);
            robot.moveTo(p);
            // the nearest point to the cursor, by brute force in screen space
            int expected = onFx(() -> {
                Point2D local = canvas.screenToLocal(p);
                int best = -1;
                double bd = MapCanvas.PICK_RADIUS_PX * MapCanvas.PICK_RADIUS_PX;
                for (int j = 0; j < xs.length; j++) {
                    double dx = canvas.toScreenX(xs[j]) - local.getX(), dy = canvas.toScreenY(ys[j]) - local.getY();
                    if (dx * dx + dy * dy < bd) {
                        bd = dx * dx + dy * dy;
                        best = j;
                    }
                }
                return best;
            });
            assertEquals(expected, canvas.hoveredProperty().get(), "hover near point " + i);
        }
        Point2D p = screenOf(123);
        robot.clickOn(p);
        int hovered = canvas.hoveredProperty().get();
        assertEquals(hovered, canvas.focusedPointProperty().get());
        // far away from every point: nothing hovered
        Point2D corner = onFx(() -> canvas.localToScreen(2, 2));
        robot.moveTo(corner);
        assertEquals(-1, canvas.hoveredProperty().get());
    }

    @Test
    void boxAndLassoModesSelectWhatTheyEnclose(FxRobot robot) throws Exception {
        runFx(canvas::fit);
        // corners inside the canvas (the fit leaves a 24 px margin around the data's [0, 28] square)
        Point2D a = onFx(() -> canvas.localToScreen(canvas.toScreenX(-0.5), canvas.toScreenY(28.9)));
        Point2D b = onFx(() -> canvas.localToScreen(canvas.toScreenX(9), canvas.toScreenY(-0.9)));
        runFx(() -> canvas.modeProperty().set(MapCanvas.Mode.BOX));
        robot.drag(a, MouseButton.PRIMARY).moveTo(b).release(MouseButton.PRIMARY);
        int[] expected = brute(x -> x[0] >= -0.5 && x[0] <= 9 && x[1] >= -0.9 && x[1] <= 28.9);
        assertTrue(expected.length > 150, "clusters 0 and 2 are in the box");
        int[] got = canvas.selectionProperty().get();
        // the robot lands on whole pixels: allow points within a pixel of the edge to differ
        assertTrue(Math.abs(got.length - expected.length) <= 2, got.length + " vs " + expected.length);
        for (int i : got) {
            assertTrue(labels[i] == 0 || labels[i] == 2, "only clusters 0 and 2");
        }

        // lasso: a polygon around cluster 1 (x 20..28, y 0..8)
        runFx(() -> canvas.selectionProperty().set(new int[0]));
        double[][] tri = {{19, -0.9}, {28.9, -0.9}, {28.9, 9}, {19, 9}};
        runFx(() -> canvas.modeProperty().set(MapCanvas.Mode.LASSO));
        robot.drag(onFx(() -> canvas.localToScreen(canvas.toScreenX(tri[0][0]), canvas.toScreenY(tri[0][1]))), MouseButton.PRIMARY);
        for (double[] v : new double[][] {tri[1], tri[2], tri[3], tri[0]}) {
            robot.moveTo(onFx(() -> canvas.localToScreen(canvas.toScreenX(v[0]), canvas.toScreenY(v[1]))));
        }
        robot.release(MouseButton.PRIMARY);
        int[] lasso = canvas.selectionProperty().get();
        int[] cluster1 = brute(x -> x[0] >= 20 && x[0] <= 28 && x[1] >= 0 && x[1] <= 8);
        assertArrayEquals(cluster1, lasso, "the lasso holds exactly cluster 1");
    }

    private int[] brute(java.util.function.Predicate<double[]> inside) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            if (inside.test(new double[] {xs[i], ys[i]})) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void wheelZoomKeepsThePointUnderTheCursor(FxRobot robot) throws Exception {
        runFx(canvas::fit);
        Point2D p = screenOf(57);
        robot.moveTo(p);
        double scale0 = canvas.scale();
        robot.scroll(3, javafx.geometry.VerticalDirection.UP);
        assertTrue(canvas.scale() != scale0, "zoomed");
        Point2D after = screenOf(57);
        assertEquals(p.getX(), after.getX(), 1.5);
        assertEquals(p.getY(), after.getY(), 1.5);
    }

    @Test
    void pointsArePaintedInThePaletteColour() throws Exception {
        runFx(() -> {
            canvas.plotBackgroundProperty().set(Color.WHITE);
            canvas.renderNow();
        });
        for (int i : new int[] {3, 100, 201, 302}) {
            int px = (int) Math.floor(onFx(() -> canvas.toScreenX(xs[i])));
            int py = (int) Math.floor(onFx(() -> canvas.toScreenY(ys[i])));
            WritableImage snap = onFx(() -> canvas.snapshot(null, null));
            Color c = snap.getPixelReader().getColor(px, py);
            Color expected = ClusterPalette.color(labels[i]);
            // a dot's centre is the palette colour laid over white at 85% or more (overlapping dots add up):
            // c = white + t * (palette - white) with one t for all three channels
            double[] t = new double[3];
            double[][] ch = {{c.getRed(), expected.getRed()}, {c.getGreen(), expected.getGreen()}, {c.getBlue(), expected.getBlue()}};
            double ref = Double.NaN;
            for (int k = 0; k < 3; k++) {
                if (1 - ch[k][1] < 0.15) {
                    // a channel near white in the palette says little about t; it must just stay near it
                    assertEquals(ch[k][1], ch[k][0], 0.03, "point " + i + " channel " + k);
                    continue;
                }
                t[k] = (1 - ch[k][0]) / (1 - ch[k][1]);
                ref = Double.isNaN(ref) ? t[k] : ref;
                assertTrue(t[k] > 0.8 && t[k] < 1.03 && Math.abs(t[k] - ref) < 0.04,
                        "point " + i + " colour " + c + " is not palette " + expected + " over white");
            }
        }
    }

    @Test
    void hiDpiBufferHasOneCellPerDevicePixel() throws Exception {
        runFx(() -> {
            canvas.plotBackgroundProperty().set(Color.WHITE);
            canvas.fit();
        });
        int w = 600;
        int h = 500;
        int[] x1 = new int[w * h];
        int[] x2 = new int[4 * w * h];
        runFx(() -> {
            canvas.rasterise(x1, w, h, 1);
            canvas.rasterise(x2, 2 * w, 2 * h, 2);
        });
        long painted1 = java.util.Arrays.stream(x1).filter(v -> v != 0xFFFFFFFF).count();
        long painted2 = java.util.Arrays.stream(x2).filter(v -> v != 0xFFFFFFFF).count();
        double ratio = (double) painted2 / painted1;
        // about 4x the cells (a little less: the anti-aliased rim is one cell wide at either scale; 1x would mean the
        // scale was ignored)
        assertTrue(ratio > 3.0 && ratio < 4.6, "at 2x the dots cover ~4x the cells, got " + ratio);
        // a point's centre: logical (sx, sy) is device (2 sx, 2 sy), in the same colour
        for (int i : new int[] {3, 201}) {
            double sx = onFx(() -> canvas.toScreenX(xs[i]));
            double sy = onFx(() -> canvas.toScreenY(ys[i]));
            int a = x1[(int) Math.floor(sy) * w + (int) Math.floor(sx)];
            int b = x2[(int) Math.floor(2 * sy) * 2 * w + (int) Math.floor(2 * sx)];
            for (int shift : new int[] {16, 8, 0}) {
                assertEquals((a >> shift) & 0xFF, (b >> shift) & 0xFF, 40, "point " + i + " channel at bit " + shift);
            }
        }
    }

    /** The noise cluster ("Unclustered") is painted grey both as dots and from pixel bins; other clusters are not. */
    @Test
    void theNoiseClusterIsGreyAsDotsAndAsBins() throws Exception {
        int grey = ClusterPalette.UNASSIGNED_RGB;
        for (int n : new int[] {40, MapCanvas.BINNED_FROM + 20_000}) {
            SplittableRandom r = new SplittableRandom(3);
            double[] bx = new double[n], by = new double[n];
            int[] bl = new int[n];
            for (int i = 0; i < n; i++) {
                bl[i] = i % 2;
                bx[i] = bl[i] * 30 + 4 + (n < 100 ? 0 : r.nextDouble() * 2); // a tight blob per cluster
                by[i] = 5 + (n < 100 ? 0 : r.nextDouble() * 2);
            }
            int w = 600, h = 500;
            int[] px = new int[w * h];
            boolean[] binned = new boolean[1];
            runFx(() -> {
                canvas.plotBackgroundProperty().set(Color.WHITE);
                canvas.setData(bx, by, bl, 1, true);
                canvas.fit();
                canvas.rasterise(px, w, h, 1);
                binned[0] = canvas.lastFrameBinned();
            });
            assertEquals(n > 100, binned[0], "binned frame for " + n + " points");
            for (int label = 0; label < 2; label++) {
                int l = label;
                int sx = (int) Math.floor(onFx(() -> canvas.toScreenX(l * 30 + 4 + (n < 100 ? 0 : 1.0))));
                int sy = (int) Math.floor(onFx(() -> canvas.toScreenY(5 + (n < 100 ? 0 : 1.0))));
                int rgb = px[sy * w + sx] & 0xFFFFFF;
                int expected = label == 1 ? grey : ClusterPalette.rgb(0);
                for (int shift : new int[] {16, 8, 0}) {
                    assertEquals((expected >> shift) & 0xFF, (rgb >> shift) & 0xFF, 12,
                            n + " points, cluster " + label + " channel at bit " + shift);
                }
            }
        }
        runFx(() -> canvas.setData(xs, ys, labels, true));
    }

    /**
     * Beyond {@link MapCanvas#BINNED_FROM} points in view the frame comes from pixel bins: two dense squares in two
     * cluster colours are painted in their colour (at both render scales, the 2x frame covering ~4x the cells), empty
     * space stays background, and zoomed in on a few points they are drawn as dots again.
     */
    @Test
    void manyPointsAreDrawnFromPixelBins() throws Exception {
        int n = MapCanvas.BINNED_FROM + 50_000;
        SplittableRandom r = new SplittableRandom(5);
        double[] bx = new double[n], by = new double[n];
        int[] bl = new int[n];
        for (int i = 0; i < n; i++) {
            bl[i] = i % 2;
            bx[i] = bl[i] * 30 + r.nextDouble() * 10; // squares [0, 10] and [30, 40] wide, [0, 10] high
            by[i] = r.nextDouble() * 10;
        }
        int w = 600, h = 500;
        int[] x1 = new int[w * h];
        int[] x2 = new int[4 * w * h];
        boolean[] binned = new boolean[3];
        runFx(() -> {
            canvas.plotBackgroundProperty().set(Color.WHITE);
            canvas.setData(bx, by, bl, true);
            canvas.fit();
            canvas.rasterise(x1, w, h, 1);
            binned[0] = canvas.lastFrameBinned();
            canvas.rasterise(x2, 2 * w, 2 * h, 2);
            binned[1] = canvas.lastFrameBinned();
        });
        assertTrue(binned[0] && binned[1], "drawn from bins");
        for (int label = 0; label < 2; label++) {
            int l = label;
            int sx = (int) Math.floor(onFx(() -> canvas.toScreenX(l * 30 + 5.0)));
            int sy = (int) Math.floor(onFx(() -> canvas.toScreenY(5.0)));
            int argb = x1[sy * w + sx];
            Color c = Color.rgb((argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF);
            Color expected = ClusterPalette.color(label);
            // dense bins are opaque: the palette colour itself
            assertEquals(expected.getRed(), c.getRed(), 0.03, "square " + label);
            assertEquals(expected.getGreen(), c.getGreen(), 0.03, "square " + label);
            assertEquals(expected.getBlue(), c.getBlue(), 0.03, "square " + label);
        }
        int gapX = (int) Math.floor(onFx(() -> canvas.toScreenX(20.0)));
        int gapY = (int) Math.floor(onFx(() -> canvas.toScreenY(5.0)));
        assertEquals(0xFFFFFFFF, x1[gapY * w + gapX], "nothing between the squares");
        long painted1 = java.util.Arrays.stream(x1).filter(v -> v != 0xFFFFFFFF).count();
        long painted2 = java.util.Arrays.stream(x2).filter(v -> v != 0xFFFFFFFF).count();
        double ratio = (double) painted2 / painted1;
        assertTrue(ratio > 3.0 && ratio < 4.6, "at 2x the bins cover ~4x the cells, got " + ratio);
        runFx(() -> {
            canvas.zoom(400, canvas.toScreenX(5.0), canvas.toScreenY(5.0));
            canvas.rasterise(x1, w, h, 1);
            binned[2] = canvas.lastFrameBinned();
            canvas.setData(xs, ys, labels, true);
        });
        assertTrue(!binned[2], "zoomed in on a few points, they are dots again");
    }
}
