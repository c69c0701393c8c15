package org.headroom.runtime;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread factory of Headroom: daemon threads named {@code <prefix>-<n>} (a stuck agent's
 * thread dump says who is stuck) that log whatever escapes them instead of dying silently.
 */
public final class NamedThreads implements ThreadFactory {
    private static final Logger LOG = LoggerFactory.getLogger(NamedThreads.class);
    private static final Thread.UncaughtExceptionHandler REPORT =
            (t, e) -> LOG.error("thread {} died of {}", t.getName(), e.toString(), e);

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    private NamedThreads(String prefix) {
        this.prefix = prefix;
    }

    public static NamedThreads prefixed(String prefix) {
        return new NamedThreads(prefix);
    }

    @Override
    public Thread newThread(Runnable r) {
        return daemon(prefix + "-" + count.incrementAndGet(), r);
    }

    /** A thread of its own for a long-running loop (a socket reader, an event loop), not yet started. */
    public static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler(REPORT);
        return t;
    }
}
