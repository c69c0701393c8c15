package org.headroom.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.headroom.runtime.Cancellable;
import org.junit.jupiter.api.Test;

class FakeSchedulerTest {

    @Test
    void tasksRunInTimeOrderWhenTheClockReachesThem() {
        FakeScheduler s = new FakeScheduler();
        List<String> ran = new ArrayList<>();
        long start = s.nanoTime();
        s.schedule(() -> ran.add("b@2s " + (s.nanoTime() - start)), 2, TimeUnit.SECONDS);
        s.schedule(() -> ran.add("a@1s " + (s.nanoTime() - start)), 1, TimeUnit.SECONDS);
        s.execute(() -> ran.add("now"));
        assertThat(ran).isEmpty();
        s.runReady();
        assertThat(ran).containsExactly("now");
        s.advance(Duration.ofMillis(1500));
        assertThat(ran).containsExactly("now", "a@1s 1000000000");
        assertThat(s.nanoTime() - start).isEqualTo(1_500_000_000L);
        s.advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("now", "a@1s 1000000000", "b@2s 2000000000");
    }

    @Test
    void aStalledSchedulerRunsWhatFellDueLateAtTheNextRunReady() {
        FakeScheduler s = new FakeScheduler();
        List<Long> ranAt = new ArrayList<>();
        long start = s.nanoTime();
        s.execute(() -> ranAt.add(s.nanoTime() - start));
        s.stall(Duration.ofMillis(3));
        assertThat(ranAt).isEmpty();
        s.runReady();
        assertThat(ranAt).containsExactly(3_000_000L);
    }

    @Test
    void cancelledTasksDoNotRunAndTheCapacityIsEnforced() {
        FakeScheduler s = new FakeScheduler().capacity(1);
        List<String> ran = new ArrayList<>();
        Cancellable c = s.schedule(() -> ran.add("x"), 1, TimeUnit.SECONDS);
        assertThatThrownBy(() -> s.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(c.cancel()).isTrue();
        s.advance(Duration.ofSeconds(5));
        assertThat(ran).isEmpty();
    }

    @Test
    void aTaskSchedulingItselfForeverWithoutDelayIsCaught() {
        FakeScheduler s = new FakeScheduler();
        Runnable[] loop = new Runnable[1];
        loop[0] = () -> s.execute(loop[0]);
        s.execute(loop[0]);
        assertThatThrownBy(s::runReady).isInstanceOf(IllegalStateException.class).hasMessageContaining("reschedules itself");
    }
}
