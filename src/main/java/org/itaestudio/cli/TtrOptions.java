package org.itaestudio.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.itae.TestTimeRegisters;
import picocli.CommandLine.Option;

/** The shared test-time-register options (off unless --test-time-registers names a neuron file). */
public final class TtrOptions {

    @Option(names = "--test-time-registers", paramLabel = "NEURONS.json",
            description = "Test-time registers with the register neurons of this file (made by calibrate-registers for "
                    + "the same model).")
    Path neuronFile;

    @Option(names = "--ttr-count", paramLabel = "R",
            description = "Test-time registers: tokens appended after the patches (default 1).")
    Integer count;

    @Option(names = "--ttr-patch-values", paramLabel = "zero|mean|only_outliers",
            description = "Test-time registers: what the patches' register-neuron activations become: 0 (the paper), "
                    + "their mean over the patches, or only values above mean + 1 std set to the mean (default zero).")
    String patchValues;

    /** The test-time registers, or null when no neuron file is given. */
    public TestTimeRegisters ttr() {
        if (neuronFile == null) {
            if (count != null || patchValues != null) {
                throw new UsageException("--ttr-count and --ttr-patch-values need --test-time-registers NEURONS.json");
            }
            return null;
        }
        int r = count == null ? 1 : count;
        if (r < 1) {
            throw new UsageException("--ttr-count must be >= 1, got " + r);
        }
        TestTimeRegisters.PatchValues values = EngineOptions.parseEnum(TestTimeRegisters.PatchValues.class, patchValues,
                "zero", "--ttr-patch-values");
        return read(neuronFile).registers(r, values);
    }

    /** Reads a neuron file; any problem is one usage line. */
    static RegisterNeurons read(Path file) {
        try {
            return RegisterNeurons.parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new UsageException("--test-time-registers: no such file: " + file);
        } catch (IOException e) {
            throw new UsageException("--test-time-registers: cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--test-time-registers: " + e.getMessage());
        }
    }
}
