package org.headroom.virt.internal;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.runtime.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of libvirt (and of the hook) on their way to the adapter's connection thread, where
 * they are handled one at a time, in order; at most {@code limit} wait. Each is a few short strings
 * (a VM's name, a device, a path), so the bound in count is also one in bytes.
 *
 * <p>Overflow policy: an event that finds the queue full, or the thread refusing work, is dropped
 * and counted, never waited for: the producer is libvirt's event loop, which must not block (its
 * keepalives would stop). Its VM is then told {@link DriveEvent.EventsLost}, once, after the next
 * event that gets through or at the next relist ({@link #reportLost}), so that the volume monitor
 * reads the VM's drives again instead of trusting a view with a hole in it.
 */
final class EventQueue {
    private static final Logger LOG = LoggerFactory.getLogger(EventQueue.class);
    static final String DROPPED = "libvirt events were dropped: the adapter's event queue was full";

    private final Scheduler thread;
    private final int limit;
    private final Consumer<DriveEvent> publish;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Set<String> lost = ConcurrentHashMap.newKeySet();

    EventQueue(Scheduler thread, int limit, Consumer<DriveEvent> publish) {
        this.thread = thread;
        this.limit = limit;
        this.publish = publish;
    }

    /** Hands {@code event}, about {@code vm}, to the thread; drops it when the queue is full. */
    void submit(String vm, Runnable event) {
        if (waiting.incrementAndGet() > limit) {
            waiting.decrementAndGet();
            drop(vm, limit + " waiting");
            return;
        }
        try {
            thread.execute(() -> {
                waiting.decrementAndGet();
                event.run();
                reportLost();
            });
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet();
            drop(vm, e.getMessage());
        }
    }

    /** On the thread: tells every VM whose events were dropped since the last call. */
    void reportLost() {
        for (Iterator<String> it = lost.iterator(); it.hasNext(); ) {
            String vm = it.next();
            it.remove();
            publish.accept(new DriveEvent.EventsLost(vm, DROPPED));
        }
    }

    /** Events dropped since the start. */
    long dropped() {
        return dropped.get();
    }

    private void drop(String vm, String why) {
        if (dropped.incrementAndGet() % 1000 == 1) {
            LOG.warn("a libvirt event of {} dropped ({}); {} so far: its drives will be read again", vm, why, dropped.get());
        }
        lost.add(vm);
    }
}
