package org.itaestudio.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import org.itaestudio.image.FolderScanner.ImageFile;
import org.itaestudio.image.ImageDecodeException;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.ModelInput;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.ForwardResult;
import org.itaestudio.model.NativeThreading;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.progress.RateMeter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds a list of image files: decoding and preprocessing run on worker threads ahead of inference (a bounded
 * window keeps memory flat), images are batched by input size, results stream into the cache batch by batch (so a
 * cancelled run keeps every finished batch and nothing half-written), and a batch that runs out of memory is split
 * instead of failing the run.
 */
public final class EmbeddingPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingPipeline.class);

    /** Where finished embeddings go and where earlier ones come from; null-object when no cache is wanted. */
    public interface Store {
        /** Embeddings already known for these files, by relative path. */
        Map<String, float[]> lookup(List<ImageFile> files);

        /**
         * Called once per finished batch.
         *
         * @param captured hidden states entering the request's capture layer, or null when none was asked for
         */
        void save(Map<ImageFile, float[]> batch, Map<ImageFile, float[]> captured);

        Store NONE = new Store() {
            @Override
            public Map<String, float[]> lookup(List<ImageFile> files) {
                return Map.of();
            }

            @Override
            public void save(Map<ImageFile, float[]> batch, Map<ImageFile, float[]> captured) {
            }
        };
    }

    /**
     * @param paths       relative paths of the embedded images, in input order
     * @param embeddings  one row per path
     * @param skipped     files that could not be read
     * @param fromCache   how many embeddings came from the store
     * @param seconds     wall time of the run
     */
    public record Result(List<String> paths, float[][] embeddings, List<SkippedFile> skipped, int fromCache,
                         double seconds) {
    }

    /** One batched forward pass: DinoV2::forward with a fixed request in production. */
    @FunctionalInterface
    public interface BatchForward {
        ForwardResult run(float[] pixels, int batch, int height, int width);
    }

    private final BatchForward model;
    private final Preprocessor preprocessor;
    private final ImageDecoder decoder;
    private volatile int batchSize;
    private final int decodeThreads;

    public EmbeddingPipeline(DinoV2 model, Preprocessor preprocessor, ImageDecoder decoder, ForwardRequest request,
                             int batchSize, int decodeThreads) {
        this((pixels, n, h, w) -> model.forward(pixels, n, h, w, request), preprocessor, decoder, batchSize, decodeThreads);
    }

    public EmbeddingPipeline(BatchForward model, Preprocessor preprocessor, ImageDecoder decoder, int batchSize,
                             int decodeThreads) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.model = model;
        this.preprocessor = preprocessor;
        this.decoder = decoder;
        this.batchSize = batchSize;
        this.decodeThreads = Math.max(1, decodeThreads);
    }

    /**
     * How many nice steps decode threads run below inference (Linux; {@code -Ditae.decodeNice=0} turns it off, for
     * comparisons): see {@link NativeThreading#lowerCurrentThreadPriority}.
     */
    static final int DECODE_NICE = Integer.getInteger("itae.decodeNice", 10);

    /** Images per forward pass (halved after an out-of-memory error). */
    public int batchSize() {
        return batchSize;
    }

    /** Decode threads that leave the cores to inference when images are small. */
    public static int defaultDecodeThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    /** A decoded image ready for the model (with a note when it was adjusted), or the reason it could not be. */
    private record Decoded(ImageFile file, ModelInput input, String error, String note) {
    }

    public Result run(List<ImageFile> files, Store store, ProgressListener progress, Cancellation cancel) {
        long start = System.nanoTime();
        Map<String, float[]> done = new HashMap<>(store.lookup(files));
        int fromCache = done.size();
        List<ImageFile> todo = new ArrayList<>();
        for (ImageFile f : files) {
            if (!done.containsKey(f.relativePath())) {
                todo.add(f);
            }
        }
        List<SkippedFile> skipped = new ArrayList<>();
        ProgressMeter meter = new ProgressMeter(files.size(), fromCache);
        progress.onProgress(meter.progress("Embedding", skipped.size()));

        ExecutorService pool = Executors.newFixedThreadPool(decodeThreads, r -> {
            Thread t = new Thread(() -> {
                NativeThreading.lowerCurrentThreadPriority(DECODE_NICE); // decode in inference's idle time (see there)
                r.run();
            }, "decode");
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            return t;
        });
        try {
            int window = Math.max(2 * batchSize, 4 * decodeThreads);
            List<FutureTask<Decoded>> pending = new ArrayList<>();
            int next = 0;
            // Images of one size share a bucket; a bucket runs when it is full (and all at the end).
            Map<Long, List<Decoded>> buckets = new LinkedHashMap<>();
            for (int i = 0; i < todo.size(); i++) {
                while (next < todo.size() && next < i + window) {
                    ImageFile f = todo.get(next++);
                    FutureTask<Decoded> task = new FutureTask<>(() -> decode(f));
                    pending.add(task);
                    pool.execute(task);
                }
                cancel.throwIfCancelled();
                Decoded d = await(pending.get(i));
                pending.set(i, null);
                if (d.error() != null) {
                    skipped.add(new SkippedFile(d.file().relativePath(), d.error()));
                    meter.add(1);
                    progress.onProgress(meter.progress("Embedding", skipped.size()));
                    continue;
                }
                if (d.note() != null) {
                    skipped.add(SkippedFile.adjusted(d.file().relativePath(), d.note()));
                }
                long key = ((long) d.input().height() << 32) | d.input().width();
                List<Decoded> bucket = buckets.computeIfAbsent(key, k -> new ArrayList<>());
                bucket.add(d);
                if (bucket.size() >= batchSize) {
                    runBatch(bucket, done, store, cancel);
                    meter.add(bucket.size());
                    buckets.remove(key);
                    progress.onProgress(meter.progress("Embedding", skipped.size()));
                }
            }
            for (List<Decoded> bucket : buckets.values()) {
                cancel.throwIfCancelled();
                runBatch(bucket, done, store, cancel);
                meter.add(bucket.size());
                progress.onProgress(meter.progress("Embedding", skipped.size()));
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> paths = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        for (ImageFile f : files) {
            float[] e = done.get(f.relativePath());
            if (e != null) {
                paths.add(f.relativePath());
                rows.add(e);
            }
        }
        return new Result(List.copyOf(paths), rows.toArray(new float[0][]), List.copyOf(skipped), fromCache,
                (System.nanoTime() - start) / 1e9);
    }

    private Decoded decode(ImageFile f) {
        String[] note = new String[1];
        try {
            return new Decoded(f, preprocessor.load(decoder, f.path(), n -> note[0] = n), null, note[0]);
        } catch (ImageDecodeException e) {
            return new Decoded(f, null, e.reason(), null);
        } catch (OutOfMemoryError e) {
            return new Decoded(f, null, "not enough memory to decode this image", null);
        } catch (RuntimeException e) {
            return new Decoded(f, null, "cannot be read: " + e.getMessage(), null);
        }
    }

    /**
     * The decoded image, decoding it on this thread when no decode thread has started it yet: inference has nothing
     * to do until it is ready, and this thread keeps its normal priority, so a busy machine cannot starve the
     * lower-priority decode threads into stalling the run ({@code FutureTask.run} does nothing once a decode thread
     * has taken the task; then this waits for it).
     */
    private static Decoded await(FutureTask<Decoded> f) {
        if (!f.isDone()) {
            f.run();
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Runs one same-size batch, splitting it when the engine runs out of memory. */
    private void runBatch(List<Decoded> batch, Map<String, float[]> done, Store store, Cancellation cancel) {
        for (int from = 0; from < batch.size(); ) {
            cancel.throwIfCancelled();
            int to = Math.min(batch.size(), from + batchSize);
            List<Decoded> part = batch.subList(from, to);
            ForwardResult result;
            try {
                result = forward(part);
            } catch (OutOfMemoryError | RuntimeException e) {
                if (!isOutOfMemory(e) || batchSize == 1) {
                    throw e;
                }
                batchSize = Math.max(1, part.size() / 2);
                LOG.warn("out of memory at batch {}: continuing with batch size {}", part.size(), batchSize);
                continue;
            }
            Map<ImageFile, float[]> saved = new LinkedHashMap<>();
            float[][] states = result.captured() != null ? result.captured() : result.clsStates();
            Map<ImageFile, float[]> captured = states == null ? null : new LinkedHashMap<>();
            for (int i = 0; i < part.size(); i++) {
                done.put(part.get(i).file().relativePath(), result.embeddings()[i]);
                saved.put(part.get(i).file(), result.embeddings()[i]);
                if (captured != null) {
                    captured.put(part.get(i).file(), states[i]);
                }
            }
            store.save(saved, captured);
            from = to;
        }
    }

    private ForwardResult forward(List<Decoded> part) {
        ModelInput first = part.get(0).input();
        int per = first.chw().length;
        float[] pixels = new float[part.size() * per];
        for (int i = 0; i < part.size(); i++) {
            System.arraycopy(part.get(i).input().chw(), 0, pixels, i * per, per);
        }
        return model.run(pixels, part.size(), first.height(), first.width());
    }

    static boolean isOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("out of memory") || m.contains("DefaultCPUAllocator: can't allocate")
                    || m.contains("CUDA out of memory"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Progress with rate and ETA for one run (cached items count as done at once): the rate of the last seconds
     * ({@link RateMeter}), or the run's average until the window spans enough time.
     */
    static final class ProgressMeter {
        private final long total;
        private long done;
        private final RateMeter rate = new RateMeter();

        ProgressMeter(long total, long alreadyDone) {
            this.total = total;
            this.done = alreadyDone;
            rate.record(System.nanoTime(), alreadyDone);
        }

        void add(long n) {
            done += n;
        }

        Progress progress(String stage, int skipped) {
            long now = System.nanoTime();
            double perSecond = rate.record(now, done);
            if (perSecond <= 0) {
                perSecond = rate.average(now, done);
            }
            Duration eta = perSecond > 0 ? Duration.ofMillis((long) ((total - done) / perSecond * 1000)) : null;
            return new Progress(stage, done, total, perSecond, eta, skipped);
        }
    }
}
