package org.itaestudio.image.jpeg;

/**
 * One colour component of the frame (jpeglib.h {@code jpeg_component_info}): what the frame and scan headers say
 * about it, its geometry at the chosen scale, and the plane its blocks are decoded into.
 */
final class Component {
    /** Component identifier from the frame header (matched by the scan headers). */
    int id;
    /** Horizontal and vertical sampling factors (1..4). */
    int h;
    int v;
    int quantSelector;
    /** Latched at the component's first scan (libjpeg latch_quant_tables), natural order, as 16-bit values. */
    int[] quant;
    /** True once a scan has carried this component. */
    boolean seen;
    /** The Huffman tables the current scan selects for this component. */
    HuffmanTable dcTable;
    HuffmanTable acTable;
    /** DC predictor within the current scan and restart interval. */
    int pred;

    // geometry at the chosen scale (jdmaster.c), filled in by FrameLayout
    /** Side of this component's IDCT output block: 1, 2, 4 or 8 samples. */
    int scaledSize;
    int widthInBlocks;
    int heightInBlocks;
    int downsampledWidth;
    int downsampledHeight;
    /** Samples per plane row: whole MCUs wide. */
    int stride;
    byte[] plane;

    // how this plane reaches the output size (jdsample.c), filled in by Upsampler.configure
    UpsampleMethod upsample;
    /** Replication factors, for {@link UpsampleMethod#REPLICATE} only. */
    int hExpand;
    int vExpand;
}
