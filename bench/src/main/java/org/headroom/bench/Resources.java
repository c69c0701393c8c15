package org.headroom.bench;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What one measurement opened, closed last first, every one even when some fail. Closing twice
 * closes nothing twice, and what is added after the close (a shutdown hook got there first) is
 * closed at once and refused.
 */
final class Resources implements AutoCloseable {
    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private boolean closed;

    synchronized <T extends AutoCloseable> T add(T resource) throws Exception {
        if (closed) {
            resource.close();
            throw new IllegalStateException("shutting down");
        }
        open.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() throws Exception {
        closed = true;
        Exception first = null;
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
