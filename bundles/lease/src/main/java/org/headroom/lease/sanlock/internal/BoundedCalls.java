package org.headroom.lease.sanlock.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import org.headroom.lease.sanlock.SanlockException;
import org.headroom.runtime.ThreadScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Native calls with a bound. A call into libsanlock cannot be interrupted: it blocks in recv()
 * until the daemon answers, which a stopped daemon never does. So each call runs on one of a few
 * call threads while its caller waits at most the bound; past it the caller gets
 * {@link SanlockException.Timeout}. A call still waiting for a thread is dropped and never runs; a
 * running one is abandoned: its thread stays with it, and when it returns its result goes to the
 * caller's {@code late} handler (a registration closes its socket there).
 */
public final class BoundedCalls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedCalls.class);
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int DROPPED = 3;
    private static final int ABANDONED = 4;

    private final ThreadScheduler threads;

    /** {@code threads} call threads named {@code name-N}; at most {@code queue} calls waiting for one. */
    public BoundedCalls(String name, int threads, int queue) {
        this.threads = ThreadScheduler.create(name, threads, queue);
    }

    /**
     * Runs {@code call} and returns its result, within {@code bound}.
     *
     * @param late told the result of a call that returned after its caller gave up on it
     * @throws SanlockException.Timeout past the bound, or when every call thread is taken and
     *                                  the queue is full
     */
    public int run(String name, String context, Duration bound, IntSupplier call, IntConsumer late) {
        Call c = new Call(name, call, late);
        try {
            threads.schedule(c, 0, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException full) {
            throw timeout(name, context, "no call thread free and " + full.getMessage(), false);
        }
        try {
            return c.result.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return giveUp(c, name, context, "no answer within " + bound.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return giveUp(c, name, context, "interrupted while waiting");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(name + " failed", cause);
        }
    }

    private int giveUp(Call c, String name, String context, String why) {
        if (c.state.compareAndSet(QUEUED, DROPPED)) {
            throw timeout(name, context, why + " (it waited for a call thread and never ran)", false);
        }
        if (c.state.compareAndSet(RUNNING, ABANDONED)) {
            throw timeout(name, context, why + " (the daemon may still carry it out)", true);
        }
        return c.result.join(); // it returned meanwhile
    }

    private static SanlockException.Timeout timeout(String name, String context, String why, boolean started) {
        return new SanlockException.Timeout(name, ReturnCodes.ETIMEDOUT, "ETIMEDOUT",
                why + (context.isEmpty() ? "" : "; " + context), started);
    }

    /** Calls waiting for a call thread now. */
    int waiting() {
        return threads.queued();
    }

    @Override
    public void close() {
        threads.close(Duration.ofSeconds(1));
    }

    private static final class Call implements Runnable {
        final AtomicInteger state = new AtomicInteger(QUEUED);
        final CompletableFuture<Integer> result = new CompletableFuture<>();
        final String name;
        final IntSupplier call;
        final IntConsumer late;

        Call(String name, IntSupplier call, IntConsumer late) {
            this.name = name;
            this.call = call;
            this.late = late;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return;
            }
            int rv;
            try {
                rv = call.getAsInt();
            } catch (Throwable t) {
                // Its caller gets it; one that gave up hears of it only here.
                result.completeExceptionally(t);
                if (!state.compareAndSet(RUNNING, DONE)) {
                    LOG.warn("sanlock {} failed after its caller gave up on it: {}", name, t.toString(), t);
                }
                return;
            }
            result.complete(rv);
            if (!state.compareAndSet(RUNNING, DONE)) {
                LOG.warn("sanlock {} returned {} after its caller gave up on it", name, rv);
                late.accept(rv);
            }
        }
    }
}
