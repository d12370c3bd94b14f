package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.atomic.AtomicInteger;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.junit.jupiter.api.Test;

class SubscriptionsTest {

    @Test
    void closeRemovesListenersAndBindings() {
        SimpleIntegerProperty source = new SimpleIntegerProperty(1);
        StringProperty model = new SimpleStringProperty("a");
        StringProperty shown = new SimpleStringProperty();
        StringProperty edited = new SimpleStringProperty();
        AtomicInteger calls = new AtomicInteger();
        Subscriptions subs = new Subscriptions();
        subs.onChange(calls::incrementAndGet, source, model);
        subs.onChange(source, (o, a, b) -> calls.incrementAndGet());
        subs.bind(shown, model);
        subs.bindBidirectional(edited, model);
        assertEquals(5, subs.size());
        assertEquals(2, ListenerCount.of(source));

        source.set(2);
        assertEquals(2, calls.get());
        model.set("b");
        assertEquals(3, calls.get());
        assertEquals("b", shown.get());
        assertEquals("b", edited.get());

        subs.close();
        assertEquals(0, subs.size());
        assertEquals(0, ListenerCount.of(source));
        assertEquals(0, ListenerCount.of(model));
        assertFalse(shown.isBound());
        source.set(3);
        model.set("c");
        assertEquals(3, calls.get(), "no listener runs after close");
        assertEquals("b", shown.get());
        assertEquals("b", edited.get());
    }

    @Test
    void aPartIsClosedWithTheWhole() {
        SimpleIntegerProperty source = new SimpleIntegerProperty();
        Subscriptions whole = new Subscriptions();
        Subscriptions part = new Subscriptions();
        part.onChange(() -> { }, source);
        whole.add(part);
        assertEquals(1, ListenerCount.of(source));
        whole.close();
        assertEquals(0, ListenerCount.of(source));
        assertEquals(0, part.size());
    }
}
