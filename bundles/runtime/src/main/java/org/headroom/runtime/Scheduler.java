package org.headroom.runtime;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Time and work to be done later: the one abstraction that timing logic (resends, timeouts,
 * periodic checks, backoff) is written against. In production a {@link ThreadScheduler}; in tests
 * a fake whose clock only moves when the test moves it, so that a 60-second timeout is tested in
 * microseconds and without sleeping.
 *
 * <p>{@link #execute} and {@link #schedule} throw {@link RejectedExecutionException} when the
 * scheduler is closed or its queue is full: work is never queued without bound.
 */
public interface Scheduler extends Executor {

    /** Monotonic nanoseconds, as {@link System#nanoTime()}: only differences mean anything. */
    long nanoTime();

    /** Runs {@code task} once, {@code delay} from now. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** Runs {@code task} as soon as a thread of this scheduler is free. */
    @Override
    default void execute(Runnable task) {
        schedule(task, 0, TimeUnit.NANOSECONDS);
    }
}
