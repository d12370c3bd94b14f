package org.itaestudio.ui;

import java.lang.reflect.Field;
import javafx.beans.Observable;

/**
 * How many listeners an observable holds. JavaFX has no public count, so this reads the private
 * {@code ExpressionHelper} of javafx.base's property classes (tests only; fails loudly if their layout changes).
 */
final class ListenerCount {

    private ListenerCount() {
    }

    static int of(Observable o) {
        try {
            Object helper = field(o.getClass(), "helper").get(o);
            if (helper == null) {
                return 0;
            }
            String kind = helper.getClass().getSimpleName();
            if (kind.equals("Generic")) {
                return (int) field(helper.getClass(), "invalidationSize").get(helper)
                        + (int) field(helper.getClass(), "changeSize").get(helper);
            }
            if (kind.equals("SingleInvalidation") || kind.equals("SingleChange")) {
                return 1;
            }
            throw new IllegalStateException("unknown listener helper " + helper.getClass());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot count the listeners of " + o, e);
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        throw new NoSuchFieldException(type + "." + name);
    }
}
