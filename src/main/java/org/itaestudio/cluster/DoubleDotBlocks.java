package org.itaestudio.cluster;

/**
 * {@link DotBlocks} in double precision (about half the speed): for distance matrices whose small
 * entries must be accurate, where the |a|^2 + |b|^2 - 2 a.b cancellation in float would not do.
 */
final class DoubleDotBlocks {
    static final int WIDTH = 256;

    final int n;
    final int d;
    private final double[][][] blocks;
    final double[] sqNorms;

    DoubleDotBlocks(float[][] x, BlockRunner runner) {
        this.n = x.length;
        this.d = x[0].length;
        int nb = BlockRunner.blocks(n, WIDTH);
        this.blocks = new double[nb][][];
        this.sqNorms = new double[n];
        runner.run(nb, b -> {
            double[][] t = new double[d][WIDTH];
            int j0 = b * WIDTH, j1 = Math.min(n, j0 + WIDTH);
            for (int j = j0; j < j1; j++) {
                float[] row = x[j];
                double s = 0;
                for (int q = 0; q < d; q++) {
                    t[q][j - j0] = row[q];
                    s += (double) row[q] * row[q];
                }
                sqNorms[j] = s;
            }
            blocks[b] = t;
        });
    }

    static double[][] newAccumulators() {
        return new double[4][WIDTH];
    }

    /** As {@link DotBlocks#distancesToBlock}, in double. */
    void distancesToBlock(float[][] x, int r0, int b, double[][] out) {
        double[] a0 = out[0], a1 = out[1], a2 = out[2], a3 = out[3];
        java.util.Arrays.fill(a0, 0);
        java.util.Arrays.fill(a1, 0);
        java.util.Arrays.fill(a2, 0);
        java.util.Arrays.fill(a3, 0);
        float[] x0 = x[r0];
        float[] x1 = r0 + 1 < n ? x[r0 + 1] : x0;
        float[] x2 = r0 + 2 < n ? x[r0 + 2] : x0;
        float[] x3 = r0 + 3 < n ? x[r0 + 3] : x0;
        double[][] t = blocks[b];
        for (int q = 0; q < d; q++) {
            double s0 = x0[q], s1 = x1[q], s2 = x2[q], s3 = x3[q];
            double[] col = t[q];
            for (int jj = 0; jj < WIDTH; jj++) {
                double v = col[jj];
                a0[jj] += s0 * v;
                a1[jj] += s1 * v;
                a2[jj] += s2 * v;
                a3[jj] += s3 * v;
            }
        }
        int j0 = b * WIDTH, w = Math.min(WIDTH, n - j0);
        for (int r = 0; r < 4 && r0 + r < n; r++) {
            double[] a = out[r];
            double ni = sqNorms[r0 + r];
            for (int jj = 0; jj < w; jj++) {
                double v = ni + sqNorms[j0 + jj] - 2 * a[jj];
                a[jj] = v > 0 ? v : 0;
            }
        }
    }
}
