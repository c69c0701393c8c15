package org.headroom.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadSchedulerTest {

    @Test
    void refusesTasksBeyondItsCapacityAndTakesThemAgainOnceDrained() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try (ThreadScheduler s = ThreadScheduler.create("bounded", 1, 3)) {
            s.execute(() -> {
                started.countDown();
                await(release);
            });
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            s.execute(() -> { });
            s.execute(() -> { });
            s.execute(() -> { });
            assertThatThrownBy(() -> s.execute(() -> { }))
                    .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("3 tasks already waiting");
            assertThat(s.rejected()).isEqualTo(1);
            release.countDown();
            CountDownLatch after = new CountDownLatch(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (s.queued() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            s.execute(after::countDown);
            assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aCancelledTaskFreesItsPlaceAndNeverRuns() throws Exception {
        try (ThreadScheduler s = ThreadScheduler.create("cancel", 1, 1)) {
            List<String> ran = new CopyOnWriteArrayList<>();
            Cancellable c = s.schedule(() -> ran.add("late"), 1, TimeUnit.HOURS);
            assertThat(s.queued()).isEqualTo(1);
            assertThat(c.cancel()).isTrue();
            assertThat(c.cancel()).isFalse();
            assertThat(s.queued()).isZero();
            CountDownLatch done = new CountDownLatch(1);
            s.execute(done::countDown);
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).isEmpty();
        }
    }

    @Test
    void aTaskThatThrowsAnErrorIsReportedAndTheThreadRunsOn() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        try (ThreadScheduler s = ThreadScheduler.create("failing", 1, 10, reported::add)) {
            s.execute(() -> {
                throw new OutOfMemoryError("simulated");
            });
            CountDownLatch next = new CountDownLatch(1);
            s.execute(next::countDown);
            assertThat(next.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(reported).singleElement().isInstanceOf(OutOfMemoryError.class);
            assertThat(s.failures()).isEqualTo(1);
        }
    }

    @Test
    void aClosedSchedulerRefusesWork() {
        ThreadScheduler s = ThreadScheduler.create("closed", 1, 10);
        s.close();
        assertThatThrownBy(() -> s.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("closed");
        assertThat(s.queued()).isZero();
    }

    @Test
    void threadsAreNamedDaemonsThatReportWhatEscapesThem() throws Exception {
        Thread t = NamedThreads.prefixed("worker").newThread(() -> { });
        assertThat(t.getName()).isEqualTo("worker-1");
        assertThat(t.isDaemon()).isTrue();
        assertThat(t.getUncaughtExceptionHandler()).isNotSameAs(t.getThreadGroup());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
