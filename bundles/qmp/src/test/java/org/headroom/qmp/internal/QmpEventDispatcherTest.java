package org.headroom.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.headroom.qmp.QmpClient;
import org.headroom.qmp.QmpEvent;
import org.headroom.qmp.QmpEventListener;
import org.headroom.qmp.QmpJson;
import org.headroom.testing.FakeScheduler;
import org.junit.jupiter.api.Test;

/** Queues and their bounds, with an executor the test runs by hand. */
class QmpEventDispatcherTest {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final Executor byHand = tasks::add;
    private final QmpCounters counters = new QmpCounters();

    private final List<String> seen = new ArrayList<>();
    private final QmpEventListener recorder = new QmpEventListener() {
        @Override
        public void onEvent(QmpEvent event) {
            seen.add(event.name());
        }

        @Override
        public void onEventsDropped(long count) {
            seen.add("dropped " + count);
        }

        @Override
        public void onConnectionState(QmpClient.State state) {
            seen.add(state.name());
        }
    };

    private QmpEventDispatcher dispatcher(int maxEvents, long maxBytes) {
        return new QmpEventDispatcher("QMP test", byHand, new FakeScheduler(), new QmpEventDispatcher.Limits(maxEvents, maxBytes),
                counters);
    }

    private static QmpEvent event(String name) {
        return new QmpEvent(name, QmpJson.MAPPER.createObjectNode(), 0);
    }

    private void runAll() {
        while (!tasks.isEmpty()) {
            tasks.poll().run();
        }
    }

    @Test
    void theOldestEventsGoWhenTheCountOrTheBytesRunOut() {
        QmpEventDispatcher d = dispatcher(3, 250);
        d.subscribe(Set.of(), recorder);
        for (String name : List.of("A", "B", "C", "D")) {
            d.publish(event(name), 50);
        }
        d.publish(event("E"), 150);
        runAll();
        // D pushes A out (count), E pushes B out (bytes).
        assertThat(seen).containsExactly("dropped 2", "C", "D", "E");
        assertThat(counters.droppedEvents()).isEqualTo(2);
    }

    @Test
    void anEventLargerThanTheWholeQueueIsDroppedAndSaidSo() {
        QmpEventDispatcher d = dispatcher(100, 100);
        d.subscribe(Set.of(), recorder);
        d.publish(event("A"), 10);
        d.publish(event("HUGE"), 101);
        runAll();
        assertThat(seen).containsExactly("dropped 1", "A");
    }

    @Test
    void statesAreNotDroppedForEventsAndSubscribersSeeOnlyTheirNames() {
        QmpEventDispatcher d = dispatcher(1, 1000);
        d.subscribe(Set.of("STOP"), recorder);
        d.state(QmpClient.State.CONNECTED);
        d.publish(event("RESUME"), 10);
        d.publish(event("STOP"), 10);
        d.publish(event("STOP"), 10);
        runAll();
        assertThat(seen).containsExactly("dropped 1", "CONNECTED", "STOP");
    }

    @Test
    void oneSubscriberDrainsABatchThenYieldsItsThread() {
        QmpEventDispatcher d = dispatcher(1000, 1 << 20);
        d.subscribe(Set.of(), recorder);
        for (int i = 0; i < QmpEventDispatcher.BATCH + 5; i++) {
            d.publish(event("E" + i), 10);
        }
        assertThat(tasks).hasSize(1);
        tasks.poll().run();
        assertThat(seen).hasSize(QmpEventDispatcher.BATCH);
        assertThat(tasks).as("the rest waits for its turn").hasSize(1);
        runAll();
        assertThat(seen).hasSize(QmpEventDispatcher.BATCH + 5);
    }

    @Test
    void aListenerThatThrowsAnErrorStillGetsItsNextEvents() {
        QmpEventDispatcher d = dispatcher(100, 1 << 20);
        d.subscribe(Set.of(), e -> {
            seen.add(e.name());
            if (e.name().equals("A")) {
                throw new StackOverflowError("listener bug");
            }
        });
        d.publish(event("A"), 10);
        d.publish(event("B"), 10);
        runAll();
        assertThat(seen).containsExactly("A", "B");
    }

    @Test
    void aFullExecutorIsRetriedOnTheTimer() {
        FakeScheduler timer = new FakeScheduler();
        boolean[] full = {true};
        QmpEventDispatcher d = new QmpEventDispatcher("QMP test", task -> {
            if (full[0]) {
                throw new RejectedExecutionException("full");
            }
            tasks.add(task);
        }, timer, new QmpEventDispatcher.Limits(100, 1 << 20), counters);
        d.subscribe(Set.of(), recorder);
        d.publish(event("A"), 10);
        assertThat(timer.pending()).isEqualTo(1);
        full[0] = false;
        timer.advance(Duration.ofMillis(10));
        runAll();
        assertThat(seen).containsExactly("A");
    }
}
