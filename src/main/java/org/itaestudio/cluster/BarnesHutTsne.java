package org.itaestudio.cluster;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * The t-SNE optimiser with Barnes-Hut gradients (van der Maaten 2014), following scikit-learn
 * 1.2's schedule: two stages (early exaggeration with momentum 0.5, then momentum 0.8), each
 * starting from zero velocity and unit gains; delta-bar-delta gains (+0.2 / x0.8, floor 0.01).
 *
 * <p>Determinism: every point's force is computed independently and Z is reduced over fixed
 * blocks in block order, so the map is identical for any thread count.
 */
final class BarnesHutTsne {
    static final int BLOCK = 256;

    private final Affinities p;
    private final double theta;
    private final BlockRunner runner;
    private final int n;
    private final double[] attractive;
    private final double[] repulsive;
    private final double[] zBlocks;
    private final int[][] stacks;

    BarnesHutTsne(Affinities p, double theta, BlockRunner runner) {
        this.p = p;
        this.theta = theta;
        this.runner = runner;
        this.n = p.n;
        this.attractive = new double[2 * n];
        this.repulsive = new double[2 * n];
        this.zBlocks = new double[BlockRunner.blocks(n, BLOCK)];
        this.stacks = new int[zBlocks.length][];
    }

    record Schedule(int iterations, int exaggerationIterations, double exaggeration, double learningRate,
                    double momentum, double finalMomentum) {
    }

    /** Optimises {@code y} (interleaved x0, y0, x1, y1, ...) in place; returns the final KL divergence. */
    double optimise(double[] y, Schedule s, ProgressListener progress, BooleanSupplier cancelled) {
        double[] grad = new double[2 * n];
        double[] update = new double[2 * n];
        double[] gains = new double[2 * n];
        if (progress != null) progress.onProgress(Progress.of("optimise", 0, s.iterations()));
        for (int it = 0; it < s.iterations(); it++) {
            if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("t-SNE cancelled");
            boolean early = it < s.exaggerationIterations();
            if (it == 0 || it == s.exaggerationIterations()) { // each stage starts afresh, as in sklearn
                java.util.Arrays.fill(update, 0);
                java.util.Arrays.fill(gains, 1);
            }
            double momentum = early ? s.momentum() : s.finalMomentum();
            gradient(y, early ? s.exaggeration() : 1.0, grad);
            double lr = s.learningRate();
            for (int t = 0; t < 2 * n; t++) {
                double g = grad[t];
                double gain = update[t] * g < 0 ? gains[t] + 0.2 : gains[t] * 0.8;
                if (gain < 0.01) gain = 0.01;
                gains[t] = gain;
                update[t] = momentum * update[t] - lr * gain * g;
                y[t] += update[t];
            }
            if (progress != null && ((it + 1) % 10 == 0 || it + 1 == s.iterations())) {
                progress.onProgress(Progress.of("optimise", it + 1, s.iterations()));
            }
        }
        double z = gradient(y, 1.0, grad);
        return klDivergence(y, z);
    }

    /**
     * KL gradient at {@code y}: grad_i = 4 (exaggeration * sum_j p_ij q_ij (y_i - y_j) - sum_j q_ij^2 (y_i - y_j) / Z)
     * with q_ij = 1 / (1 + |y_i - y_j|^2) and Z = sum_{i != j} q_ij (Barnes-Hut estimate). Returns Z.
     */
    double gradient(double[] y, double exaggeration, double[] grad) {
        QuadTree tree = new QuadTree(y);
        int[] order = tree.order;
        double theta2 = theta * theta;
        runner.run(zBlocks.length, b -> {
            int[] stack = stacks[b];
            if (stack == null) stack = stacks[b] = new int[QuadTree.stackSize()];
            double[] f = new double[2];
            double z = 0;
            for (int t = b * BLOCK, end = Math.min(n, t + BLOCK); t < end; t++) {
                int i = order[t]; // tree order keeps consecutive traversals similar (cache friendly)
                f[0] = 0;
                f[1] = 0;
                z += tree.repulsion(i, theta2, f, stack);
                repulsive[2 * i] = f[0];
                repulsive[2 * i + 1] = f[1];
            }
            zBlocks[b] = z;
        });
        runner.run(zBlocks.length, b -> {
            for (int i = b * BLOCK, end = Math.min(n, i + BLOCK); i < end; i++) {
                double yx = y[2 * i], yy = y[2 * i + 1], ax = 0, ay = 0;
                for (int e = p.rowStart[i], eEnd = p.rowStart[i + 1]; e < eEnd; e++) {
                    int j = p.cols[e];
                    double dx = yx - y[2 * j], dy = yy - y[2 * j + 1];
                    double pq = p.vals[e] / (1 + dx * dx + dy * dy);
                    ax += pq * dx;
                    ay += pq * dy;
                }
                attractive[2 * i] = ax;
                attractive[2 * i + 1] = ay;
            }
        });
        double z = 0;
        for (double v : zBlocks) z += v;
        double invZ = z > 0 ? 1 / z : 0;
        for (int t = 0; t < 2 * n; t++) grad[t] = 4 * (exaggeration * attractive[t] - repulsive[t] * invZ);
        return z;
    }

    /** KL(P || Q) over the non-zeros of P, with Q normalised by the given Z. */
    double klDivergence(double[] y, double z) {
        double kl = 0;
        for (int i = 0; i < n; i++) {
            for (int e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) {
                double pij = p.vals[e];
                if (pij <= 0) continue;
                int j = p.cols[e];
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                double q = 1 / (1 + dx * dx + dy * dy) / z;
                kl += pij * Math.log(pij / Math.max(q, Double.MIN_NORMAL));
            }
        }
        return kl;
    }
}
