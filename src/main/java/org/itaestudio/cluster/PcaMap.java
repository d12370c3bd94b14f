package org.itaestudio.cluster;

/**
 * 2-D map from the top two principal components.
 *
 * <p>Centred data; the covariance matrix is accumulated in double precision (row chunks, fixed
 * order, so results are deterministic) and its top eigenvectors are found by block subspace
 * iteration with Rayleigh-Ritz (a d x d dense decomposition would cost O(d^3) for d up to 1536).
 * Smile's PCA is not used because in Smile 2.6 it needs native LAPACK (OpenBLAS via JavaCPP),
 * which this project does not ship.
 *
 * <p>Sign convention (deterministic): along each component, the point with the largest absolute
 * coordinate has a positive coordinate (on ties, the lowest point index decides). This is
 * scikit-learn 1.2's {@code svd_flip} rule on the scores.
 */
public final class PcaMap {
    private final boolean normalize;
    private final int threads;

    public PcaMap() {
        this(true, BlockRunner.defaultThreads());
    }

    private PcaMap(boolean normalize, int threads) {
        if (threads < 1) throw new IllegalArgumentException("pca: threads must be >= 1, got " + threads);
        this.normalize = normalize;
        this.threads = threads;
    }

    /** Whether rows are L2-normalised first (default true, like the clustering). */
    public PcaMap withNormalize(boolean normalize) {
        return new PcaMap(normalize, threads);
    }

    public PcaMap withThreads(int threads) {
        return new PcaMap(normalize, threads);
    }

    public Map2D compute(float[][] embeddings) {
        Embeddings.checkMatrix(embeddings, "PCA input");
        float[][] x = normalize ? Embeddings.l2Normalized(embeddings) : embeddings;
        double[][] scores;
        try (BlockRunner runner = new BlockRunner(threads)) {
            scores = scores(x, 2, runner);
        }
        int n = x.length;
        float[] mx = new float[n], my = new float[n];
        for (int i = 0; i < n; i++) {
            mx[i] = (float) scores[i][0];
            my[i] = (float) scores[i][1];
        }
        return new Map2D(mx, my, "PCA(2 components" + (normalize ? ", l2-normalised" : "") + ")", Double.NaN);
    }

