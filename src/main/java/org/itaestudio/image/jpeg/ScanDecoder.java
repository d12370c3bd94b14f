package org.itaestudio.image.jpeg;

import org.itaestudio.image.jpeg.ScaledJpegDecoder.CorruptJpegException;

/**
 * jdcoefct.c {@code decompress_onepass}: walks one scan's blocks in order, Huffman-decodes each, runs its IDCT
 * into the component's plane, and follows the restart markers.
 */
final class ScanDecoder {

    private final EntropyDecoder entropy;
    private final Component[] inScan;
    private final int restartInterval;
    private final int[] workspace = new int[64];
    private int restartsToGo;
    private int nextRestart;

    private ScanDecoder(EntropyDecoder entropy, Component[] inScan, int restartInterval) {
        this.entropy = entropy;
        this.inScan = inScan;
        this.restartInterval = restartInterval;
        this.restartsToGo = restartInterval;
    }

    /**
     * Decodes the scan of {@code inScan} whose entropy-coded data {@code entropy} holds into the component planes
     * laid out by {@code layout}.
     *
     * @param restartInterval MCUs per restart interval, 0 for none
     */
    static void decode(EntropyDecoder entropy, Component[] inScan, FrameLayout layout, int restartInterval)
            throws CorruptJpegException {
        for (Component c : inScan) {
            c.pred = 0;
        }
        ScanDecoder scan = new ScanDecoder(entropy, inScan, restartInterval);
        if (inScan.length == 1) {
            scan.singleComponent(inScan[0]);
        } else {
            scan.interleaved(layout);
        }
        entropy.checkSegmentEnd();
    }

    /** A non-interleaved scan: one block per MCU, only the blocks inside the component. */
    private void singleComponent(Component c) throws CorruptJpegException {
        for (int by = 0; by < c.heightInBlocks; by++) {
            for (int bx = 0; bx < c.widthInBlocks; bx++) {
                countMcu();
                c.pred = entropy.decodeBlock(c.dcTable, c.acTable, c.pred);
                Idct.toPlane(entropy.block(), entropy.touchedMask(), c, bx, by, workspace);
                entropy.clearBlock();
            }
        }
    }

    /** An interleaved scan: whole MCUs; blocks past a component's edge are decoded and dropped. */
    private void interleaved(FrameLayout layout) throws CorruptJpegException {
        for (int my = 0; my < layout.mcuRows(); my++) {
            for (int mx = 0; mx < layout.mcusPerRow(); mx++) {
                countMcu();
                for (Component c : inScan) {
                    for (int yy = 0; yy < c.v; yy++) {
                        int by = my * c.v + yy;
                        for (int xx = 0; xx < c.h; xx++) {
                            int bx = mx * c.h + xx;
                            c.pred = entropy.decodeBlock(c.dcTable, c.acTable, c.pred);
                            if (bx < c.widthInBlocks && by < c.heightInBlocks) {
                                Idct.toPlane(entropy.block(), entropy.touchedMask(), c, bx, by, workspace);
                            }
                            entropy.clearBlock();
                        }
                    }
                }
            }
            entropy.stopIfFarPastSegmentEnd();
        }
    }

    /** Before each MCU: at the end of a restart interval, move to the next segment and reset the DC predictors. */
    private void countMcu() throws CorruptJpegException {
        if (restartInterval > 0) {
            if (restartsToGo == 0) {
                entropy.restart(nextRestart);
                for (Component c : inScan) {
                    c.pred = 0;
                }
                nextRestart = (nextRestart + 1) & 7;
                restartsToGo = restartInterval;
            }
            restartsToGo--;
        }
    }
}
