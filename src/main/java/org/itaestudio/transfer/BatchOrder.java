package org.itaestudio.transfer;

import java.util.SplittableRandom;

/**
 * The order images are visited in each epoch: a Fisher-Yates shuffle seeded by (seed, epoch) alone, so any epoch's
 * order is known without replaying the earlier ones (what a resumed run needs to see the same batches).
 */
public final class BatchOrder {

    private BatchOrder() {
    }

    /** Image indices of epoch {@code epoch} (0-based); 0..count-1 in order when not shuffling. */
    public static int[] epoch(long seed, int epoch, int count, boolean shuffle) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = count - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }
}
