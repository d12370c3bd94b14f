package org.itaestudio.cluster;

/**
 * SplitMix64 pseudo-random generator. Written out here (rather than using java.util.Random or
 * SplittableRandom) so that seeded results do not depend on the JDK's implementation choices.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** A generator for stream {@code index} of {@code seed}: independent-looking, fully determined. */
    static SplitMix64 forStream(long seed, long index) {
        return new SplitMix64(mix(seed ^ mix(index + 0x632BE59BD9B4E019L)));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), without modulo bias. */
    int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        long limit = (Long.MAX_VALUE / bound) * bound;
        while (true) {
            long r = nextLong() >>> 1;
            if (r < limit) return (int) (r % bound);
        }
    }

    /** Standard normal via the Marsaglia polar method (no transcendental calls beyond log/sqrt). */
    double nextGaussian() {
        while (true) {
            double u = 2 * nextDouble() - 1;
            double v = 2 * nextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1) return u * StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        }
    }

    /** {@code m} distinct indices from [0, n) in increasing order (partial Fisher-Yates). */
    int[] sampleWithoutReplacement(int n, int m) {
        if (m > n) throw new IllegalArgumentException("cannot sample " + m + " of " + n);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = 0; i < m; i++) {
            int j = i + nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] out = java.util.Arrays.copyOf(perm, m);
        java.util.Arrays.sort(out);
        return out;
    }
}