    /**
     * Coordinates of the rows of {@code x} on the top {@code m} principal components (n x m),
     * with the sign convention above. Components beyond the rank of the data come out as zeros.
     */
    static double[][] scores(float[][] x, int m, BlockRunner runner) {
        int n = x.length, d = x[0].length;
        double[] mean = new double[d];
        for (float[] row : x) for (int j = 0; j < d; j++) mean[j] += row[j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        double[][] cov = covariance(x, mean, runner);
        double[][] comps = topEigenvectors(cov, Math.min(m, d));
        double[][] scores = new double[n][m];
        runner.run(BlockRunner.blocks(n, 1024), b -> {
            for (int i = b * 1024, end = Math.min(n, i + 1024); i < end; i++) {
                for (int c = 0; c < comps.length; c++) {
                    double s = 0;
                    double[] u = comps[c];
                    for (int j = 0; j < d; j++) s += (x[i][j] - mean[j]) * u[j];
                    scores[i][c] = s;
                }
            }
        });
        for (int c = 0; c < m; c++) {
            int arg = 0;
            for (int i = 1; i < n; i++) if (Math.abs(scores[i][c]) > Math.abs(scores[arg][c])) arg = i;
            if (scores[arg][c] < 0) for (int i = 0; i < n; i++) scores[i][c] = -scores[i][c];
        }
        return scores;
    }

    /** Sample covariance (divided by n - 1, or n when n == 1), full symmetric d x d. */
    static double[][] covariance(float[][] x, double[] mean, BlockRunner runner) {
        int n = x.length, d = mean.length;
        final int chunk = 512;
        double[][] cov = new double[d][d];
        double[][] cols = new double[d][chunk];
        int rowBlock = 16;
        for (int start = 0; start < n; start += chunk) {
            int len = Math.min(chunk, n - start);
            for (int i = 0; i < len; i++) {
                float[] row = x[start + i];
                for (int j = 0; j < d; j++) cols[j][i] = row[j] - mean[j];
            }
            runner.run(BlockRunner.blocks(d, rowBlock), b -> {
                for (int a = b * rowBlock, end = Math.min(d, a + rowBlock); a < end; a++) {
                    double[] ca = cols[a];
                    double[] out = cov[a];
                    for (int c = a; c < d; c++) {
                        double[] cc = cols[c];
                        double s0 = 0, s1 = 0;
                        int i = 0;
                        for (; i + 1 < len; i += 2) {
                            s0 += ca[i] * cc[i];
                            s1 += ca[i + 1] * cc[i + 1];
                        }
                        if (i < len) s0 += ca[i] * cc[i];
                        out[c] += s0 + s1;
                    }
                }
            });
        }
        double denom = Math.max(1, n - 1);
        for (int a = 0; a < d; a++) {
            for (int c = a; c < d; c++) {
                cov[a][c] /= denom;
                cov[c][a] = cov[a][c];
            }
        }
        return cov;
    }

    /**
     * Top {@code m} unit eigenvectors of a symmetric PSD matrix (as rows), by subspace iteration
     * on a block of min(d, m + 6) vectors with Rayleigh-Ritz; stops when the Ritz residuals of the
     * wanted vectors fall below 1e-12 of the largest eigenvalue.
     */
    static double[][] topEigenvectors(double[][] c, int m) {
        int d = c.length;
        int p = Math.min(d, m + 6);
        SplitMix64 rng = new SplitMix64(0x5EEDL);
        double[][] v = new double[p][d]; // block vectors as rows
        for (double[] row : v) for (int j = 0; j < d; j++) row[j] = rng.nextGaussian();
        orthonormalize(v);
        double[][] ritz = new double[p][d];
        double[][] w = new double[p][d];
        double[] theta = new double[p];
        for (int iter = 0; iter < 1000; iter++) {
            for (int k = 0; k < p; k++) multiply(c, v[k], w[k]);
            double[][] h = new double[p][p];
            for (int a = 0; a < p; a++) for (int b = 0; b < p; b++) h[a][b] = dot(v[a], w[b]);
            for (int a = 0; a < p; a++) for (int b = a + 1; b < p; b++) h[a][b] = h[b][a] = 0.5 * (h[a][b] + h[b][a]);
            SymmetricEigen eig = SymmetricEigen.of(h);
            double residual = 0;
            double scale = Math.max(Math.abs(eig.values[0]), Double.MIN_NORMAL);
            double[][] cw = new double[p][d];
            for (int k = 0; k < p; k++) {
                theta[k] = eig.values[k];
                java.util.Arrays.fill(ritz[k], 0);
                for (int a = 0; a < p; a++) {
                    double s = eig.vectors[a][k];
                    for (int j = 0; j < d; j++) {
                        ritz[k][j] += s * v[a][j];
                        cw[k][j] += s * w[a][j];
                    }
                }
                if (k < m) {
                    double r = 0;
                    for (int j = 0; j < d; j++) {
                        double e = cw[k][j] - theta[k] * ritz[k][j];
                        r += e * e;
                    }
                    residual = Math.max(residual, Math.sqrt(r) / scale);
                }
            }
            if (residual < 1e-12 || p == d || eig.values[0] == 0) break;
            for (int k = 0; k < p; k++) v[k] = cw[k].clone(); // C * Ritz vectors
            orthonormalize(v);
        }
        double[][] out = new double[m][];
        for (int k = 0; k < m; k++) {
            out[k] = ritz[k].clone();
            double norm = Math.sqrt(dot(out[k], out[k]));
            if (norm > 0) for (int j = 0; j < d; j++) out[k][j] /= norm;
        }
        return out;
    }

    private static void multiply(double[][] c, double[] v, double[] out) {
        for (int i = 0; i < c.length; i++) out[i] = dot(c[i], v);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Modified Gram-Schmidt, twice for stability; vectors that vanish are replaced by zeros. */
    private static void orthonormalize(double[][] v) {
        for (int pass = 0; pass < 2; pass++) {
            for (int k = 0; k < v.length; k++) {
                for (int a = 0; a < k; a++) {
                    double s = dot(v[a], v[k]);
                    for (int j = 0; j < v[k].length; j++) v[k][j] -= s * v[a][j];
                }
                double norm = Math.sqrt(dot(v[k], v[k]));
                if (norm > 1e-300) for (int j = 0; j < v[k].length; j++) v[k][j] /= norm;
                else java.util.Arrays.fill(v[k], 0);
            }
        }
    }
}
