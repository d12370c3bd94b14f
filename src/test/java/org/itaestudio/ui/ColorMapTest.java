package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ColorMapTest {

    @Test
    void tablesMatchMatplotlibAnchors() {
        // well-known matplotlib endpoints and midpoints (exact hex, tolerance 0)
        assertEquals(0xFF440154, ColorMap.VIRIDIS.rgb(0));
        assertEquals(0xFFFDE725, ColorMap.VIRIDIS.rgb(1));
        assertEquals(0xFF21918C, ColorMap.VIRIDIS.rgb(0.5));
        assertEquals(0xFF000004, ColorMap.INFERNO.rgb(0));
        assertEquals(0xFFFCFFA4, ColorMap.INFERNO.rgb(1));
        assertEquals(0xFF000004, ColorMap.MAGMA.rgb(0));
        assertEquals(0xFFFCFDBF, ColorMap.MAGMA.rgb(1));
    }

    @Test
    void lookupFollowsMatplotlibIndexing() {
        assertEquals(0, ColorMap.index(0));
        assertEquals(0, ColorMap.index(-3));
        assertEquals(0, ColorMap.index(Double.NaN));
        assertEquals(127, ColorMap.index(0.4999));
        assertEquals(128, ColorMap.index(0.5));
        assertEquals(255, ColorMap.index(1));
        assertEquals(255, ColorMap.index(7));
    }
}
