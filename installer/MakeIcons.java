import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws the ITAE Studio application icon with Java2D (no downloads, no external tools) and writes the files the
 * installers need: itae-studio.png (256 px, Linux), itae-studio.ico (Windows: 16-256 px PNG entries) and
 * itae-studio.icns (macOS: 16-1024 px PNG entries). The motif: clusters of dots in the app's cluster palette on a
 * dark rounded square, one patch outlined like an artifact token in the inspector.
 *
 * <p>Run from the project root (single-file source launch, Java 17): {@code java installer/MakeIcons.java installer/icons}
 */
public final class MakeIcons {

    /** The app's cluster palette (Tableau 10, as in the gallery and the map). */
    private static final Color[] PALETTE = {
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
    };
    /** Cluster centres in a 256-unit square. */
    private static final double[][] CENTRES = {{74, 74}, {182, 74}, {182, 182}, {74, 182}, {128, 206}};

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "installer/icons");
        Files.createDirectories(out);
        Files.write(out.resolve("itae-studio.png"), png(render(256)));
        Files.write(out.resolve("itae-studio.ico"), ico(new int[] {16, 24, 32, 48, 64, 128, 256}));
        Files.write(out.resolve("itae-studio.icns"), icns());
        System.out.println("icons written to " + out.toAbsolutePath());
    }

    /** The icon at {@code size} x {@code size} pixels, drawn as vectors so every size is sharp. */
    static BufferedImage render(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.scale(size / 256.0, size / 256.0);
        g.setColor(new Color(0x161B22));
        g.fill(new RoundRectangle2D.Double(8, 8, 240, 240, 104, 104));
        // Each cluster is a small sunflower of dots (golden-angle spiral): round, even, and the same on every run.
        // Small sizes get fewer, bigger dots so the clusters still read as clusters.
        boolean small = size < 48;
        int dots = small ? 4 : 11;
        double r = small ? 14 : 8;
        double spread = small ? 16 : 27;
        double golden = Math.PI * (3 - Math.sqrt(5));
        for (int c = 0; c < CENTRES.length; c++) {
            Color col = PALETTE[c];
            g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 240));
            for (int i = 0; i < dots; i++) {
                double rho = spread * Math.sqrt((i + 0.5) / dots);
                double theta = i * golden + c;
                double x = CENTRES[c][0] + rho * Math.cos(theta);
                double y = CENTRES[c][1] + rho * Math.sin(theta);
                g.fill(new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
            }
        }
        // One "artifact" patch between the clusters, outlined in the inspector's cyan.
        g.setColor(new Color(0x00E5FF));
        g.setStroke(new BasicStroke(small ? 12f : 7f));
        g.draw(new Rectangle2D.Double(110, 110, 36, 36));
        g.dispose();
        return img;
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** Windows .ico with PNG-compressed entries (supported since Windows Vista). */
    static byte[] ico(int[] sizes) throws IOException {
        List<byte[]> images = new ArrayList<>();
        for (int s : sizes) {
            images.add(png(render(s)));
        }
        int offset = 6 + 16 * sizes.length;
        ByteBuffer header = ByteBuffer.allocate(offset).order(ByteOrder.LITTLE_ENDIAN);
        header.putShort((short) 0).putShort((short) 1).putShort((short) sizes.length); // reserved, type icon, count
        for (int i = 0; i < sizes.length; i++) {
            int s = sizes[i];
            header.put((byte) (s >= 256 ? 0 : s)).put((byte) (s >= 256 ? 0 : s)); // 0 means 256
            header.put((byte) 0).put((byte) 0);                                    // no palette, reserved
            header.putShort((short) 1).putShort((short) 32);                       // planes, bits per pixel
            header.putInt(images.get(i).length).putInt(offset);
            offset += images.get(i).length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header.array());
        for (byte[] image : images) {
            out.write(image);
        }
        return out.toByteArray();
    }

    /** macOS .icns with PNG entries: icp4 16, icp5 32, icp6 64, ic07 128, ic08 256, ic09 512, ic10 1024 px. */
    static byte[] icns() throws IOException {
        String[] types = {"icp4", "icp5", "icp6", "ic07", "ic08", "ic09", "ic10"};
        int[] sizes = {16, 32, 64, 128, 256, 512, 1024};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body); // big-endian, as icns wants
        for (int i = 0; i < types.length; i++) {
            byte[] image = png(render(sizes[i]));
            d.writeBytes(types[i]);
            d.writeInt(8 + image.length);
            d.write(image);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(out);
        o.writeBytes("icns");
        o.writeInt(8 + body.size());
        o.write(body.toByteArray());
        return out.toByteArray();
    }
}
