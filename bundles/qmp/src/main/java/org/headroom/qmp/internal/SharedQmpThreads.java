package org.headroom.qmp.internal;

import java.util.concurrent.Executor;
import org.headroom.qmp.QmpThreads;
import org.headroom.runtime.Scheduler;
import org.headroom.runtime.ThreadScheduler;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The timer and the event dispatcher of every QMP client of the agent: one of each for all VMs,
 * bounded (a full queue refuses work, which the clients report), stopped with the bundle.
 */
@Component(service = QmpThreads.class)
public final class SharedQmpThreads implements QmpThreads, AutoCloseable {
    /** Every call's timeout waits here: room for a few hundred VMs with full queues. */
    private static final int TIMER_CAPACITY = 1 << 17;
    /** Listeners should return quickly; a few threads keep one slow listener from stopping the rest. */
    private static final int DISPATCHER_THREADS = 4;
    /** At most one drain per subscriber waits at a time. */
    private static final int DISPATCHER_CAPACITY = 1 << 14;

    private final ThreadScheduler timer = ThreadScheduler.create("qmp-timer", 1, TIMER_CAPACITY);
    private final ThreadScheduler dispatcher = ThreadScheduler.create("qmp-events", DISPATCHER_THREADS, DISPATCHER_CAPACITY);

    @Override
    public Scheduler timer() {
        return timer;
    }

    @Override
    public Executor dispatcher() {
        return dispatcher;
    }

    @Deactivate
    @Override
    public void close() {
        timer.close();
        dispatcher.close();
    }
}
