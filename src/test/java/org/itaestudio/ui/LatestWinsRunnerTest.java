package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Debounce and latest-wins, without JavaFX: the publisher is a plain single thread, and the debounce waits on a
 * {@link ManualTimer}, so "within the debounce" and "past the debounce" are exact, not hoped for.
 */
class LatestWinsRunnerTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(100);

    private final Executor publisher = Executors.newSingleThreadExecutor();
    private final ManualTimer timer = new ManualTimer();

    @Test
    void aBurstWithinTheDebounceRunsOnlyTheLastRequest() throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        List<Integer> published = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        try (LatestWinsRunner<Integer, Integer> r = new LatestWinsRunner<>("t", DEBOUNCE, timer, q -> {
            ran.add(q);
            return q * 10;
        }, publisher, o -> {
            published.add(o.result());
            done.countDown();
        })) {
            for (int i = 1; i <= 10; i++) {
                r.submit(i);
                timer.advance(Duration.ofMillis(10)); // well inside the debounce
            }
            assertEquals(List.of(), ran, "nothing runs while the burst goes on");
            assertEquals(1, timer.waiting(), "each request replaced the one before");
            timer.advance(DEBOUNCE);
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertFalse(r.busy());
            assertEquals(0, timer.waiting());
        }
        assertEquals(List.of(10), ran);
        assertEquals(List.of(100), published);
    }

    @Test
    void whileOneRunsOnlyTheNewestWaitsAndStaleOnesAreDropped() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        List<String> published = new CopyOnWriteArrayList<>();
        CountDownLatch releaseA = new CountDownLatch(1);
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch twoPublished = new CountDownLatch(2);
        try (LatestWinsRunner<String, String> r = new LatestWinsRunner<>("t", DEBOUNCE, timer, q -> {
            ran.add(q);
            if (q.equals("A")) {
                aStarted.countDown();
                releaseA.await();
            }
            return q.toLowerCase();
        }, publisher, o -> {
            published.add(o.result());
            twoPublished.countDown();
        })) {
            r.submit("A");
            timer.advance(DEBOUNCE);
            assertTrue(aStarted.await(5, TimeUnit.SECONDS));
            r.submit("B");
            timer.advance(DEBOUNCE); // B is due while A still runs
            r.submit("C");
            r.submit("D");
            timer.advance(DEBOUNCE); // D is due too, and replaced B and C
            assertTrue(r.busy());
            assertEquals(List.of("A"), ran);
            releaseA.countDown();
            assertTrue(twoPublished.await(5, TimeUnit.SECONDS));
            assertFalse(r.busy(), "nothing left to run");
            assertEquals(0, timer.waiting());
        }
        assertEquals(List.of("A", "D"), ran);
        assertEquals(List.of("a", "d"), published);
    }

    @Test
    void submitNowNeedsNoTimeToPass() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (LatestWinsRunner<Integer, Integer> r = new LatestWinsRunner<>("t", DEBOUNCE, timer, q -> q + 1,
                publisher, o -> done.countDown())) {
            r.submitNow(1);
            assertEquals(0, timer.waiting());
            assertTrue(done.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void errorsArePublishedNotSwallowed() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] seen = new Throwable[1];
        try (LatestWinsRunner<Integer, Integer> r = new LatestWinsRunner<>("t", Duration.ofMillis(10), q -> {
            throw new IllegalStateException("boom " + q);
        }, publisher, o -> {
            seen[0] = o.error();
            done.countDown();
        })) {
            r.submitNow(3);
            assertTrue(done.await(5, TimeUnit.SECONDS));
        }
        assertEquals("boom 3", seen[0].getMessage());
    }
}
