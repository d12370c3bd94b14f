package org.itaestudio.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.itaestudio.cluster.NearDuplicates;
import org.itaestudio.image.ImageHeader;

/**
 * Which image of a near-duplicate set starts marked "keep" (the app and {@code itae-studio duplicates} alike): the
 * one with the most pixels (width x height from its header), then the largest file, then the first in path order.
 * A re-encoded, resized or cropped copy is smaller than its original, so the original is kept; when sizes cannot
 * be read (a missing file) the first path wins, as before any rule.
 */
public final class DuplicateKeep {

    private DuplicateKeep() {
    }

    /**
     * For each group, the position in its {@code members} of the image to keep.
     *
     * @param folder    the folder the relative {@code paths} are in
     * @param cancelled optional, polled between images
     */
    public static int[] choose(Path folder, List<String> paths, List<NearDuplicates.Group> groups, BooleanSupplier cancelled) {
        int[] keep = new int[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            int[] m = groups.get(g).members();
            long[] pixels = new long[m.length];
            long[] bytes = new long[m.length];
            for (int t = 0; t < m.length; t++) {
                if (cancelled != null && cancelled.getAsBoolean()) {
                    throw new java.util.concurrent.CancellationException("cancelled");
                }
                Path file = folder.resolve(paths.get(m[t]));
                pixels[t] = ImageHeader.pixels(file);
                bytes[t] = sizeOf(file);
            }
            keep[g] = best(pixels, bytes);
        }
        return keep;
    }

    /** The index with the most pixels, then the most bytes, then the lowest index. */
    static int best(long[] pixels, long[] bytes) {
        int best = 0;
        for (int t = 1; t < pixels.length; t++) {
            if (pixels[t] > pixels[best] || pixels[t] == pixels[best] && bytes[t] > bytes[best]) {
                best = t;
            }
        }
        return best;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
