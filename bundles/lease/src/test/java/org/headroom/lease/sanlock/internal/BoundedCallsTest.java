package org.headroom.lease.sanlock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.headroom.lease.sanlock.SanlockException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real threads blocked on latches stand in for native calls that do not return. */
class BoundedCallsTest {
    private final BoundedCalls calls = new BoundedCalls("test-call", 1, 2);
    private final CountDownLatch unblock = new CountDownLatch(1);
    private final CountDownLatch running = new CountDownLatch(1);
    private final ExecutorService callers = Executors.newFixedThreadPool(4);

    @AfterEach
    void release() {
        unblock.countDown();
        callers.shutdownNow();
        calls.close();
    }

    private int blocked(int rv) {
        running.countDown();
        try {
            unblock.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return rv;
    }

    @Test
    void aCallReturnsItsResult() {
        assertThat(calls.run("version", "", Duration.ofSeconds(5), () -> 7, late -> { })).isEqualTo(7);
    }

    @Test
    void aRunningCallPastItsBoundIsAbandonedAndItsLateResultHandedOn() throws Exception {
        CompletableFuture<Integer> late = new CompletableFuture<>();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> calls.run("acquire", "lease x", Duration.ofMillis(100), () -> blocked(-243), late::complete))
                .isInstanceOfSatisfying(SanlockException.Timeout.class, t -> {
                    assertThat(t.started()).isTrue();
                    assertThat(t.code()).isEqualTo(-110);
                    assertThat(t.codeName()).isEqualTo("ETIMEDOUT");
                    assertThat(t).hasMessageContaining("no answer within 100 ms").hasMessageContaining("lease x");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(late).isNotDone();
        unblock.countDown();
        assertThat(late.get(5, TimeUnit.SECONDS)).isEqualTo(-243);
    }

    @Test
    void aCallThatWaitedForAThreadPastItsBoundNeverRuns() throws Exception {
        callers.execute(() -> calls.run("acquire", "", Duration.ofSeconds(10), () -> blocked(0), late -> { }));
        AtomicBoolean ran = new AtomicBoolean();
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> calls.run("inquire", "", Duration.ofMillis(100), () -> {
            ran.set(true);
            return 0;
        }, late -> { })).isInstanceOfSatisfying(SanlockException.Timeout.class, t -> {
            assertThat(t.started()).isFalse();
            assertThat(t).hasMessageContaining("never ran");
        });
        unblock.countDown();
        Thread.sleep(200);
        assertThat(ran).isFalse();
    }

    @Test
    void aFullQueueFailsAtOnce() throws Exception {
        callers.execute(() -> calls.run("acquire", "", Duration.ofSeconds(10), () -> blocked(0), late -> { }));
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 2; i++) { // two waiting behind the running one
            callers.execute(() -> calls.run("acquire", "", Duration.ofSeconds(10), () -> blocked(0), late -> { }));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (calls.waiting() < 2 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> calls.run("inquire", "", Duration.ofSeconds(10), () -> 0, late -> { }))
                .isInstanceOfSatisfying(SanlockException.Timeout.class, t -> assertThat(t.started()).isFalse())
                .hasMessageContaining("no call thread free");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void whatACallThrowsReachesItsCaller() {
        assertThatThrownBy(() -> calls.run("inquire", "", Duration.ofSeconds(5), () -> {
            throw new IllegalStateException("registration closed");
        }, late -> { })).isInstanceOf(IllegalStateException.class).hasMessage("registration closed");
        assertThat(calls.run("version", "", Duration.ofSeconds(5), () -> 1, late -> { })).isEqualTo(1);
    }
}
