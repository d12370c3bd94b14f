package org.itaestudio.model.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) as torch.optim.AdamW computes it, updating a student's parameters in place:
 * {@code w *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}, with weight decay only where
 * {@link StudentConfig#decays} says, after an optional clip of the gradients' global L2 norm. Gradients are zeroed
 * after each step (DJL's collector accumulates them).
 */
public final class AdamW implements AutoCloseable {

    /**
     * @param beta1       first-moment decay (0.9)
     * @param beta2       second-moment decay (0.999)
     * @param eps         added to the denominator (1e-8)
     * @param weightDecay decoupled weight decay of the decaying tensors
     * @param clipNorm    largest global gradient L2 norm, or 0 for no clipping
     */
    public record Settings(double beta1, double beta2, double eps, double weightDecay, double clipNorm) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0 && clipNorm >= 0)) {
                throw new IllegalArgumentException("invalid AdamW settings: " + beta1 + ", " + beta2 + ", " + eps
                        + ", weight decay " + weightDecay + ", clip " + clipNorm);
            }
        }

        public static Settings defaults(double weightDecay) {
            return new Settings(0.9, 0.999, 1e-8, weightDecay, 0);
        }
    }

    private final Settings settings;
    private final Map<String, NDArray> params;
    private final Map<String, Boolean> decays = new LinkedHashMap<>();
    private final NDManager state;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private int step;

    public AdamW(StudentVit student, Settings settings) {
        this.settings = settings;
        this.params = student.parameters();
        this.state = student.manager().newSubManager();
        params.forEach((name, w) -> {
            decays.put(name, StudentConfig.decays(name, w.getShape().getShape()));
            m.put(name, state.zeros(w.getShape()));
            v.put(name, state.zeros(w.getShape()));
        });
    }

    /** Steps taken so far. */
    public int steps() {
        return step;
    }

    /** A copy of the moments (first when {@code first}, else second) by parameter name, for a checkpoint. */
    public Map<String, float[]> moments(boolean first) {
        Map<String, float[]> out = new LinkedHashMap<>();
        (first ? m : v).forEach((name, a) -> out.put(name, a.toFloatArray()));
        return out;
    }

    /** Continues from a checkpoint: the step count and both moments of every parameter. */
    public void restore(int steps, Map<String, float[]> first, Map<String, float[]> second) {
        try (NoGrad noGrad = NoGrad.enter()) {
            for (String name : params.keySet()) {
                if (!first.containsKey(name) || !second.containsKey(name)) {
                    throw new IllegalArgumentException("optimiser state lacks the moments of " + name);
                }
                m.get(name).set(java.nio.FloatBuffer.wrap(first.get(name)));
                v.get(name).set(java.nio.FloatBuffer.wrap(second.get(name)));
            }
        }
        this.step = steps;
    }

    /**
     * Clips, updates every parameter with learning rate {@code lr} and zeroes the gradients.
     *
     * @return the global gradient L2 norm before clipping
     */
    public double step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(settings.beta1(), step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(settings.beta2(), step));
        try (NoGrad noGrad = NoGrad.enter(); NDManager tmp = state.newSubManager()) {
            Map<String, NDArray> grads = new LinkedHashMap<>();
            params.forEach((name, w) -> {
                NDArray g = w.getGradient();
                g.attach(tmp);
                grads.put(name, g);
            });
            double norm = globalNorm(grads);
            double coef = settings.clipNorm() / (norm + 1e-6);
            boolean clip = settings.clipNorm() > 0 && coef < 1;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                String name = e.getKey();
                NDArray w = e.getValue();
                NDArray mi = m.get(name);
                NDArray vi = v.get(name);
                w.tempAttach(tmp);
                mi.tempAttach(tmp);
                vi.tempAttach(tmp);
                NDArray g = clip ? grads.get(name).mul((float) coef) : grads.get(name);
                if (decays.get(name) && settings.weightDecay() > 0) {
                    w.muli((float) (1 - lr * settings.weightDecay()));
                }
                mi.muli((float) settings.beta1()).addi(g.mul((float) (1 - settings.beta1())));
                vi.muli((float) settings.beta2()).addi(g.mul(g).mul((float) (1 - settings.beta2())));
                NDArray denom = vi.sqrt().div((float) bc2Sqrt).add((float) settings.eps());
                w.subi(mi.div(denom).mul((float) (lr / bc1)));
                grads.get(name).muli(0f);
            }
            return norm;
        }
    }

    private static double globalNorm(Map<String, NDArray> grads) {
        double sum = 0;
        for (NDArray g : grads.values()) {
            double n = g.norm().getFloat();
            sum += n * n;
        }
        return Math.sqrt(sum);
    }

    @Override
    public void close() {
        state.close();
    }
}
