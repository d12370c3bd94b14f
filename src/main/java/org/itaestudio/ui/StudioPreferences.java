package org.itaestudio.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * What the app remembers between runs (java.util.prefs): last and recent folders, model, k, device, the ITAE
 * controls, heatmap look, window size and theme. A key the user never set reads its default from
 * default-preferences.properties (resources/ui). Tests pass their own node so they never touch the user's.
 */
final class StudioPreferences {

    static final int MAX_RECENT = 8;

    private static final String DEFAULTS_RESOURCE = "default-preferences.properties";
    private static final Properties DEFAULTS = loadDefaults();

    private final Preferences node;

    public StudioPreferences(Preferences node) {
        this.node = node;
    }

    public static StudioPreferences user() {
        return new StudioPreferences(Preferences.userRoot().node("org/itaestudio/studio"));
    }

    public Preferences node() {
        return node;
    }

    /** The user's value of {@code key}, or its default. */
    public String get(String key) {
        return node.get(key, defaultOf(key));
    }

    public void put(String key, String value) {
        if (value == null) {
            node.remove(key);
        } else {
            node.put(key, value);
        }
    }

    public double getDouble(String key) {
        return node.getDouble(key, Double.parseDouble(defaultOf(key)));
    }

    public void putDouble(String key, double v) {
        node.putDouble(key, v);
    }

    public int getInt(String key) {
        return node.getInt(key, Integer.parseInt(defaultOf(key)));
    }

    public void putInt(String key, int v) {
        node.putInt(key, v);
    }

    public boolean getBoolean(String key) {
        return node.getBoolean(key, Boolean.parseBoolean(defaultOf(key)));
    }

    /** The user's value of {@code key} as a constant of {@code type} (any case); the default when unset or unknown. */
    public <E extends Enum<E>> E getEnum(String key, Class<E> type) {
        try {
            return Enum.valueOf(type, get(key).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Enum.valueOf(type, defaultOf(key));
        }
    }

    public void putBoolean(String key, boolean v) {
        node.putBoolean(key, v);
    }

    public boolean darkTheme() {
        return getBoolean("theme.dark");
    }

    public void setDarkTheme(boolean dark) {
        node.putBoolean("theme.dark", dark);
    }

    /** Most recent first, at most {@value #MAX_RECENT}. */
    public List<Path> recentFolders() {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < MAX_RECENT; i++) {
            String s = node.get("recent." + i, null);
            if (s != null) {
                out.add(Path.of(s));
            }
        }
        return out;
    }

    /** Records a folder as the last one opened and moves it to the front of the recent list. */
    public void addRecentFolder(Path folder) {
        Path abs = folder.toAbsolutePath().normalize();
        List<Path> recent = recentFolders();
        recent.remove(abs);
        recent.add(0, abs);
        for (int i = 0; i < MAX_RECENT; i++) {
            if (i < recent.size()) {
                node.put("recent." + i, recent.get(i).toString());
            } else {
                node.remove("recent." + i);
            }
        }
        node.put("folder.last", abs.toString());
    }

    public Path lastFolder() {
        String s = node.get("folder.last", null);
        return s == null ? null : Path.of(s);
    }

    /** The default of {@code key}; a key without one is a programming error. */
    static String defaultOf(String key) {
        String value = DEFAULTS.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("no default preference for " + key);
        }
        return value;
    }

    private static Properties loadDefaults() {
        Properties p = new Properties();
        try (InputStream in = StudioPreferences.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS_RESOURCE + " missing from the classpath");
            }
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(DEFAULTS_RESOURCE + " unreadable", e);
        }
        return p;
    }

    public void flush() {
        try {
            node.flush();
        } catch (BackingStoreException e) {
            // preferences are a convenience; losing them must not break the app
        }
    }
}
