package org.headroom.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribers to something, called in turn; one that throws is logged and the others are still
 * called. Adding returns the handle that removes the subscriber again.
 *
 * @param <L> the listener type
 */
public final class Listeners<L> {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final String what;
    private final List<L> listeners = new CopyOnWriteArrayList<>();

    /** {@code what} names the events in the log line of a failing listener. */
    public Listeners(String what) {
        this.what = what;
    }

    public AutoCloseable add(L listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Calls every listener with {@code event} through {@code call}. */
    public <E> void publish(E event, java.util.function.BiConsumer<? super L, ? super E> call) {
        for (L l : listeners) {
            try {
                call.accept(l, event);
            } catch (RuntimeException e) {
                LOG.error("a listener of {} failed on {}", what, event, e);
            }
        }
    }

    public boolean isEmpty() {
        return listeners.isEmpty();
    }
}
