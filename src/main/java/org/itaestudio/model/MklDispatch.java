package org.itaestudio.model;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the MKL inside libtorch pick its matrix kernels by the CPU's instruction sets on non-Intel x86-64 CPUs, where
 * it otherwise runs generic kernels: before libtorch loads, a two-function library ({@code src/main/native/
 * mkl_dispatch.c}, a class-path resource built with the app) is opened with {@code dlopen(RTLD_NOW | RTLD_GLOBAL)}
 * through JNA, so its answers to MKL's "is this an Intel CPU?" come ahead of MKL's own when libtorch is linked.
 * Measured on an AMD EPYC with AVX-512: float32 GEMMs of ViT-S/14's shapes 1.6-2.4x faster on one core
 * (docs/benchmarks.md has the forward; docs/DECISIONS.md D62). On Intel CPUs it changes nothing.
 *
 * <p>Linux x86-64 only (elsewhere: {@link State#NOT_APPLICABLE}); {@code ITAE_MKL_DISPATCH=0} or
 * {@code -Ditae.mklDispatch=false} turns it off, for comparisons.
 */
public final class MklDispatch {
    private static final Logger LOG = LoggerFactory.getLogger(MklDispatch.class);
    static final String RESOURCE = "native/linux-x86-64/libitae-mkl-dispatch.so";
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_GLOBAL = 0x100;

    /** What {@link #enable} did. */
    public enum State {
        /** Loaded before libtorch: MKL chooses kernels by CPU features. */
        ACTIVE("MKL kernels by CPU features"),
        /** Turned off by the user. */
        DISABLED("MKL's own dispatch (turned off)"),
        /** Not Linux x86-64. */
        NOT_APPLICABLE("MKL's own dispatch"),
        /** This build has no library (built without a C compiler). */
        MISSING("MKL's own dispatch (library not built)"),
        /** The library could not be loaded (the log says why). */
        FAILED("MKL's own dispatch (library failed to load)"),
        /** libtorch was loaded before {@link #enable} ran: too late to take effect. */
        TOO_LATE("MKL's own dispatch (libtorch loaded first)"),
        /** {@link #enable} has not run. */
        NOT_RUN("MKL's own dispatch");

        private final String description;

        State(String description) {
            this.description = description;
        }

        /** For reports, e.g. "MKL kernels by CPU features". */
        public String description() {
            return description;
        }
    }

    private static State state = State.NOT_RUN;

    private MklDispatch() {
    }

    /** What happened, for reports and logs. */
    public static synchronized State state() {
        return state;
    }

    /** Idempotent; must run before libtorch is loaded to have an effect ({@link NativeThreading#configure} calls it). */
    public static synchronized State enable() {
        if (state != State.NOT_RUN) {
            return state;
        }
        state = load();
        LOG.info("MKL dispatch: {}", state.description());
        return state;
    }

    /** Whether libtorch's CPU library is mapped into this process already (Linux: /proc/self/maps). */
    static boolean libtorchLoaded() {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.anyMatch(l -> l.endsWith("/libtorch_cpu.so"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static State load() {
        if ("0".equals(System.getenv("ITAE_MKL_DISPATCH")) || !Boolean.parseBoolean(System.getProperty("itae.mklDispatch", "true"))) {
            return State.DISABLED;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return State.NOT_APPLICABLE;
        }
        if (libtorchLoaded()) {
            return State.TOO_LATE;
        }
        Path file = null;
        try (InputStream in = MklDispatch.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return State.MISSING;
            }
            file = Files.createTempFile("itae-mkl-dispatch-", ".so");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            Function dlopen = NativeLibrary.getInstance("c").getFunction("dlopen");
            Pointer handle = dlopen.invokePointer(new Object[] {file.toString(), RTLD_NOW | RTLD_GLOBAL});
            if (handle == null) {
                Pointer err = NativeLibrary.getInstance("c").getFunction("dlerror").invokePointer(new Object[0]);
                LOG.warn("MKL dispatch library not loaded: {}", err == null ? "dlopen failed" : err.getString(0));
                return State.FAILED;
            }
            return State.ACTIVE;
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.warn("MKL dispatch library not loaded: {}", e.toString());
            return State.FAILED;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file); // the loaded mapping outlives the file
                } catch (IOException e) {
                    file.toFile().deleteOnExit();
                }
            }
        }
    }
}
