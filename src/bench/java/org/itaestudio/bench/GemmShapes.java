package org.itaestudio.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.util.Locale;
import org.itaestudio.model.NativeThreading;

/**
 * The rate libtorch reaches on the matrix products of one ViT block (the linear layers as {@code Linear.linear} calls
 * them, the per-head attention products as {@code matMul}), at 1 and at all intra-op threads, next to the 1024^3
 * rate the suite's "% of best matmul rate" divides by: says how much of the gap to that rate is the shapes' own.
 *
 * <pre>
 * java ... org.itaestudio.bench.GemmShapes [ARCH=vits14] [REPEATS=20]
 * </pre>
 */
public final class GemmShapes {
    private GemmShapes() {
    }

    public static void main(String[] args) {
        String arch = args.length > 0 ? args[0] : "vits14";
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        var config = EngineBenchmark.arch(arch);
        NativeThreading.configure();
        Engine.getEngine("PyTorch");
        PrintStream out = System.out;
        int all = JniUtils.getNumThreads();
        out.printf(Locale.ROOT, "%s, OMP_WAIT_POLICY %s, best of %d, GFLOP/s%n",
                BenchReport.modelName(arch), NativeThreading.waitPolicy(), repeats);
        out.println("| product | shape | 1 thread GFLOP/s | " + all + " threads GFLOP/s |");
        out.println("|---|---|---:|---:|");
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
            table(out, m, config, repeats, all);
        } finally {
            JniUtils.setNumThreads(all); // as found: the smoke test shares its JVM with other tests
        }
    }

    private static void table(PrintStream out, NDManager m, org.itaestudio.model.DinoV2Config config, int repeats,
                              int all) {
        int d = config.embedDim();
        int heads = config.numHeads();
        int hd = config.headDim();
        int hidden = config.ffnHidden();
        int n = 1 + config.numRegisters() + 256;
        for (int batch : new int[] {1, 8}) {
            long rows = (long) batch * n;
            NDArray x = m.randomNormal(new Shape(batch, n, d));
            NDArray xh = m.randomNormal(new Shape(batch, n, hidden));
            linear(out, m, "qkv", x, 3 * d, rows, d, repeats, all);
            linear(out, m, "proj", x, d, rows, d, repeats, all);
            linear(out, m, "fc1", x, hidden, rows, d, repeats, all);
            linear(out, m, "fc2", xh, d, rows, hidden, repeats, all);
            NDArray q = m.randomNormal(new Shape(batch, heads, n, hd));
            NDArray kt = m.randomNormal(new Shape(batch, heads, hd, n));
            NDArray a = m.randomNormal(new Shape(batch, heads, n, n));
            row(out, "QK^T", batch + "x" + heads + " x " + n + "x" + hd + "x" + n, 2.0 * batch * heads * n * n * hd,
                    () -> q.matMul(kt), repeats, all);
            row(out, "attn x V", batch + "x" + heads + " x " + n + "x" + n + "x" + hd,
                    2.0 * batch * heads * n * n * hd, () -> a.matMul(q), repeats, all);
        }
        row(out, "square", "1024x1024x1024", 2.0 * 1024 * 1024 * 1024, square(m), repeats, all);
    }

    private static java.util.function.Supplier<NDArray> square(NDManager m) {
        NDArray a = m.randomNormal(new Shape(1024, 1024));
        NDArray b = m.randomNormal(new Shape(1024, 1024));
        return () -> a.matMul(b);
    }

    private static void linear(PrintStream out, NDManager m, String name, NDArray x, int outDim, long rows, int inDim,
                               int repeats, int all) {
        NDArray w = m.randomNormal(new Shape(outDim, inDim));
        NDArray b = m.randomNormal(new Shape(outDim));
        row(out, name, rows + "x" + outDim + "x" + inDim + " + bias", 2.0 * rows * outDim * inDim,
                () -> Linear.linear(x, w, b).singletonOrThrow(), repeats, all);
    }

    private static void row(PrintStream out, String name, String shape, double flops,
                            java.util.function.Supplier<NDArray> op, int repeats, int all) {
        out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f |%n", name, shape, best(op, repeats, 1, flops),
                best(op, repeats, all, flops));
    }

    /** Best GFLOP/s over the repeats (other work on a shared machine only ever slows a product down). */
    private static double best(java.util.function.Supplier<NDArray> op, int repeats, int threads, double flops) {
        JniUtils.setNumThreads(threads);
        op.get().close();
        double best = 0;
        for (int i = 0; i < repeats; i++) {
            long t = System.nanoTime();
            NDArray r = op.get();
            best = Math.max(best, flops / ((System.nanoTime() - t) / 1e9) / 1e9);
            r.close();
        }
        return best;
    }
}
