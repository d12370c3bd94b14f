package org.itaestudio.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.itaestudio.progress.Progress;
import org.junit.jupiter.api.Test;

/** Near-duplicates report their progress (monotone, ending at 1) and stop soon after a cancellation. */
class NearDuplicatesProgressTest {

    /** 3,000 random rows of 32 dimensions with a few planted copies: 12 blocks of 256 rows, 78 block pairs. */
    static float[][] rows() {
        SplittableRandom r = new SplittableRandom(7);
        float[][] x = new float[3000][32];
        for (float[] row : x) {
            for (int d = 0; d < row.length; d++) row[d] = (float) r.nextGaussian();
        }
        for (int i = 0; i < 10; i++) {
            x[2000 + i] = x[i].clone();
            x[2000 + i][0] += 0.01f;
        }
        return x;
    }

    @Test
    void progressRisesMonotonicallyToOne() {
        List<Progress> seen = new ArrayList<>();
        List<NearDuplicates.Group> groups = NearDuplicates.find(rows(), 0.99, 2, p -> {
            synchronized (seen) {
                seen.add(p);
            }
        }, null);
        assertEquals(10, groups.size(), "the planted copies");
        assertTrue(seen.size() >= 13, "a report before the first block and one per block: " + seen.size());
        assertEquals(0.0, seen.get(0).fraction());
        for (int t = 1; t < seen.size(); t++) {
            assertEquals("near-duplicates", seen.get(t).stage());
            assertTrue(seen.get(t).done() > seen.get(t - 1).done(), "monotone at " + t);
            assertEquals(seen.get(0).total(), seen.get(t).total());
        }
        assertEquals(1.0, seen.get(seen.size() - 1).fraction());
    }

    /** Cancelled after the first finished block, the run throws and compares far fewer than all block pairs. */
    @Test
    void cancellingStopsTheRun() {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicInteger polls = new AtomicInteger();
        List<Progress> seen = new ArrayList<>();
        assertThrows(CancellationException.class, () -> NearDuplicates.find(rows(), 0.99, 2, p -> {
            synchronized (seen) {
                seen.add(p);
            }
            if (p.done() > 0) cancelled.set(true);
        }, () -> {
            polls.incrementAndGet();
            return cancelled.get();
        }));
        Progress last = seen.get(seen.size() - 1);
        assertTrue(last.fraction() < 0.5, "stopped early, at " + last.fraction());
        // 78 block pairs are polled once each when nothing stops the run
        assertTrue(polls.get() < 60, "polls after the cancel are few: " + polls.get());
    }
}
