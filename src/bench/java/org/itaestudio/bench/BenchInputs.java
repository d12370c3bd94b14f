package org.itaestudio.bench;

import java.util.SplittableRandom;

/** The benchmark's input images: deterministic N(0, 1) pixels (already "normalised"), NCHW float32. */
public final class BenchInputs {
    private BenchInputs() {
    }

    /** {@code images x 3 x size x size} values; the first k images of a larger call equal a call for k images. */
    public static float[] pixels(int images, int size, long seed) {
        float[] p = new float[Math.multiplyExact(images, 3 * size * size)];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < p.length; i++) {
            double u1 = 1.0 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            p[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return p;
    }
}
