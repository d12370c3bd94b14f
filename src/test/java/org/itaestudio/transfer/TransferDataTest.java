package org.itaestudio.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.itaestudio.image.PreprocessConfig;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.model.transfer.TrainingBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransferDataTest {

    @TempDir
    Path tmp;

    @Test
    void classesAreTheSortedSubFoldersAndLooseFilesAreSkipped() throws Exception {
        Path root = TinyLabelledFolders.write(tmp.resolve("data"), 3, 2, 20);
        TinyLabelledFolders.writePng(root.resolve("loose.png"), 0x808080, 0, 20);
        Files.writeString(root.resolve("class1/broken.png"), "not a png");
        LabelledFolder data = LabelledFolder.read(root, null);
        assertEquals(List.of("class0", "class1", "class2"), data.classes());
        assertEquals(6, data.count());
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, data.labels());
        assertEquals("class0/img0.png", data.paths().get(0));
        assertTrue(data.skipped().stream().anyMatch(s -> s.relativePath().equals("loose.png")));
        assertTrue(data.skipped().stream().anyMatch(s -> s.relativePath().equals("class1/broken.png")));
    }

    @Test
    void anUnlabelledFolderIsRefusedInOneLine() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("flat"));
        TinyLabelledFolders.writePng(root.resolve("a.png"), 0x808080, 0, 20);
        TransferDataException e = assertThrows(TransferDataException.class, () -> LabelledFolder.read(root, null));
        assertTrue(e.getMessage().startsWith("no images in class sub-folders of "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void validationClassesMustBeTrainingClasses() throws Exception {
        Path root = TinyLabelledFolders.write(tmp.resolve("val"), 3, 1, 20);
        TransferDataException e = assertThrows(TransferDataException.class,
                () -> LabelledFolder.read(root, List.of("class0", "class1")));
        assertTrue(e.getMessage().contains("class 'class2' is not one of the training classes"), e.getMessage());
        assertEquals(List.of("class0", "class1", "class2"),
                LabelledFolder.read(root, List.of("class0", "class1", "class2")).classes());
    }

    @Test
    void theSplitIsStratifiedSeededAndDisjoint() throws Exception {
        LabelledFolder data = LabelledFolder.read(TinyLabelledFolders.write(tmp.resolve("d"), 2, 10, 12), null);
        DataSplit a = DataSplit.stratified(data, 0.2, 7);
        DataSplit b = DataSplit.stratified(data, 0.2, 7);
        assertArrayEquals(a.val(), b.val());
        assertEquals(4, a.val().length);
        assertEquals(16, a.train().length);
        assertEquals(2, Arrays.stream(a.val()).filter(i -> data.labels()[i] == 0).count());
        assertTrue(Arrays.stream(a.val()).noneMatch(v -> Arrays.stream(a.train()).anyMatch(t -> t == v)));
        DataSplit other = DataSplit.stratified(data, 0.2, 8);
        assertFalse(Arrays.equals(a.val(), other.val()), "another seed picks other images");
    }

    @Test
    void aClassWithOneImageCannotBeSplit() throws Exception {
        Path root = TinyLabelledFolders.write(tmp.resolve("d"), 2, 3, 12);
        TinyLabelledFolders.writePng(Files.createDirectories(root.resolve("lonely")).resolve("x.png"), 0x101010, 0, 12);
        LabelledFolder data = LabelledFolder.read(root, null);
        TransferDataException e = assertThrows(TransferDataException.class, () -> DataSplit.stratified(data, 0.2, 0));
        assertTrue(e.getMessage().startsWith("class 'lonely' has 1 image;"), e.getMessage());
    }

    @Test
    void noAugmentationIsTheEmbedPreprocessingAndStandardIsSeeded() throws Exception {
        LabelledFolder data = LabelledFolder.read(TinyLabelledFolders.write(tmp.resolve("d"), 2, 2, 40), null);
        Preprocessor eval = new Preprocessor(PreprocessConfig.of(32, 28));
        LabelledImages plain = AugmentedImages.evaluation(data, eval, 28);
        assertArrayEquals(eval.apply(data.images().get(3)).chw(), plain.pixels()[3]);
        int[] order = {3, 1};
        TrainingBatch none = new AugmentedImages(data, Augmentation.NONE, eval, 28, 1).batch(5, order, 0, 2);
        assertArrayEquals(plain.batch(order, 0, 2).pixels(), none.pixels());

        AugmentedImages standard = new AugmentedImages(data, Augmentation.STANDARD, eval, 28, 1);
        TrainingBatch e0 = standard.batch(0, order, 0, 2);
        assertArrayEquals(e0.pixels(), standard.batch(0, order, 0, 2).pixels(), "same seed, epoch, image");
        assertArrayEquals(new int[] {1, 0}, e0.labels());
        assertFalse(Arrays.equals(e0.pixels(), standard.batch(1, order, 0, 2).pixels()), "a new epoch, new crops");
        assertFalse(Arrays.equals(e0.pixels(), none.pixels()));
    }

    @Test
    void randomResizedCropsStayInsideTheImageAndCoverAtLeastTheMinimumScale() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            int[] box = Augmentation.randomResizedCrop(60, 40, random);
            assertTrue(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 60 && box[1] + box[3] <= 40);
            assertTrue(box[2] * box[3] >= 0.3 * 60 * 40, Arrays.toString(box));
        }
    }
}
