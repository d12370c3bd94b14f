package org.itaestudio.cluster;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;

/**
 * External clustering metrics against ground truth (ACC, NMI, ARI, defined as in scikit-learn /
 * the clustering literature) and internal/map quality measures (silhouette, trustworthiness).
 */
public final class Metrics {
    private Metrics() {
    }

    /** Contingency table of two labelings: rows = distinct truth labels, columns = distinct predicted labels. */
    public record Contingency(int[] truthValues, int[] predValues, long[][] counts, long n) {
    }

    public static Contingency contingency(int[] truth, int[] pred) {
        if (truth == null || pred == null) throw new IllegalArgumentException("metrics: labels are null");
        if (truth.length != pred.length) {
            throw new IllegalArgumentException("metrics: " + truth.length + " true labels but " + pred.length + " predicted");
        }
        if (truth.length == 0) throw new IllegalArgumentException("metrics: no labels");
        int[] tv = distinctSorted(truth);
        int[] pv = distinctSorted(pred);
        Map<Integer, Integer> ti = index(tv), pi = index(pv);
        long[][] counts = new long[tv.length][pv.length];
        for (int i = 0; i < truth.length; i++) counts[ti.get(truth[i])][pi.get(pred[i])]++;
        return new Contingency(tv, pv, counts, truth.length);
    }

