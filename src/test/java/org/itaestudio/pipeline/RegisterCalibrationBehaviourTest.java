package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.itaestudio.image.FolderScanner.ImageFile;
import org.itaestudio.image.ModelInput;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.TtrFixtures;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.junit.jupiter.api.Test;

/** Sampling, progress, cancellation, unreadable images and the neuron file's checks. */
class RegisterCalibrationBehaviourTest {

    static List<ImageFile> files(int n) {
        List<ImageFile> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = String.format("img%03d.png", i);
            out.add(new ImageFile(name, Path.of(name)));
        }
        return out;
    }

    @Test
    void theSampleIsSeededSortedAndAllFilesWhenFewer() {
        List<ImageFile> all = files(50);
        List<ImageFile> a = DefaultStudioEngine.sample(all, 10, 42);
        assertEquals(a, DefaultStudioEngine.sample(all, 10, 42), "same seed, same sample");
        assertNotEquals(a, DefaultStudioEngine.sample(all, 10, 43), "another seed, another sample");
        assertEquals(10, a.size());
        for (int i = 1; i < a.size(); i++) {
            assertTrue(a.get(i - 1).relativePath().compareTo(a.get(i).relativePath()) < 0, "path order");
        }
        assertEquals(all, DefaultStudioEngine.sample(all, 200, 42), "fewer files than asked: all of them");
    }

    @Test
    void unreadableImagesAreSkippedProgressIsReportedAndCancelStops() throws Exception {
        DinoV2 model = TtrFixtures.model("s14_tiny");
        float[] all = TtrFixtures.images("s14_tiny");
        CalibrationSettings settings = new CalibrationSettings(8, 1, -2, ItaeConfig.Threshold.AUTO, null, 4, false);
        List<Progress> seen = new ArrayList<>();
        ProgressListener listener = seen::add;
        RegisterNeurons r = RegisterCalibration.run(model, "tiny", 8,
                i -> i == 3 ? null : new ModelInput(TtrFixtures.SIDE, TtrFixtures.SIDE, TtrFixtures.image(all, i)),
                settings, listener, Cancellation.none());
        assertEquals(7, r.imagesSampled(), "image 3 is skipped");
        assertEquals(4, r.neurons().size());
        assertTrue(seen.stream().anyMatch(p -> p.stage().contains("token norms") && p.done() == 8 && p.skipped() == 1), seen.toString());
        assertTrue(seen.stream().anyMatch(p -> p.stage().contains("neuron scores")), seen.toString());

        Cancellation cancel = new Cancellation();
        assertThrows(CancellationException.class, () -> RegisterCalibration.run(model, "tiny", 8, i -> {
            if (i == 2) {
                cancel.cancel();
            }
            return new ModelInput(TtrFixtures.SIDE, TtrFixtures.SIDE, TtrFixtures.image(all, i));
        }, settings, ProgressListener.NONE, cancel));
    }

    @Test
    void theNeuronFileNamesItsModelAndRefusesOthers() throws Exception {
        DinoV2 model = TtrFixtures.model("s14_tiny");
        DinoV2 other = TtrFixtures.model("g14_tiny_reg4");
        float[] all = TtrFixtures.images("s14_tiny");
        RegisterNeurons r = RegisterCalibration.run(model, "tiny", 4,
                i -> new ModelInput(TtrFixtures.SIDE, TtrFixtures.SIDE, TtrFixtures.image(all, i)),
                new CalibrationSettings(4, 1, -2, ItaeConfig.Threshold.AUTO, null, 3, true), ProgressListener.NONE,
                Cancellation.none());
        assertEquals(model.fingerprint(), r.fingerprint());
        TestTimeRegisters ttr = r.registers(1, TestTimeRegisters.PatchValues.ZERO);
        ttr.checkModel(model.fingerprint());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ttr.checkModel(other.fingerprint()));
        assertTrue(e.getMessage().startsWith("the register neurons were calibrated for another model"), e.getMessage());
        assertNotEquals(ttr.key(), ttr.withCount(2).key());
        assertNotEquals(ttr.key(), ttr.withPatchValues(TestTimeRegisters.PatchValues.MEAN).key());
        assertEquals(ttr.key(), new TestTimeRegisters(reversed(ttr.neurons()), 1, TestTimeRegisters.PatchValues.ZERO).key(),
                "the key does not depend on the file's order");
    }

    static <T> List<T> reversed(List<T> l) {
        List<T> out = new ArrayList<>(l);
        java.util.Collections.reverse(out);
        return out;
    }

    @Test
    void aFileThatIsNotANeuronFileIsOneLine() {
        for (String text : new String[] {"{}", "[1,2]", "not json", "{\"format\": \"itae-studio/register-neurons\"}",
                "{\"format\": \"itae-studio/register-neurons\", \"model\": {\"spec\": \"m\", \"fingerprint\": \"f\", "
                        + "\"architecture\": \"a\"}, \"neurons\": []}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RegisterNeurons.parse(text, "x.json"));
            assertTrue(e.getMessage().startsWith("x.json"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
