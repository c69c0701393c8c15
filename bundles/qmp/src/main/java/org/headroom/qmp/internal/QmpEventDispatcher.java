package org.headroom.qmp.internal;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.headroom.qmp.QmpClient;
import org.headroom.qmp.QmpEvent;
import org.headroom.qmp.QmpEventListener;
import org.headroom.runtime.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a client's events and connection states to its subscribers, each through its own
 * queue, drained on the shared dispatcher: the reader never waits for a subscriber, and a slow
 * one holds up no other.
 *
 * <p>Each queue holds at most {@code maxEvents} events and {@code maxBytes} bytes of them (as
 * received). Past either, the oldest events are dropped to make room, and the subscriber is told
 * how many before its next delivery ({@link QmpEventListener#onEventsDropped}), so that it can
 * re-read state from QEMU; an event larger than {@code maxBytes} alone is dropped the same way.
 * Connection states are never dropped for events; past {@link #MAX_QUEUED_STATES} waiting, the
 * oldest state goes. One subscriber drains at most {@link #BATCH} items before it yields its
 * thread to the others.
 */
public final class QmpEventDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(QmpEventDispatcher.class);
    static final int MAX_QUEUED_STATES = 8;
    static final int BATCH = 64;
    private static final long RETRY_MILLIS = 10;

    /** Bounds of each subscriber's queue. */
    public record Limits(int maxEvents, long maxBytes) {
    }

    private final String describe;
    private final Executor executor;
    private final Scheduler timer;
    private final Limits limits;
    private final QmpCounters counters;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public QmpEventDispatcher(String describe, Executor executor, Scheduler timer, Limits limits, QmpCounters counters) {
        this.describe = describe;
        this.executor = executor;
        this.timer = timer;
        this.limits = limits;
        this.counters = counters;
    }

    /** Subscribes to the named events (every event when {@code names} is empty) and to connection states. */
    public AutoCloseable subscribe(Set<String> names, QmpEventListener listener) {
        Subscription s = new Subscription(Set.copyOf(names), Objects.requireNonNull(listener));
        subscriptions.add(s);
        return () -> subscriptions.remove(s);
    }

    /** An event of {@code bytes} on the wire; called by the reader. */
    public void publish(QmpEvent event, int bytes) {
        counters.events.increment();
        for (Subscription s : subscriptions) {
            if (s.names.isEmpty() || s.names.contains(event.name())) {
                s.offer(new Item(event, null, bytes));
            }
        }
    }

    /** Events that came but could not be read: every subscriber is told it missed them. */
    public void lost(long count) {
        for (Subscription s : subscriptions) {
            s.missed(count);
        }
    }

    public void state(QmpClient.State state) {
        for (Subscription s : subscriptions) {
            s.offer(new Item(null, state, 0));
        }
    }

    /** Nothing is delivered any more once what is queued has been handed to the executor. */
    public void close() {
        closed = true;
    }

    private record Item(QmpEvent event, QmpClient.State state, int bytes) {
    }

    private final class Subscription {
        final Set<String> names;
        final QmpEventListener listener;
        // Guarded by this.
        final ArrayDeque<Item> queue = new ArrayDeque<>();
        int queuedEvents;
        int queuedStates;
        long queuedBytes;
        long dropped;
        boolean draining;

        Subscription(Set<String> names, QmpEventListener listener) {
            this.names = names;
            this.listener = listener;
        }

        void offer(Item item) {
            synchronized (this) {
                if (item.event() == null) {
                    if (queuedStates >= MAX_QUEUED_STATES) {
                        removeOldest(false);
                    }
                    queue.add(item);
                    queuedStates++;
                } else if (item.bytes() > limits.maxBytes()) {
                    drop(1);
                } else {
                    while (queuedEvents >= limits.maxEvents() || queuedBytes + item.bytes() > limits.maxBytes()) {
                        removeOldest(true);
                    }
                    queue.add(item);
                    queuedEvents++;
                    queuedBytes += item.bytes();
                }
                if (draining) {
                    return;
                }
                draining = true;
            }
            kick();
        }

        void missed(long count) {
            synchronized (this) {
                drop(count);
                if (draining) {
                    return;
                }
                draining = true;
            }
            kick();
        }

        /** Called with the lock held; there is one of the kind to remove. */
        private void removeOldest(boolean event) {
            for (Iterator<Item> it = queue.iterator(); it.hasNext(); ) {
                Item i = it.next();
                if ((i.event() != null) == event) {
                    it.remove();
                    if (event) {
                        queuedEvents--;
                        queuedBytes -= i.bytes();
                        drop(1);
                    } else {
                        queuedStates--;
                    }
                    return;
                }
            }
        }

        private void drop(long count) {
            dropped += count;
            counters.droppedEvents.add(count);
        }

        private void kick() {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException full) {
                if (closed) {
                    synchronized (this) {
                        draining = false;
                    }
                    return;
                }
                // The shared dispatcher is busy: the events wait, bounded, and delivery is tried again.
                try {
                    timer.schedule(this::kick, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException alsoFull) {
                    LOG.warn("{}: cannot deliver events to {} now ({}); they go with the next one", describe, listener,
                            full.getMessage());
                    synchronized (this) {
                        draining = false;
                    }
                }
            }
        }

        void drain() {
            for (int delivered = 0; delivered < BATCH; delivered++) {
                Item item;
                long lost;
                synchronized (this) {
                    lost = dropped;
                    dropped = 0;
                    item = lost > 0 ? null : queue.poll();
                    if (lost == 0 && item == null) {
                        draining = false;
                        return;
                    }
                    if (item != null && item.event() != null) {
                        queuedEvents--;
                        queuedBytes -= item.bytes();
                    } else if (item != null) {
                        queuedStates--;
                    }
                }
                deliver(lost, item);
            }
            kick();
        }

        private void deliver(long lost, Item item) {
            try {
                if (lost > 0) {
                    listener.onEventsDropped(lost);
                } else if (item.event() != null) {
                    listener.onEvent(item.event());
                } else {
                    listener.onConnectionState(item.state());
                }
            } catch (Throwable t) {
                // A listener's failure is its own: it is reported, and its next events still come.
                LOG.error("{}: event listener {} failed", describe, listener, t);
            }
        }
    }
}
