package org.headroom.runtime;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on a fixed number of named threads, also the worker pool of a component
 * (tasks due now are plain work).
 *
 * <p>Bounded: at most {@code capacity} tasks wait at once (due or not); beyond that
 * {@link #schedule} throws {@link RejectedExecutionException} and the caller decides (fail the
 * request, count it): a stuck consumer shows as rejections, never as a heap that fills. A task that
 * throws anything, an {@link Error} included, is logged, counted and handed to the owner's failure
 * handler (which may mark its component broken); the thread lives on.
 */
public final class ThreadScheduler implements Scheduler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadScheduler.class);

    private final String name;
    private final int capacity;
    private final ScheduledThreadPoolExecutor executor;
    private final Consumer<Throwable> onFailure;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    private ThreadScheduler(String name, int threads, int capacity, Consumer<Throwable> onFailure) {
        if (threads < 1 || capacity < 1) {
            throw new IllegalArgumentException(name + ": threads and capacity must be positive: " + threads + ", " + capacity);
        }
        this.name = name;
        this.capacity = capacity;
        this.onFailure = onFailure;
        this.executor = new ScheduledThreadPoolExecutor(threads, NamedThreads.prefixed(name));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** {@code threads} threads named {@code name-N}, at most {@code capacity} tasks waiting. */
    public static ThreadScheduler create(String name, int threads, int capacity) {
        return new ThreadScheduler(name, threads, capacity, t -> { });
    }

    /** As {@link #create}, telling {@code onFailure} of every task that threw. */
    public static ThreadScheduler create(String name, int threads, int capacity, Consumer<Throwable> onFailure) {
        return new ThreadScheduler(name, threads, capacity, onFailure);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            rejected.incrementAndGet();
            throw new RejectedExecutionException(name + ": " + capacity + " tasks already waiting");
        }
        ScheduledFuture<?> future;
        try {
            future = executor.schedule(() -> {
                queued.decrementAndGet();
                runGuarded(task);
            }, delay, unit);
        } catch (RejectedExecutionException closed) {
            queued.decrementAndGet();
            rejected.incrementAndGet();
            throw new RejectedExecutionException(name + " is closed", closed);
        }
        return () -> {
            boolean cancelled = future.cancel(false);
            if (cancelled) {
                queued.decrementAndGet();
            }
            return cancelled;
        };
    }

    private void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            failures.incrementAndGet();
            LOG.error("{}: a task failed: {}", name, t.toString(), t);
            try {
                onFailure.accept(t);
            } catch (RuntimeException e) {
                LOG.error("{}: the failure handler failed too", name, e);
            }
        }
    }

    /** Tasks waiting now. */
    public int queued() {
        return queued.get();
    }

    /** Tasks that threw since the start. */
    public long failures() {
        return failures.get();
    }

    /** Tasks refused because the queue was full or the scheduler closed. */
    public long rejected() {
        return rejected.get();
    }

    public boolean isClosed() {
        return executor.isShutdown();
    }

    /** Stops the threads: waiting tasks are dropped, running ones interrupted, for at most {@code wait}. */
    public void close(Duration wait) {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{}: a task still runs {} ms after close", name, wait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return name;
    }
}
