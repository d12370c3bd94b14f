package org.itaestudio.image;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests in other packages make the hand-written 200 MP JPEG of {@link HugePhotoTest}. */
public final class HugePhotoTestSupport {

    private HugePhotoTestSupport() {
    }

    public static void writeHugeGreyJpeg(Path file, int width, int height) throws IOException {
        HugePhotoTest.writeHugeGreyJpeg(file, width, height);
    }
}
