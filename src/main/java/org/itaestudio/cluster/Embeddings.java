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
}
