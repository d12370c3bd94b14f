package org.itaestudio.transfer;

import java.util.SplittableRandom;
import org.itaestudio.image.PilBicubic;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.image.RgbImage;

/** What a training image goes through before the student sees it. */
public enum Augmentation {
    /** The evaluation preprocessing of {@code embed}: resize the shorter side, centre crop. */
    NONE,
    /**
     * torchvision's RandomResizedCrop(scale 0.35-1, ratio 3/4-4/3, bicubic) to the crop side, then a horizontal
     * flip with probability 1/2 (the attention-transfer recipe's crop and flip).
     */
    STANDARD;

    static final double MIN_SCALE = 0.35;
    static final double MIN_RATIO = 3.0 / 4.0;
    static final double MAX_RATIO = 4.0 / 3.0;

    /**
     * The normalised CHW pixels of one image.
     *
     * @param eval   the evaluation preprocessing (used as it is by {@link #NONE})
     * @param side   the square side the student trains on
     * @param random the image's random stream (unused by {@link #NONE})
     */
    public float[] apply(RgbImage image, Preprocessor eval, int side, SplittableRandom random) {
        if (this == NONE) {
            return eval.apply(image).chw();
        }
        int[] box = randomResizedCrop(image.width(), image.height(), random);
        RgbImage crop = PilBicubic.resize(image.crop(box[0], box[1], box[2], box[3]), side, side);
        if (random.nextBoolean()) {
            crop = flip(crop);
        }
        return Preprocessor.normalize(crop);
    }

    /** left, top, width, height: torchvision's sampling (10 tries, then the centre crop of the allowed ratio). */
    static int[] randomResizedCrop(int width, int height, SplittableRandom random) {
        double area = (double) width * height;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (MIN_SCALE + (1 - MIN_SCALE) * random.nextDouble());
            double ratio = Math.exp(Math.log(MIN_RATIO) + (Math.log(MAX_RATIO) - Math.log(MIN_RATIO)) * random.nextDouble());
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                return new int[] {random.nextInt(width - w + 1), random.nextInt(height - h + 1), w, h};
            }
        }
        double inRatio = (double) width / height;
        int w = width;
        int h = height;
        if (inRatio < MIN_RATIO) {
            h = (int) Math.round(w / MIN_RATIO);
        } else if (inRatio > MAX_RATIO) {
            w = (int) Math.round(h * MAX_RATIO);
        }
        return new int[] {(width - w) / 2, (height - h) / 2, w, h};
    }

    private static RgbImage flip(RgbImage image) {
        int w = image.width();
        byte[] in = image.rgb();
        byte[] out = new byte[in.length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(in, (y * w + x) * 3, out, (y * w + (w - 1 - x)) * 3, 3);
            }
        }
        return new RgbImage(w, image.height(), out);
    }
}
