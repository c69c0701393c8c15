package org.headroom.lease.sanlock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.headroom.lease.sanlock.SanlockException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real threads blocked on latches stand in for native calls that do not return. */
class BoundedCallsTest {
    private final BoundedCalls calls = new BoundedCalls("test-call", 1, 2);
    private final CountDownLatch unblock = new CountDownLatch(1);

    @AfterEach
    void release() {
        unblock.countDown();
        calls.close();
    }

    private int blocked(int rv) {
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
        assertThat(calls.abandoned()).isEqualTo(1);
        assertThat(late).isNotDone();
        unblock.countDown();
        assertThat(late.get(5, TimeUnit.SECONDS)).isEqualTo(-243);
    }

    @Test
    void aCallThatWaitedForAThreadPastItsBoundNeverRuns() throws Exception {
        CompletableFuture.runAsync(() -> calls.run("acquire", "", Duration.ofSeconds(10), () -> blocked(0), late -> { }));
        AtomicBoolean ran = new AtomicBoolean();
        Thread.sleep(50);
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
        assertThat(calls.abandoned()).isZero();
    }

    @Test
    void aFullQueueFailsAtOnce() throws Exception {
        for (int i = 0; i < 3; i++) { // one running, two waiting
            CompletableFuture.runAsync(() -> calls.run("acquire", "", Duration.ofSeconds(10), () -> blocked(0), late -> { }));
        }
        Thread.sleep(100);
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
