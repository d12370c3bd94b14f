package org.itaestudio.ui;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import javafx.scene.paint.Color;

/**
 * Perceptual colour maps for heatmaps, as 256-entry tables taken verbatim from matplotlib
 * (tools/gen_ui_colormaps.py writes colormaps.txt). Lookup follows matplotlib: index = floor(t * 256), clamped.
 */
enum ColorMap {
    VIRIDIS("Viridis"), INFERNO("Inferno"), MAGMA("Magma");

    private static final Map<ColorMap, int[]> TABLES = load();

    private final String label;

    ColorMap(String label) {
        this.label = label;
    }

    /** Opaque 0xFFRRGGBB colour of t in [0, 1] (values outside are clamped, NaN maps to 0). */
    public int rgb(double t) {
        return TABLES.get(this)[index(t)];
    }

    public Color color(double t) {
        int c = rgb(t);
        return Color.rgb((c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF);
    }

    static int index(double t) {
        if (!(t > 0)) {
            return 0;
        }
        return (int) Math.min(255, Math.floor(t * 256));
    }

    @Override
    public String toString() {
        return label;
    }

    private static Map<ColorMap, int[]> load() {
        Map<ColorMap, int[]> m = new EnumMap<>(ColorMap.class);
        try (InputStream in = ColorMap.class.getResourceAsStream("colormaps.txt")) {
            if (in == null) {
                throw new IllegalStateException("colormaps.txt missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split("\\s+");
                int[] table = new int[256];
                if (parts.length != 257) {
                    throw new IllegalStateException("colormaps.txt: " + parts[0] + " has " + (parts.length - 1) + " entries, not 256");
                }
                for (int i = 0; i < 256; i++) {
                    table[i] = 0xFF000000 | Integer.parseInt(parts[i + 1].substring(1), 16);
                }
                m.put(ColorMap.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT)), table);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (ColorMap c : values()) {
            if (!m.containsKey(c)) {
                throw new IllegalStateException("colormaps.txt has no table for " + c.name());
            }
        }
        return m;
    }
}
