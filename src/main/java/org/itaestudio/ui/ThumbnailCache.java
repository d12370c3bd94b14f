package org.itaestudio.ui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javafx.scene.image.Image;

/**
 * Thumbnails decoded in the background and kept in a bounded LRU. Requests are served newest first (a LIFO
 * queue), so while the gallery scrolls the images on screen now load before the ones scrolled past, and the queue
 * is capped so a fast fling never piles up thousands of stale decodes. Callbacks run on {@code publisher}
 * (the FX thread in the app). Failed decodes are remembered as "no thumbnail" so they are not retried.
 */
final class ThumbnailCache implements AutoCloseable {

    /** Decodes one file into an image whose longer side is at most {@code maxSide}. Runs on a worker thread. */
    @FunctionalInterface
    public interface Loader {
        Image load(Path file, int maxSide) throws Exception;
    }

    private final int capacity;
    private final int maxSide;
    private final Loader loader;
    private final Executor publisher;
    private final ThreadPoolExecutor workers;
    private final LinkedBlockingDeque<Runnable> queue;
    private final int maxQueued;
    private final Map<Path, Image> lru;
    private final Map<Path, List<Consumer<Image>>> inFlight = new ConcurrentHashMap<>();

    public ThumbnailCache(int capacity, int maxSide, int threads, Loader loader, Executor publisher) {
        this.capacity = capacity;
        this.maxSide = maxSide;
        this.loader = loader;
        this.publisher = publisher;
        this.maxQueued = Math.max(64, capacity / 4);
        this.lru = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, Image> eldest) {
                return size() > ThumbnailCache.this.capacity;
            }
        };
        // a deque used as a stack: offer() is overridden to push to the front
        this.queue = new LinkedBlockingDeque<>() {
            @Override
            public boolean offer(Runnable r) {
                return super.offerFirst(r);
            }
        };
        this.workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, queue,
                LatestWinsRunner.daemon("thumbnails"));
        this.workers.allowCoreThreadTimeOut(true);
    }

    /** The cached thumbnail, or null (never blocks). A file that failed to decode returns null too. */
    public Image getIfPresent(Path file) {
        synchronized (lru) {
            return lru.get(file);
        }
    }

    public int size() {
        synchronized (lru) {
            return lru.size();
        }
    }

    public boolean failed(Path file) {
        synchronized (lru) {
            return lru.containsKey(file) && lru.get(file) == null;
        }
    }

    /**
     * Delivers the thumbnail to {@code onLoaded} on the publisher: at once (still on the publisher's thread, via the
     * publisher) when cached, later when decoded. Receives null when the file cannot be decoded.
     */
    public void request(Path file, Consumer<Image> onLoaded) {
        Image cached;
        boolean known;
        synchronized (lru) {
            known = lru.containsKey(file); // a null value records a failed decode
            cached = lru.get(file);
        }
        if (known) {
            onLoaded.accept(cached);
            return;
        }
        boolean[] first = {false};
        inFlight.compute(file, (k, list) -> {
            if (list == null) {
                list = new ArrayList<>();
                first[0] = true;
            }
            list.add(onLoaded);
            return list;
        });
        if (first[0]) {
            trimQueue();
            workers.execute(new Decode(file));
        }
    }

    private void trimQueue() {
        // drop the oldest waiting decodes (they were requested for cells long scrolled away)
        while (queue.size() > maxQueued) {
            Runnable dropped = queue.pollLast();
            if (dropped instanceof Decode d) {
                inFlight.remove(d.file);
            } else if (dropped == null) {
                break;
            }
        }
    }

    private final class Decode implements Runnable {
        final Path file;

        Decode(Path file) {
            this.file = file;
        }

        @Override
        public void run() {
            Image img;
            try {
                img = loader.load(file, maxSide);
            } catch (Exception | OutOfMemoryError e) {
                img = null;
            }
            Image stored = img == null || img.isError() ? null : img;
            synchronized (lru) {
                lru.put(file, stored);
            }
            List<Consumer<Image>> waiting = inFlight.remove(file);
            if (waiting != null) {
                publisher.execute(() -> waiting.forEach(c -> c.accept(stored)));
            }
        }
    }

    /** Forgets everything (a new folder). Pending decodes still finish but land in an empty cache. */
    public void clear() {
        synchronized (lru) {
            lru.clear();
        }
        for (Iterator<Runnable> it = queue.iterator(); it.hasNext(); ) {
            it.next();
            it.remove();
        }
        inFlight.clear();
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
