/**
 * The fast JPEG path: a pure-Java port of what libjpeg-turbo 2.1.5 runs for Pillow 9.4's {@code Image.draft()},
 * decoding baseline JPEGs at 1/2, 1/4 or 1/8 of their size in the DCT domain, bit-identical to PIL.
 *
 * <p>{@link org.itaestudio.image.jpeg.ScaledJpegDecoder} is the only public class (what it equals, decodes and
 * rejects is described there). The rest is package-private, one class per libjpeg source file so that each can be
 * read beside the C code it follows:
 * <ul>
 *   <li>{@code MarkerReader}: jdmarker.c (markers, tables, frame and scan headers) and the colour-space rule of
 *       jdapimin.c;</li>
 *   <li>{@code HuffmanTable}, {@code EntropyDecoder}: jdhuff.c (derived tables, bit buffer, block decoding,
 *       restart markers);</li>
 *   <li>{@code ScanDecoder}: jdcoefct.c (the block loop of a scan);</li>
 *   <li>{@code Idct}: jddctmgr.c (IDCT per component size) with the ISLOW constants and range limit;
 *       {@code ReducedIdct}: jidctred.c (4x4, 2x2, 1x1); {@code IslowIdct}: jidctint.c (8x8);</li>
 *   <li>{@code FrameLayout}: jdmaster.c (output size, per-component IDCT size);</li>
 *   <li>{@code Upsampler}, {@code UpsampleMethod}: jdsample.c (fancy and replicating upsampling);</li>
 *   <li>{@code ColorConverter}: jdcolor.c (YCbCr and grayscale to RGB);</li>
 *   <li>{@code Decompressor}: jdapistd.c with jdmainct.c/jdpostct.c (one decode, start to RGB);
 *       {@code Component}: jpeglib.h's jpeg_component_info; {@code NaturalOrder}: jutils.c.</li>
 * </ul>
 */
package org.itaestudio.image.jpeg;
