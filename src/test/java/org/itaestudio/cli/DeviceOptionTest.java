package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.itaestudio.Fixtures;
import org.itaestudio.model.ComputeDevice;
import org.itaestudio.store.CacheDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device gpu} where no CUDA GPU is usable: the command prints the fallback note once and gives the CPU
 * result; a bad device name is a usage error (exit 2). Uses the tiny reg4 checkpoint of the fixtures.
 */
class DeviceOptionTest {

    @TempDir
    static Path tmp;

    static String previousCacheDir;
    static Path folder;
    static String model;

    @BeforeAll
    static void setUp() throws Exception {
        previousCacheDir = System.getProperty(CacheDirs.CACHE_DIR_PROPERTY);
        System.setProperty(CacheDirs.CACHE_DIR_PROPERTY, tmp.resolve("cache").toString());
        model = Fixtures.path("reg4/official.pth").toString();
        folder = Files.createDirectories(tmp.resolve("photos"));
        Files.copy(Fixtures.path("img224.png"), folder.resolve("img224.png"));
        Files.copy(Fixtures.path("img280x224.png"), folder.resolve("img280x224.png"));
    }

    @AfterAll
    static void tearDown() {
        if (previousCacheDir == null) {
            System.clearProperty(CacheDirs.CACHE_DIR_PROPERTY);
        } else {
            System.setProperty(CacheDirs.CACHE_DIR_PROPERTY, previousCacheDir);
        }
    }

    @Test
    void gpuWithoutCudaPrintsTheNoteOnceAndMatchesTheCpuRun() throws Exception {
        Path cpu = tmp.resolve("cpu.csv");
        Path gpu = tmp.resolve("gpu.csv");
        CliRunner.Run c = CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output", cpu.toString(),
                "--no-cache", "--device", "cpu");
        assertEquals(0, c.exitCode(), c.err());
        assertEquals(0, count(c.err(), "note:"), "no note for cpu: " + c.err());

        CliRunner.Run g = CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output", gpu.toString(),
                "--no-cache", "--device", "gpu");
        assertEquals(0, g.exitCode(), g.err());
        if (ComputeDevice.gpuCount() == 0) {
            assertEquals(1, count(g.err(), "itae-studio: note: no CUDA GPU usable"), "the note, once: " + g.err());
            // the same device, the same computation: the same file
            assertArrayEquals(Files.readAllBytes(cpu), Files.readAllBytes(gpu));
        } else {
            assertEquals(0, count(g.err(), "note:"), g.err());
        }
    }

    @Test
    void unknownDeviceIsAUsageError() {
        CliRunner.Run r = CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output",
                tmp.resolve("x.csv").toString(), "--device", "tpu");
        assertEquals(ItaeStudioCommand.EXIT_USAGE, r.exitCode(), r.err());
        assertTrue(r.err().strip().equals("itae-studio: --device must be cpu, gpu or auto, got 'tpu'"), r.err());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