    /**
     * Clustering accuracy: the fraction of points on the diagonal after the best one-to-one
     * matching of clusters to classes (Hungarian). With more clusters than classes the extra
     * clusters count as wrong, and vice versa.
     */
    public static double accuracy(int[] truth, int[] pred) {
        Contingency c = contingency(truth, pred);
        long[][] counts = c.counts();
        long[][] cost = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            cost[i] = new long[counts[i].length];
            for (int j = 0; j < counts[i].length; j++) cost[i][j] = -counts[i][j];
        }
        int[] match = Hungarian.minimize(cost);
        long correct = 0;
        for (int i = 0; i < match.length; i++) if (match[i] >= 0) correct += counts[i][match[i]];
        return (double) correct / c.n();
    }

    /**
     * Normalised mutual information with the arithmetic mean of the entropies as normaliser
     * (scikit-learn's default {@code average_method='arithmetic'}), natural logarithms, and
     * scikit-learn's special cases: 1.0 when both labelings have a single cluster, 0.0 when the
     * mutual information is 0.
     */
    public static double nmi(int[] truth, int[] pred) {
        Contingency c = contingency(truth, pred);
        if (c.truthValues().length == 1 && c.predValues().length == 1) return 1.0;
        double mi = mutualInformation(c);
        if (mi == 0) return 0.0;
        double ht = entropy(rowSums(c.counts())), hp = entropy(colSums(c.counts()));
        return mi / ((ht + hp) / 2);
    }

    /** Mutual information in nats, computed the way scikit-learn's {@code mutual_info_score} does. */
    public static double mutualInformation(Contingency c) {
        long[][] counts = c.counts();
        long[] a = rowSums(counts), b = colSums(counts);
        if (a.length == 1 || b.length == 1) return 0.0;
        double total = c.n();
        double logTotal = Math.log(total);
        double logSumA = Math.log(sum(a)), logSumB = Math.log(sum(b));
        double mi = 0;
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts[i].length; j++) {
                long nij = counts[i][j];
                if (nij == 0) continue;
                double pij = nij / total;
                double logOuter = -Math.log((double) a[i] * (double) b[j]) + logSumA + logSumB;
                double term = pij * (Math.log(nij) - logTotal) + pij * logOuter;
                if (Math.abs(term) >= Math.ulp(1.0)) mi += term; // sklearn zeroes terms below machine epsilon
            }
        }
        return Math.max(mi, 0.0);
    }

    /** Adjusted Rand index (Hubert and Arabie), via pair counts in exact integer arithmetic. */
    public static double ari(int[] truth, int[] pred) {
        Contingency c = contingency(truth, pred);
        long[][] counts = c.counts();
        BigInteger n = BigInteger.valueOf(c.n());
        BigInteger sumSquares = BigInteger.ZERO;
        for (long[] row : counts) for (long v : row) sumSquares = sumSquares.add(BigInteger.valueOf(v).pow(2));
        BigInteger sumRowSq = BigInteger.ZERO, sumColSq = BigInteger.ZERO;
        for (long v : rowSums(counts)) sumRowSq = sumRowSq.add(BigInteger.valueOf(v).pow(2));
        for (long v : colSums(counts)) sumColSq = sumColSq.add(BigInteger.valueOf(v).pow(2));
        // Ordered-pair confusion counts (each unordered pair counted twice), as sklearn's pair_confusion_matrix.
        BigInteger tp = sumSquares.subtract(n);
        BigInteger fp = sumColSq.subtract(sumSquares); // same predicted cluster, different classes
        BigInteger fn = sumRowSq.subtract(sumSquares); // same class, different predicted clusters
        BigInteger tn = n.pow(2).subtract(fp).subtract(fn).subtract(sumSquares);
        if (fn.signum() == 0 && fp.signum() == 0) return 1.0;
        BigInteger num = tp.multiply(tn).subtract(fn.multiply(fp)).shiftLeft(1);
        BigInteger den = tp.add(fn).multiply(fn.add(tn)).add(tp.add(fp).multiply(fp.add(tn)));
        return new java.math.BigDecimal(num).divide(new java.math.BigDecimal(den), java.math.MathContext.DECIMAL64)
                .doubleValue();
    }

    /** Distance used by {@link #silhouette}. */
    public enum Distance {
        EUCLIDEAN, COSINE
    }

    /**
     * Mean silhouette coefficient over all points, as scikit-learn's {@code silhouette_score}
     * (points in singleton clusters score 0). COSINE uses 1 - cos(a, b). O(n^2 d): subsample large sets.
     */
    public static double silhouette(float[][] x, int[] labels, Distance distance) {
        Embeddings.checkMatrix(x, "silhouette input");
        if (labels.length != x.length) {
            throw new IllegalArgumentException("silhouette: " + labels.length + " labels for " + x.length + " points");
        }
        return silhouette(pairwiseDistances(x, distance), labels);
    }

    /** Silhouette from a full symmetric distance matrix (row-major n x n). */
    static double silhouette(double[] dist, int[] labels) {
        int n = labels.length;
        int[] values = distinctSorted(labels);
        Map<Integer, Integer> idx = index(values);
        int k = values.length;
        if (k < 2 || k > n - 1) {
            throw new IllegalArgumentException("silhouette: needs 2 <= number of clusters <= n-1, got " + k + " for n=" + n);
        }
        int[] lab = new int[n];
        int[] size = new int[k];
        for (int i = 0; i < n; i++) {
            lab[i] = idx.get(labels[i]);
            size[lab[i]]++;
        }
        double total = 0;
        double[] perCluster = new double[k];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(perCluster, 0);
            int base = i * n;
            for (int j = 0; j < n; j++) perCluster[lab[j]] += dist[base + j];
            int own = lab[i];
            if (size[own] <= 1) continue; // silhouette 0
            double a = perCluster[own] / (size[own] - 1);
            double b = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) if (c != own) b = Math.min(b, perCluster[c] / size[c]);
            double s = (b - a) / Math.max(a, b);
            if (!Double.isNaN(s)) total += s;
        }
        return total / n;
    }

    /** Full n x n distance matrix, row-major. */
    static double[] pairwiseDistances(float[][] x, Distance distance) {
        int n = x.length;
        double[] out = new double[n * n];
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) norms[i] = Math.sqrt(Embeddings.squaredNorm(x[i]));
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double v;
                if (distance == Distance.EUCLIDEAN) {
                    v = Math.sqrt(Embeddings.squaredDistance(x[i], x[j]));
                } else {
                    double den = norms[i] * norms[j];
                    v = den == 0 ? 1.0 : 1.0 - Embeddings.dot(x[i], x[j]) / den;
                    if (v < 0) v = 0;
                }
                out[i * n + j] = v;
                out[j * n + i] = v;
            }
        }
        return out;
    }

    /**
     * Trustworthiness of a low-dimensional map (Venna and Kaski), as scikit-learn's
     * {@code trustworthiness} with Euclidean distances: 1 - penalty for points that are among
     * the k nearest neighbours in the map but not in the original space. O(n^2 d).
     */
    public static double trustworthiness(float[][] high, double[][] low, int k) {
        int n = high.length;
        if (low.length != n) throw new IllegalArgumentException("trustworthiness: " + low.length + " map points for " + n);
        if (k < 1 || k >= n / 2.0) throw new IllegalArgumentException("trustworthiness: k must be in [1, n/2), got " + k);
        double[] dh = new double[n];
        double[] dl = new double[n];
        Integer[] order = new Integer[n];
        int[] rank = new int[n];
        double penalty = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                dh[j] = j == i ? Double.NEGATIVE_INFINITY : Embeddings.squaredDistance(high[i], high[j]);
                double ex = low[i][0] - low[j][0], ey = low[i][1] - low[j][1];
                dl[j] = j == i ? Double.NEGATIVE_INFINITY : ex * ex + ey * ey;
            }
            // rank of each point among i's neighbours in the original space (1 = nearest), stable by index
            for (int j = 0; j < n; j++) order[j] = j;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(dh[a], dh[b]));
            for (int r = 0; r < n; r++) rank[order[r]] = r; // order[0] == i itself
            for (int j = 0; j < n; j++) order[j] = j;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(dl[a], dl[b]));
            for (int r = 1; r <= k; r++) {
                int j = order[r];
                int rr = rank[j] - k;
                if (rr > 0) penalty += rr;
            }
        }
        return 1.0 - penalty * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)));
    }

    private static long[] rowSums(long[][] m) {
        long[] s = new long[m.length];
        for (int i = 0; i < m.length; i++) for (long v : m[i]) s[i] += v;
        return s;
    }

    private static long[] colSums(long[][] m) {
        long[] s = new long[m[0].length];
        for (long[] row : m) for (int j = 0; j < row.length; j++) s[j] += row[j];
        return s;
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long v : a) s += v;
        return s;
    }

    /** Entropy in nats of a distribution given by counts, as scikit-learn's {@code entropy}. */
    private static double entropy(long[] counts) {
        long total = sum(counts);
        double logTotal = Math.log(total);
        double h = 0;
        for (long c : counts) {
            if (c == 0) continue;
            h -= ((double) c / total) * (Math.log(c) - logTotal);
        }
        return h;
    }

    private static int[] distinctSorted(int[] a) {
        return java.util.Arrays.stream(a).distinct().sorted().toArray();
    }

    private static Map<Integer, Integer> index(int[] values) {
        Map<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < values.length; i++) m.put(values[i], i);
        return m;
    }

    /** Maps arbitrary string labels to ints in order of first appearance (for CSV ground truth). */
    public static int[] encode(java.util.List<String> labels) {
        Map<String, Integer> ids = new HashMap<>();
        int[] out = new int[labels.size()];
        for (int i = 0; i < out.length; i++) out[i] = ids.computeIfAbsent(labels.get(i), s -> ids.size());
        return out;
    }
}
