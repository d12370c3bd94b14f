package org.itaestudio.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.itaestudio.model.ComputeDevice;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.SkippedFile;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.CacheDirs;
import org.itaestudio.store.CacheGuard;
import org.itaestudio.store.HiddenStateStore;

/** What the engine subcommands share: the engine, Ctrl-C cancellation, a progress bar, the skipped-file report. */
final class CliSupport {
    private CliSupport() {
    }

    static DefaultStudioEngine engine(EngineOptions options) {
        noteDevice(options.device, System.err);
        Path cacheDir = options.noCache ? null : CacheDirs.resolve().cache();
        return new DefaultStudioEngine(cacheDir, new ModelResolver(), HiddenStateStore.Precision.FP16, warningsToStderr(),
                null);
    }

    /** Cache faults as one warning line each on stderr; the run goes on without the failed cache. */
    static CacheGuard warningsToStderr() {
        return new CacheGuard(w -> System.err.println("itae-studio: warning: " + w));
    }

    /**
     * Checks --device up front and prints, once, why a GPU request runs on the CPU (no CUDA, or the CPU build of
     * libtorch). The default, cpu, needs no check.
     */
    static void noteDevice(String device, PrintStream err) {
        DeviceChoice choice = deviceChoice(device);
        if (choice == DeviceChoice.CPU) {
            return;
        }
        ComputeDevice resolved = ComputeDevice.resolve(choice);
        if (resolved.note() != null) {
            err.println("itae-studio: note: " + resolved.note());
        }
    }

    /** The --device option's value as a choice; null means the default, cpu. */
    static DeviceChoice deviceChoice(String device) {
        if (device == null) {
            return DeviceChoice.CPU;
        }
        try {
            return DeviceChoice.parse(device);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--device must be cpu, gpu or auto, got '" + device + "'");
        }
    }

    /** The newest command's cancellation, for the one shutdown hook (Ctrl-C). */
    private static final AtomicReference<Cancellation> RUNNING = new AtomicReference<>();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    /** A cancellation that Ctrl-C triggers, so a run stops between batches with the cache consistent. */
    static Cancellation cancelOnInterrupt() {
        Cancellation c = new Cancellation();
        RUNNING.set(c);
        if (HOOKED.compareAndSet(false, true)) { // one hook per process, not one per command run in it
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Cancellation running = RUNNING.get();
                if (running != null) {
                    running.cancel();
                }
                java.util.concurrent.CountDownLatch stopping = STOPPING.get();
                if (stopping != null) {
                    try {
                        stopping.await(STOP_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, "cancel-on-exit"));
        }
        return c;
    }

    private static final AtomicReference<java.util.concurrent.CountDownLatch> STOPPING = new AtomicReference<>();
    private static final long STOP_WAIT_SECONDS = 120;

    /**
     * Until closed, Ctrl-C (or SIGTERM) waits for the command to stop at its next cancellation check, up to two
     * minutes, before the JVM exits. Why: the JVM does not wait for the main thread, and exiting while it is inside
     * libtorch (a training step) crashes in libtorch's exit handlers (SIGSEGV in at::getAccelerator, an hs_err file
     * in the working folder) instead of ending with the last checkpoint and "cancelled".
     */
    static AutoCloseable stopBeforeExit() {
        java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
        STOPPING.set(latch);
        return () -> {
            latch.countDown();
            STOPPING.compareAndSet(latch, null);
        };
    }

    /** A progress bar on stderr, one per stage. */
    static ProgressListener progressBar() {
        return new ProgressListener() {
            private String stage;
            private ConsoleProgress bar;

            @Override
            public synchronized void onProgress(Progress p) {
                if (p.total() <= 1) { // nothing worth a bar (e.g. the single clustering step)
                    return;
                }
                if (!p.stage().equals(stage)) {
                    if (bar != null) {
                        bar.done();
                    }
                    stage = p.stage();
                    boolean images = p.stage().contains("mbedding");
                    bar = new ConsoleProgress(p.stage(), p.total(), images ? "images" : "steps");
                }
                bar.update(p.done());
                if (p.done() >= p.total()) {
                    bar.done();
                    bar = null;
                    stage = null;
                }
            }
        };
    }

    static void reportSkipped(List<SkippedFile> skipped, PrintStream err) {
        List<SkippedFile> left = skipped.stream().filter(s -> !s.embedded()).toList();
        List<SkippedFile> adjusted = skipped.stream().filter(SkippedFile::embedded).toList();
        if (!left.isEmpty()) {
            err.println("skipped " + left.size() + " file(s):");
            for (SkippedFile s : left) {
                err.println("  " + s.relativePath() + ": " + s.reason());
            }
        }
        if (!adjusted.isEmpty()) {
            err.println("adjusted " + adjusted.size() + " file(s):");
            for (SkippedFile s : adjusted) {
                err.println("  " + s.relativePath() + ": " + s.reason());
            }
        }
    }
}
