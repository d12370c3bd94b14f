package org.itaestudio.ui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * What the app remembers between runs (java.util.prefs): last and recent folders, model, k, device, the ITAE
 * controls, heatmap look, window size and theme. Tests pass their own node so they never touch the user's.
 */
final class StudioPreferences {

    static final int MAX_RECENT = 8;

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

    public String get(String key, String def) {
        return node.get(key, def);
    }

    public void put(String key, String value) {
        if (value == null) {
            node.remove(key);
        } else {
            node.put(key, value);
        }
    }

    public double getDouble(String key, double def) {
        return node.getDouble(key, def);
    }

    public void putDouble(String key, double v) {
        node.putDouble(key, v);
    }

    public int getInt(String key, int def) {
        return node.getInt(key, def);
    }

    public void putInt(String key, int v) {
        node.putInt(key, v);
    }

    public boolean getBoolean(String key, boolean def) {
        return node.getBoolean(key, def);
    }

    public void putBoolean(String key, boolean v) {
        node.putBoolean(key, v);
    }

    public boolean darkTheme() {
        return node.getBoolean("theme.dark", false);
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

    public void flush() {
        try {
            node.flush();
        } catch (BackingStoreException e) {
            // preferences are a convenience; losing them must not break the app
        }
    }
}
