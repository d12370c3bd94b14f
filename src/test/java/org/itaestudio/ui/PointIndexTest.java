package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The grid index against brute force on random clustered points (exact agreement). */
class PointIndexTest {

    private static double[][] points(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(5);
            x[i] = c * 10 + r.nextDouble() * 3 - 1.5 + (i % 97 == 0 ? 40 : 0);
            y[i] = (c % 2) * 7 + r.nextDouble() * 2;
        }
        return new double[][] {x, y};
    }

    @Test
    void nearestAgreesWithBruteForce() {
        double[][] p = points(5000, 1);
        PointIndex idx = new PointIndex(p[0], p[1]);
        SplittableRandom r = new SplittableRandom(2);
        for (int q = 0; q < 2000; q++) {
            double qx = r.nextDouble() * 100 - 10, qy = r.nextDouble() * 15 - 3, rad = r.nextDouble() * 2;
            int best = -1;
            double bd = rad * rad;
            for (int i = 0; i < p[0].length; i++) {
                double d = (p[0][i] - qx) * (p[0][i] - qx) + (p[1][i] - qy) * (p[1][i] - qy);
                if (d < bd || (d == bd && (best < 0 || i < best))) {
                    bd = d;
                    best = i;
                }
            }
            assertEquals(best, idx.nearest(qx, qy, rad), "query " + q);
        }
    }

    @Test
    void rectAndPolygonAgreeWithBruteForce() {
        double[][] p = points(3000, 3);
        PointIndex idx = new PointIndex(p[0], p[1]);
        assertArrayEquals(brute(p, (x, y) -> x >= 5 && x <= 25 && y >= 1 && y <= 8), idx.inRect(25, 8, 5, 1));
        double[] px = {0, 30, 30, 15};
        double[] py = {0, 0, 9, 3};
        assertArrayEquals(brute(p, (x, y) -> PointIndex.contains(px, py, x, y)), idx.inPolygon(px, py));
        // a known triangle: the point (1, 1) is inside, (1, 5) is not
        assertEquals(true, PointIndex.contains(new double[] {0, 4, 0}, new double[] {0, 0, 4}, 1, 1));
        assertEquals(false, PointIndex.contains(new double[] {0, 4, 0}, new double[] {0, 0, 4}, 1, 5));
    }

    /**
     * Lassos whose inside cells are decided by their centre: a self-crossing star, a ring-shaped polygon with a
     * hole-like notch, and one reaching past the data on every side, on a dense set, all against the brute force.
     */
    @Test
    void largeLassosAgreeWithBruteForce() {
        double[][] p = points(60_000, 7);
        PointIndex idx = new PointIndex(p[0], p[1]);
        int m = 57;
        double[] sx = new double[m], sy = new double[m];
        for (int k = 0; k < m; k++) { // a star polygon {57/20}: edges cross each other
            double a = 2 * Math.PI * (k * 20 % m) / m;
            sx[k] = 15 + 12 * Math.cos(a);
            sy[k] = 5 + 4 * Math.sin(a);
        }
        double[] nx = {-5, 40, 40, 16, 16, 14, 14, -5};
        double[] ny = {-5, -5, 15, 15, 2, 2, 15, 15};
        double[] bx = {-100, 100, 100, -100};
        double[] by = {-100, -100, 100, 100};
        for (double[][] poly : new double[][][] {{sx, sy}, {nx, ny}, {bx, by}}) {
            assertArrayEquals(brute(p, (x, y) -> PointIndex.contains(poly[0], poly[1], x, y)), idx.inPolygon(poly[0], poly[1]));
        }
        assertEquals(60_000, idx.inPolygon(bx, by).length);
    }

    interface Pred {
        boolean test(double x, double y);
    }

    private static int[] brute(double[][] p, Pred pred) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < p[0].length; i++) {
            if (pred.test(p[0][i], p[1][i])) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void emptyAndDegenerateSets() {
        PointIndex empty = new PointIndex(new double[0], new double[0]);
        assertEquals(-1, empty.nearest(0, 0, 10));
        assertEquals(0, empty.inRect(-1, -1, 1, 1).length);
        PointIndex same = new PointIndex(new double[] {2, 2, 2}, new double[] {3, 3, 3});
        assertEquals(0, same.nearest(2, 3, 0.1));
        assertArrayEquals(new int[] {0, 1, 2}, same.inRect(1, 2, 3, 4));
    }
}
