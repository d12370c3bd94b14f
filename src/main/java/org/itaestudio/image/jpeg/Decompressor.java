package org.itaestudio.image.jpeg;

import org.itaestudio.image.RgbImage;
import org.itaestudio.image.jpeg.ScaledJpegDecoder.CorruptJpegException;
import org.itaestudio.image.jpeg.ScaledJpegDecoder.UnsupportedJpegException;

/**
 * One decode of a whole JPEG at one scale (jdapistd.c with jdmainct.c and jdpostct.c): reads the markers, lays out
 * the frame at the first scan, decodes every scan into the component planes, then upsamples and colour-converts
 * them row by row into RGB.
 */
final class Decompressor {

    private final MarkerReader markers;
    private final int scale;
    /** Set at the first scan, when the markers that decide the colour space have all been seen. */
    private FrameLayout layout;
    private int scans;

    Decompressor(byte[] data, int scale) {
        this.markers = new MarkerReader(data);
        this.scale = scale;
    }

    RgbImage decode() throws UnsupportedJpegException, CorruptJpegException {
        markers.readSoi();
        MarkerReader.Reached reached;
        while ((reached = markers.readMarkers()) != MarkerReader.Reached.END_OF_IMAGE) {
            if (reached == MarkerReader.Reached.SCAN_HEADER) {
                readScan();
            }
        }
        if (markers.header() == null || scans == 0) {
            throw CorruptJpegException.badSegment("no image data");
        }
        for (Component c : markers.components()) {
            if (!c.seen) {
                throw new UnsupportedJpegException("component without a scan");
            }
        }
        return output();
    }

    private void readScan() throws UnsupportedJpegException, CorruptJpegException {
        int count = markers.readScanComponentCount();
        if (layout == null) {
            if (markers.rgbCoded()) {
                throw new UnsupportedJpegException("RGB-coded JPEG");
            }
            layout = FrameLayout.of(markers.header(), markers.components(), scale);
        }
        Component[] inScan = markers.readScanComponents(count);
        EntropyDecoder entropy = markers.readEntropyCodedData();
        ScanDecoder.decode(entropy, inScan, layout, markers.restartInterval());
        scans++;
    }

    private RgbImage output() {
        int w = layout.outWidth();
        int h = layout.outHeight();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        Component[] comps = markers.components();
        if (comps.length == 1) {
            Component c = comps[0]; // a single component is always full size
            for (int y = 0; y < h; y++) {
                ColorConverter.grayRow(c.plane, y * c.stride, rgb, y * w * 3, w);
            }
            return new RgbImage(w, h, rgb);
        }
        byte[][] rows = new byte[3][w];
        int[] sums = new int[w];
        byte[][] src = new byte[3][];
        int[] srcOff = new int[3];
        for (int y = 0; y < h; y++) {
            for (int ci = 0; ci < 3; ci++) {
                Component c = comps[ci];
                if (c.upsample == UpsampleMethod.FULL) {
                    src[ci] = c.plane;
                    srcOff[ci] = y * c.stride;
                } else {
                    Upsampler.row(c, y, rows[ci], w, sums);
                    src[ci] = rows[ci];
                    srcOff[ci] = 0;
                }
            }
            ColorConverter.yccRow(src[0], srcOff[0], src[1], srcOff[1], src[2], srcOff[2], rgb, y * w * 3, w);
        }
        return new RgbImage(w, h, rgb);
    }
}
