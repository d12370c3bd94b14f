package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Compares the heatmap and composite pixels with an independent numpy + matplotlib rendering
 * (tools/gen_ui_heatmap_golden.py). Tolerance: exact, except 1/255 per channel for the composite (rounding of
 * p*(1-a)+c*a at .5 can differ between float64 paths).
 */
class HeatmapRendererTest {

    private static Map<String, String[]> golden() throws IOException {
        Map<String, String[]> m = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                HeatmapRendererTest.class.getResourceAsStream("heatmap_golden.txt"), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    String[] p = line.trim().split("\\s+");
                    m.put(p[0], p);
                }
            }
        }
        return m;
    }

    @Test
    void matchesNumpyMatplotlibGolden() throws IOException {
        Map<String, String[]> g = golden();
        String[] grid = g.get("grid");
        int gh = Integer.parseInt(grid[1]), gw = Integer.parseInt(grid[2]);
        int w = Integer.parseInt(grid[4]), h = Integer.parseInt(grid[5]);
        double opacity = Double.parseDouble(grid[7]);
        String[] vs = g.get("values");
        float[] values = new float[vs.length - 1];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Double.parseDouble(vs[i + 1]);
        }
        String[] ps = g.get("photo");
        int[] photo = new int[ps.length - 1];
        for (int i = 0; i < photo.length; i++) {
            photo[i] = Integer.parseInt(ps[i + 1], 16);
        }
        for (ColorMap map : new ColorMap[] {ColorMap.VIRIDIS, ColorMap.MAGMA}) {
            String name = map.name().toLowerCase();
            int[] heat = HeatmapRenderer.heatArgb(values, gh, gw, w, h, map, opacity);
            assertArrayEquals(parse(g.get("heat_" + name)), heat, "heatmap " + name);
            int[] comp = HeatmapRenderer.composite(photo, heat);
            int[] expected = parse(g.get("composite_" + name));
            for (int i = 0; i < comp.length; i++) {
                for (int shift = 0; shift <= 24; shift += 8) {
                    int a = (comp[i] >>> shift) & 0xFF, b = (expected[i] >>> shift) & 0xFF;
                    assertEquals(b, a, 1, "composite " + name + " pixel " + i + " channel shift " + shift);
                }
            }
        }
    }

    private static int[] parse(String[] p) {
        int[] out = new int[p.length - 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) Long.parseLong(p[i + 1], 16);
        }
        return out;
    }

    @Test
    void hottestPatchGetsTheTopColourAndBlocksFollowTheGrid() {
        float[] v = new float[16 * 16];
        v[16 * 3 + 5] = 1f; // row 3, col 5
        int[] px = HeatmapRenderer.heatArgb(v, 16, 16, 224, 224, ColorMap.INFERNO, 1.0);
        int hot = ColorMap.INFERNO.rgb(1);
        int cold = ColorMap.INFERNO.rgb(0);
        // patch (3,5) covers pixels x 70..83, y 42..55 at 14 px per patch
        assertEquals(hot, px[42 * 224 + 70]);
        assertEquals(hot, px[55 * 224 + 83]);
        assertEquals(cold, px[41 * 224 + 70]);
        assertEquals(cold, px[42 * 224 + 84]);
    }

    @Test
    void constantMapIsUniformAndOpacityGoesToAlpha() {
        int[] px = HeatmapRenderer.heatArgb(new float[] {2, 2, 2, 2}, 2, 2, 4, 4, ColorMap.VIRIDIS, 0.5);
        for (int p : px) {
            assertEquals((128 << 24) | (ColorMap.VIRIDIS.rgb(0) & 0xFFFFFF), p);
        }
        assertThrows(IllegalArgumentException.class,
                () -> HeatmapRenderer.heatArgb(new float[3], 2, 2, 4, 4, ColorMap.VIRIDIS, 1));
    }

    @Test
    void headMeanAveragesPerPatch() {
        float[] m = HeatmapRenderer.headMean(new float[][] {{1, 2, 3}, {3, 4, 5}});
        assertArrayEquals(new float[] {2, 3, 4}, m, 1e-6f);
    }
}
