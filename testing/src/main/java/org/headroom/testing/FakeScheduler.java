package org.headroom.testing;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.Scheduler;

/**
 * A {@link Scheduler} whose clock moves only when the test moves it (OkHttp's TaskFaker is the
 * model): tasks run on the test's own thread, in time order, when {@link #advance} or
 * {@link #runReady} reaches them. A test of a 60-second timeout takes microseconds and never sleeps;
 * what ran is deterministic.
 */
public final class FakeScheduler implements Scheduler {
    /** Past this many tasks in one call, a task that keeps rescheduling itself at "now" is a bug. */
    private static final int RUN_LIMIT = 1_000_000;

    private record Task(long at, long seq, Runnable body) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) ->
            a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000_000L;
    private long seq;
    private int capacity = Integer.MAX_VALUE;
    private boolean closed;
    private long ran;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        if (closed) {
            throw new RejectedExecutionException("fake scheduler closed");
        }
        if (tasks.size() >= capacity) {
            throw new RejectedExecutionException("fake scheduler: " + capacity + " tasks already waiting");
        }
        Task t = new Task(now + Math.max(0, unit.toNanos(delay)), seq++, task);
        tasks.add(t);
        return () -> {
            synchronized (this) {
                return tasks.remove(t);
            }
        };
    }

    /** Refuse tasks beyond this many waiting, as a bounded scheduler does. */
    public synchronized FakeScheduler capacity(int n) {
        capacity = n;
        return this;
    }

    /** Runs every task due now, including those they schedule for now; returns how many ran. */
    public int runReady() {
        return runUntil(nanoTime());
    }

    /** Moves the clock forward by {@code d}, running every task that falls due on the way, in order. */
    public int advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        return runUntil(target);
    }

    /**
     * Moves the clock forward by {@code d} without running anything, as when the scheduler's thread
     * is busy elsewhere: what fell due on the way runs late, at the next {@link #runReady}.
     */
    public synchronized void stall(Duration d) {
        now += d.toNanos();
    }

    public int advance(long amount, TimeUnit unit) {
        return advance(Duration.ofNanos(unit.toNanos(amount)));
    }

    private int runUntil(long target) {
        int count = 0;
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.at > target) {
                    now = Math.max(now, target);
                    return count;
                }
                tasks.poll();
                now = Math.max(now, next.at);
            }
            if (++count > RUN_LIMIT) {
                throw new IllegalStateException("more than " + RUN_LIMIT + " tasks ran without the clock reaching "
                        + target + ": a task reschedules itself without delay");
            }
            ran++;
            next.body.run();
        }
    }

    /** Tasks waiting, due or not. */
    public synchronized int pending() {
        return tasks.size();
    }

    /** Nanoseconds until the next task is due, or -1 when none waits. */
    public synchronized long nextDelayNanos() {
        Task next = tasks.peek();
        return next == null ? -1 : Math.max(0, next.at - now);
    }

    /** Tasks run since the start. */
    public synchronized long ran() {
        return ran;
    }

    public synchronized void close() {
        closed = true;
        tasks.clear();
    }
}
