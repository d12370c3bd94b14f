package org.itaestudio.ui;

import javafx.scene.paint.Color;

/**
 * The one cluster palette of the app: the gallery headers, map points, legend and change views all take their
 * colours from here, so cluster 3 is the same colour everywhere.
 *
 * <p>The first 20 colours are Tableau 20 reordered so that the ten saturated hues come first and their light
 * partners after them (neighbouring cluster numbers stay easy to tell apart). Beyond 20 the hue walks the golden
 * angle at calm saturation, so any number of clusters gets distinct, stable colours.
 *
 * <p>Images in no cluster are grey, by one rule ({@link #isUnclustered}): a label below 0, or the cluster number
 * that holds HDBSCAN's noise (the "Unclustered" group). Every view asks with the noise cluster it shows
 * ({@code ClusterModel.color} for the current clusters), so the group is grey on the map, its bins, the legend,
 * the gallery header and the menus alike.
 */
final class ClusterPalette {

    private static final int[] BASE = {
            0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F, 0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC,
            0xA0CBE8, 0xFFBE7D, 0x8CD17D, 0xB6992D, 0x499894, 0xF1CE63, 0xD37295, 0xD4A6C8, 0x86BCB6, 0xD7B5A6,
    };

    /** Colour of images that belong to no cluster (label < 0). */
    public static final int UNASSIGNED_RGB = 0x8A8F98;

    private ClusterPalette() {
    }

    /** Whether {@code cluster} holds images in no cluster: below 0, or HDBSCAN's noise cluster (-1: none). */
    public static boolean isUnclustered(int cluster, int noiseCluster) {
        return cluster < 0 || cluster == noiseCluster;
    }

    /** 0xRRGGBB of a cluster, grey when it is the noise cluster ({@code noiseCluster}, -1 when there is none). */
    public static int rgb(int cluster, int noiseCluster) {
        return isUnclustered(cluster, noiseCluster) ? UNASSIGNED_RGB : rgb(cluster);
    }

    /** Opaque 0xFFRRGGBB of a cluster, grey for the noise cluster (for pixel buffers). */
    public static int argb(int cluster, int noiseCluster) {
        return 0xFF000000 | rgb(cluster, noiseCluster);
    }

    public static Color color(int cluster, int noiseCluster) {
        return toColor(rgb(cluster, noiseCluster));
    }

    /** 0xRRGGBB of a cluster when no cluster number is noise. */
    public static int rgb(int cluster) {
        if (cluster < 0) {
            return UNASSIGNED_RGB;
        }
        if (cluster < BASE.length) {
            return BASE[cluster];
        }
        double hue = ((cluster - BASE.length) * 137.50776405 + 17) % 360;
        double sat = 0.45 + 0.15 * ((cluster / 3) % 2);
        double bri = 0.70 + 0.12 * (cluster % 2);
        Color c = Color.hsb(hue, sat, bri);
        return ((int) Math.round(c.getRed() * 255) << 16) | ((int) Math.round(c.getGreen() * 255) << 8)
                | (int) Math.round(c.getBlue() * 255);
    }

    /** Opaque 0xFFRRGGBB of a cluster (for pixel buffers). */
    public static int argb(int cluster) {
        return 0xFF000000 | rgb(cluster);
    }

    public static Color color(int cluster) {
        return toColor(rgb(cluster));
    }

    private static Color toColor(int c) {
        return Color.rgb((c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF);
    }
}
