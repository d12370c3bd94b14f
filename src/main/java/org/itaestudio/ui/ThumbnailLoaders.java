package org.itaestudio.ui;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.Image;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.itaestudio.image.ImageDecodeException;
import org.itaestudio.image.ImageDecoder;

/**
 * Thumbnail decoding for the gallery and map: ImageIO (with the TwelveMonkeys plugins on the classpath) reading a
 * subsampled image, so a 12-megapixel JPEG costs a fraction of a full decode, then EXIF orientation applied and a
 * smooth downscale to the requested size. Whatever that path cannot read as plain RGB goes to the core
 * {@link ImageDecoder}, so a thumbnail exists for every image the engine can embed.
 */
final class ThumbnailLoaders {

    private ThumbnailLoaders() {
    }

    public static ThumbnailCache.Loader imageIo() {
        return ThumbnailLoaders::load;
    }

    private static final ImageDecoder CORE = new ImageDecoder();

    static Image load(Path file, int maxSide) throws IOException {
        BufferedImage img;
        try {
            img = readSubsampled(file, maxSide);
        } catch (IOException | RuntimeException e) {
            img = null;
        }
        if (img != null && img.getColorModel().getNumColorComponents() == 3) {
            img = orient(img, ImageDecoder.readExifOrientation(file));
        } else {
            // CMYK, odd colour models, formats ImageIO refuses: the core decoder (upright RGB, PIL-like), full size
            try {
                img = CORE.decode(file).toBufferedImage();
            } catch (ImageDecodeException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        return SwingFXUtils.toFXImage(downscale(img, maxSide), null);
    }

    private static BufferedImage readSubsampled(Path file, int maxSide) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(Files.newInputStream(file))) {
            if (in == null) {
                return null;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                ImageReadParam param = reader.getDefaultReadParam();
                // keep at least 2x the target so the final downscale can smooth
                int step = Math.max(1, Math.min(w, h) >= 2 * maxSide ? Math.max(w, h) / (2 * maxSide) : 1);
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        }
    }

    /** Applies an EXIF orientation (1..8). */
    static BufferedImage orient(BufferedImage src, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return src;
        }
        int w = src.getWidth(), h = src.getHeight();
        boolean swap = orientation >= 5;
        AffineTransform t = new AffineTransform();
        switch (orientation) {
            case 2 -> { t.translate(w, 0); t.scale(-1, 1); }
            case 3 -> { t.translate(w, h); t.rotate(Math.PI); }
            case 4 -> { t.translate(0, h); t.scale(1, -1); }
            case 5 -> { t.rotate(-Math.PI / 2); t.scale(-1, 1); }
            case 6 -> { t.translate(h, 0); t.rotate(Math.PI / 2); }
            case 7 -> { t.scale(-1, 1); t.translate(-h, 0); t.translate(0, w); t.rotate(3 * Math.PI / 2); }
            case 8 -> { t.translate(0, w); t.rotate(3 * Math.PI / 2); }
            default -> { }
        }
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, t, null);
        g.dispose();
        return out;
    }

    private static BufferedImage downscale(BufferedImage src, int maxSide) {
        int w = src.getWidth(), h = src.getHeight();
        double s = Math.min(1.0, maxSide / (double) Math.max(w, h));
        int nw = Math.max(1, (int) Math.round(w * s)), nh = Math.max(1, (int) Math.round(h * s));
        BufferedImage out = new BufferedImage(nw, nh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, 0, 0, nw, nh, null);
        g.dispose();
        return out;
    }
}
