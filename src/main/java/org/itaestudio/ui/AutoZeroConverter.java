package org.itaestudio.ui;

import javafx.util.StringConverter;

/** Spinner text for counts where 0 means "choose automatically": shows and reads "auto"; bad text reads as auto. */
final class AutoZeroConverter extends StringConverter<Integer> {
    @Override
    public String toString(Integer v) {
        return v == null || v == 0 ? "auto" : v.toString();
    }

    @Override
    public Integer fromString(String s) {
        try {
            return s == null || s.isBlank() || s.strip().equalsIgnoreCase("auto") ? 0 : Math.max(0, Integer.parseInt(s.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
