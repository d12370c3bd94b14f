package org.itaestudio.ui;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.beans.binding.Binding;
import javafx.beans.property.Property;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;

/**
 * The listeners and bindings a view holds on longer-lived models, removed together by {@link #close()}: a view that
 * is rebuilt or closed leaves nothing behind on the view models. Listeners on a view's own nodes need none of this
 * (they go with the nodes).
 */
final class Subscriptions implements AutoCloseable {

    private final List<Runnable> removals = new ArrayList<>();

    /** Calls {@code listener} on every invalidation of any of {@code sources}. */
    void onInvalidated(InvalidationListener listener, Observable... sources) {
        for (Observable o : sources) {
            o.addListener(listener);
            removals.add(() -> o.removeListener(listener));
        }
    }

    /** Runs {@code action} whenever any of {@code sources} changes. */
    void onChange(Runnable action, Observable... sources) {
        onInvalidated(o -> action.run(), sources);
    }

    <T> void onChange(ObservableValue<T> source, ChangeListener<? super T> listener) {
        source.addListener(listener);
        removals.add(() -> source.removeListener(listener));
    }

    /**
     * {@code target.bind(source)}, undone on close. A {@link Binding} given here belongs to the view (made for this
     * target) and is disposed too, so it stops listening to its dependencies at once rather than when collected.
     */
    <T> void bind(Property<T> target, ObservableValue<? extends T> source) {
        target.bind(source);
        removals.add(target::unbind);
        if (source instanceof Binding<?> own) {
            removals.add(own::dispose);
        }
    }

    /** {@code a.bindBidirectional(b)}, undone on close. */
    <T> void bindBidirectional(Property<T> a, Property<T> b) {
        a.bindBidirectional(b);
        removals.add(() -> a.unbindBidirectional(b));
    }

    /** Adds another set whose close this one's close includes (a part of a view). */
    void add(Subscriptions part) {
        removals.add(part::close);
    }

    /** How many listeners and bindings are held (tests). */
    int size() {
        return removals.size();
    }

    /** Removes everything, newest first; the set can be filled again afterwards. */
    @Override
    public void close() {
        for (int i = removals.size() - 1; i >= 0; i--) {
            removals.get(i).run();
        }
        removals.clear();
    }
}
