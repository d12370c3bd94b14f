package org.itaestudio.cluster;

/** Validation, normalisation and distance kernels shared by the clustering and map code. */
public final class Embeddings {
    private Embeddings() {
    }

    /**
     * Checks that {@code x} is a non-empty n x d matrix (d >= 1) of finite values.
     *
     * @return d, the dimension
     * @throws IllegalArgumentException naming the first offending row
     */
    public static int checkMatrix(float[][] x, String what) {
        if (x == null) throw new IllegalArgumentException(what + ": null");
        if (x.length == 0) throw new IllegalArgumentException(what + ": no rows");
        if (x[0] == null) throw new IllegalArgumentException(what + ": row 0 is null");
        int d = x[0].length;
        if (d == 0) throw new IllegalArgumentException(what + ": rows have length 0");
        for (int i = 0; i < x.length; i++) {
            float[] row = x[i];
            if (row == null) throw new IllegalArgumentException(what + ": row " + i + " is null");
            if (row.length != d) {
                throw new IllegalArgumentException(what + ": row " + i + " has length " + row.length + ", expected " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Float.isFinite(row[j])) {
                    throw new IllegalArgumentException(what + ": row " + i + " has a non-finite value at column " + j);
                }
            }
        }
        return d;
    }

    /**
     * A copy of {@code x} with every row scaled to unit L2 norm (computed in double precision).
     * All-zero rows stay zero: they have no direction to keep.
     */
    public static float[][] l2Normalized(float[][] x) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            float[] row = x[i];
            double s = 0;
            for (float v : row) s += (double) v * v;
            float[] o = new float[row.length];
            if (s > 0) {
                double inv = 1.0 / Math.sqrt(s);
                for (int j = 0; j < row.length; j++) o[j] = (float) (row[j] * inv);
            }
            out[i] = o;
        }
        return out;
    }

    /** Squared Euclidean distance, accumulated in double with four independent partial sums. */
    static double squaredDistance(float[] a, float[] b) {
        int d = a.length;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < d; j += 4) {
            double e0 = (double) a[j] - b[j];
            double e1 = (double) a[j + 1] - b[j + 1];
            double e2 = (double) a[j + 2] - b[j + 2];
            double e3 = (double) a[j + 3] - b[j + 3];
            s0 += e0 * e0;
            s1 += e1 * e1;
            s2 += e2 * e2;
            s3 += e3 * e3;
        }
        for (; j < d; j++) {
            double e = (double) a[j] - b[j];
            s0 += e * e;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Squared Euclidean distance between a float row and a double centroid. */
    static double squaredDistance(float[] a, double[] c) {
        int d = a.length;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < d; j += 4) {
            double e0 = a[j] - c[j];
            double e1 = a[j + 1] - c[j + 1];
            double e2 = a[j + 2] - c[j + 2];
            double e3 = a[j + 3] - c[j + 3];
            s0 += e0 * e0;
            s1 += e1 * e1;
            s2 += e2 * e2;
            s3 += e3 * e3;
        }
        for (; j < d; j++) {
            double e = a[j] - c[j];
            s0 += e * e;
        }
        return (s0 + s1) + (s2 + s3);
    }

    static double squaredDistance(double[] a, double[] c) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double e = a[j] - c[j];
            s += e * e;
        }
        return s;
    }

    static double squaredNorm(float[] a) {
        double s = 0;
        for (float v : a) s += (double) v * v;
        return s;
    }

    /**
     * Squared distances between rows [i0, i1) and rows [j0, j1) of {@code x}, via
     * |a|^2 + |b|^2 - 2 a.b with a 4 x 2 register tile so the dot products run at close to the
     * core's multiply-add rate. Results (clamped at 0) go to {@code out[(i - i0) * stride + (j - j0)]}.
     * Cancellation makes tiny distances inexact (absolute error ~1e-16 * |a|^2), which is harmless
     * for ranking; callers that need exact values recompute them directly.
     */
    static void squaredDistanceTile(float[][] x, double[] sqNorms, int i0, int i1, int j0, int j1,
                                    double[] out, int stride) {
        int d = x[i0].length;
        int i = i0;
        for (; i + 3 < i1; i += 4) {
            float[] a0 = x[i], a1 = x[i + 1], a2 = x[i + 2], a3 = x[i + 3];
            int j = j0;
            for (; j + 1 < j1; j += 2) {
                float[] b0 = x[j], b1 = x[j + 1];
                double s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
                for (int q = 0; q < d; q++) {
                    double v0 = b0[q], v1 = b1[q];
                    double u0 = a0[q], u1 = a1[q], u2 = a2[q], u3 = a3[q];
                    s00 = Math.fma(u0, v0, s00);
                    s01 = Math.fma(u0, v1, s01);
                    s10 = Math.fma(u1, v0, s10);
                    s11 = Math.fma(u1, v1, s11);
                    s20 = Math.fma(u2, v0, s20);
                    s21 = Math.fma(u2, v1, s21);
                    s30 = Math.fma(u3, v0, s30);
                    s31 = Math.fma(u3, v1, s31);
                }
                int r = (i - i0) * stride + (j - j0);
                double nb0 = sqNorms[j], nb1 = sqNorms[j + 1];
                out[r] = clamp(sqNorms[i] + nb0 - 2 * s00);
                out[r + 1] = clamp(sqNorms[i] + nb1 - 2 * s01);
                out[r + stride] = clamp(sqNorms[i + 1] + nb0 - 2 * s10);
                out[r + stride + 1] = clamp(sqNorms[i + 1] + nb1 - 2 * s11);
                out[r + 2 * stride] = clamp(sqNorms[i + 2] + nb0 - 2 * s20);
                out[r + 2 * stride + 1] = clamp(sqNorms[i + 2] + nb1 - 2 * s21);
                out[r + 3 * stride] = clamp(sqNorms[i + 3] + nb0 - 2 * s30);
                out[r + 3 * stride + 1] = clamp(sqNorms[i + 3] + nb1 - 2 * s31);
            }
            for (; j < j1; j++) {
                for (int t = 0; t < 4; t++) {
                    out[(i + t - i0) * stride + (j - j0)] = clamp(sqNorms[i + t] + sqNorms[j] - 2 * dot(x[i + t], x[j]));
                }
            }
        }
        for (; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
                out[(i - i0) * stride + (j - j0)] = clamp(sqNorms[i] + sqNorms[j] - 2 * dot(x[i], x[j]));
            }
        }
    }

    static double dot(float[] a, float[] b) {
        double s0 = 0, s1 = 0;
        int q = 0;
        for (; q + 1 < a.length; q += 2) {
            s0 = Math.fma(a[q], (double) b[q], s0);
            s1 = Math.fma(a[q + 1], (double) b[q + 1], s1);
        }
        if (q < a.length) s0 = Math.fma(a[q], (double) b[q], s0);
        return s0 + s1;
    }

    private static double clamp(double v) {
        return v > 0 ? v : 0;
    }
}
