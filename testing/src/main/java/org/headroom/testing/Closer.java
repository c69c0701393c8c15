package org.headroom.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (daemons, processes, clients), closed in reverse order however the test
 * ended: every one is closed even when one fails, and the first failure is thrown after.
 */
public final class Closer implements AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();

    /** Registers {@code c} to be closed; returns it. */
    public <T extends AutoCloseable> T add(T c) {
        started.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (first != null) {
            throw first;
        }
    }
}
