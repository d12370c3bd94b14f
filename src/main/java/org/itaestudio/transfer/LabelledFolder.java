package org.itaestudio.transfer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.itaestudio.image.FolderScanner;
import org.itaestudio.image.ImageDecodeException;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.RgbImage;
import org.itaestudio.pipeline.SkippedFile;

/**
 * The images of a labelled folder, decoded: class = the first sub-folder of each path (the {@code evaluate
 * --truth-from-folders} convention), classes in sorted order, images in the scanner's sorted path order. Images at
 * the top level have no class and are skipped, like unreadable files.
 *
 * @param classes class names, index = label
 * @param paths   relative path of each image
 * @param images  decoded pixels of each image
 * @param labels  class index of each image
 * @param skipped files that are not part of the data, with why
 */
public record LabelledFolder(List<String> classes, List<String> paths, List<RgbImage> images, int[] labels,
                             List<SkippedFile> skipped) {

    /**
     * Scans and decodes {@code root}.
     *
     * @param classes the class names to use (a validation folder takes the training folder's), or null to take the
     *                folder's own
     * @throws TransferDataException when no image lies in a class sub-folder, or one names a class not in {@code classes}
     */
    public static LabelledFolder read(Path root, List<String> classes) throws IOException {
        FolderScanner.ScanResult scan = new FolderScanner().scan(root);
        List<SkippedFile> skipped = new ArrayList<>();
        scan.problems().forEach(p -> skipped.add(new SkippedFile(p.relativePath(), p.reason())));
        List<FolderScanner.ImageFile> labelled = new ArrayList<>();
        TreeSet<String> found = new TreeSet<>();
        for (FolderScanner.ImageFile f : scan.images()) {
            int slash = f.relativePath().indexOf('/');
            if (slash > 0) {
                labelled.add(f);
                found.add(f.relativePath().substring(0, slash));
            } else {
                skipped.add(new SkippedFile(f.relativePath(), "not in a class sub-folder"));
            }
        }
        if (labelled.isEmpty()) {
            throw new TransferDataException("no images in class sub-folders of " + root
                    + " (expected DIR/<class>/<image>)");
        }
        List<String> names = classes != null ? List.copyOf(classes) : List.copyOf(found);
        for (String c : found) {
            if (!names.contains(c)) {
                throw new TransferDataException(root + ": class '" + c + "' is not one of the training classes " + names);
            }
        }
        ImageDecoder decoder = new ImageDecoder();
        List<String> paths = new ArrayList<>();
        List<RgbImage> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (FolderScanner.ImageFile f : labelled) {
            try {
                images.add(decoder.decode(f.path()));
            } catch (ImageDecodeException e) {
                skipped.add(new SkippedFile(f.relativePath(), e.getMessage()));
                continue;
            }
            paths.add(f.relativePath());
            labels.add(names.indexOf(f.relativePath().substring(0, f.relativePath().indexOf('/'))));
        }
        if (paths.isEmpty()) {
            throw new TransferDataException("no readable images in class sub-folders of " + root);
        }
        return new LabelledFolder(names, List.copyOf(paths), List.copyOf(images),
                labels.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(skipped));
    }

    public int count() {
        return labels.length;
    }

    /** The images at {@code indices}, in that order, with the same classes. */
    public LabelledFolder subset(int[] indices) {
        List<String> p = new ArrayList<>();
        List<RgbImage> im = new ArrayList<>();
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            p.add(paths.get(indices[i]));
            im.add(images.get(indices[i]));
            l[i] = labels[indices[i]];
        }
        return new LabelledFolder(classes, List.copyOf(p), List.copyOf(im), l, List.of());
    }
}
