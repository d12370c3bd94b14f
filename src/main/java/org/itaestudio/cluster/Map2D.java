package org.itaestudio.cluster;

/**
 * A 2-D map of n points (PCA or t-SNE).
 *
 * @param x            first map coordinate of each point
 * @param y            second map coordinate of each point
 * @param method       short description, e.g. {@code "t-SNE(barnes-hut, perplexity=30, ...)"}
 * @param klDivergence final KL(P||Q) of a t-SNE map (NaN for maps that have none, e.g. PCA)
 */
public record Map2D(float[] x, float[] y, String method, double klDivergence) {

    public Map2D {
        if (x == null || y == null || x.length != y.length) {
            throw new IllegalArgumentException("map: x and y must be non-null and of equal length");
        }
    }

    public int size() {
        return x.length;
    }

    /** The coordinates as an n x 2 array. */
    public double[][] toPoints() {
        double[][] p = new double[x.length][2];
        for (int i = 0; i < x.length; i++) {
            p[i][0] = x[i];
            p[i][1] = y[i];
        }
        return p;
    }
}
