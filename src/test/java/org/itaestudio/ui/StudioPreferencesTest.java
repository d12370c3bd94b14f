package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.itaestudio.itae.ItaeConfig.Component;
import org.itaestudio.itae.ItaeConfig.Direction;
import org.itaestudio.itae.ItaeConfig.Rows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Unset keys read the defaults of default-preferences.properties; the user's values win. Plain JUnit, no toolkit. */
class StudioPreferencesTest {

    private final StudioPreferences prefs = UiTestSupport.throwawayPrefs();

    @AfterEach
    void removeNode() {
        UiTestSupport.removePrefs(prefs);
    }

    @Test
    void aFreshUserGetsTheDefaults() {
        assertEquals(1440, prefs.getDouble("window.width"));
        assertEquals(900, prefs.getDouble("window.height"));
        assertFalse(prefs.getBoolean("window.maximized"));
        assertFalse(prefs.darkTheme());
        assertEquals("dinov2-small", prefs.get("model"));
        assertEquals("auto", prefs.get("device"));
        assertEquals(0, prefs.getInt("k"));
        assertEquals("tsne", prefs.get("mapMethod"));
        assertEquals(ColorMap.INFERNO, prefs.getEnum("inspector.colormap", ColorMap.class));
        assertEquals(0.6, prefs.getDouble("inspector.opacity"));

        ItaeSettings itae = new ItaeSettings();
        itae.load(prefs);
        assertTrue(itae.enabledProperty().get());
        assertEquals(Component.V, itae.componentProperty().get());
        assertTrue(itae.autoThresholdProperty().get());
        assertEquals(Direction.BELOW, itae.directionProperty().get());
        assertEquals(1.0, itae.strengthProperty().get());
        assertTrue(itae.lastLayerOnlyProperty().get());
        assertEquals(Rows.CLS, itae.rowsProperty().get());
    }

    @Test
    void storedValuesWinAndUnknownConstantsFallBackToTheDefault() {
        prefs.putDouble("window.width", 1000);
        prefs.put("model", "dinov2-base-reg");
        prefs.put("inspector.colormap", "viridis");
        prefs.put("itae.rows", "NO_SUCH_ROWS");
        assertEquals(1000, prefs.getDouble("window.width"));
        assertEquals("dinov2-base-reg", prefs.get("model"));
        assertEquals(ColorMap.VIRIDIS, prefs.getEnum("inspector.colormap", ColorMap.class));
        assertEquals(Rows.CLS, prefs.getEnum("itae.rows", Rows.class));
    }

    @Test
    void aKeyWithoutADefaultIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> prefs.get("no.such.key"));
        assertEquals("no default preference for no.such.key", e.getMessage());
    }
}
