package org.itaestudio.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The MKL inside libtorch, asked which code path it dispatches to: with the dispatch library active on a CPU with
 * AVX2 or AVX-512 it must be that instruction set's (without it, on a non-Intel CPU, MKL takes its generic path).
 */
class MklDispatchTest {

    @Test
    void mklUsesTheCpusVectorInstructions() throws IOException {
        NativeThreading.configure();
        Engine.getEngine("PyTorch"); // loads libtorch (after the dispatch library, in this test's JVM)
        assumeTrue(MklDispatch.state() == MklDispatch.State.ACTIVE,
                "dispatch library not active here: " + MklDispatch.state().description());
        String cpu = Files.readString(Path.of("/proc/cpuinfo"));
        String expected = cpu.contains(" avx512f") ? "AVX-512" : cpu.contains(" avx2") ? "AVX2" : null;
        int minimumBranch = cpu.contains(" avx512f") ? 12 : 10;
        assumeTrue(expected != null, "this CPU has neither AVX2 nor AVX-512");
        Optional<String> lib;
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            lib = lines.filter(l -> l.endsWith("/libtorch_cpu.so")).map(l -> l.substring(l.indexOf('/'))).findFirst();
        }
        assertTrue(lib.isPresent(), "libtorch_cpu.so is loaded");
        // the CNR branch MKL's dispatcher picks for this CPU (mkl_service.h: MKL_CBWR_AVX2 = 10, MKL_CBWR_AVX512 = 12,
        // MKL_CBWR_AVX512_E1 = 14); on an AMD CPU without the dispatch library it is 2, the generic one
        int branch = NativeLibrary.getInstance(lib.get()).getFunction("mkl_serv_cbwr_get_auto_branch")
                .invokeInt(new Object[0]);
        assertTrue(branch >= minimumBranch, "MKL's code path for this CPU: CNR branch " + branch + ", expected "
                + expected + " (>= " + minimumBranch + ")");
    }

    @Test
    void isIdempotent() {
        MklDispatch.State first = MklDispatch.enable();
        assertEquals(first, MklDispatch.enable());
    }
}
