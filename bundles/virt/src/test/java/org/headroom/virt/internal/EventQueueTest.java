package org.headroom.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.testing.FakeScheduler;
import org.junit.jupiter.api.Test;

/** The overflow policy of libvirt's events on their way to the connection thread. */
class EventQueueTest {
    private final FakeScheduler thread = new FakeScheduler();
    private final List<Object> told = new ArrayList<>();

    private EventQueue queue(int limit) {
        return new EventQueue(thread, limit, told::add);
    }

    private Runnable event(String name) {
        return () -> told.add(name);
    }

    private static DriveEvent.EventsLost lost(String vm) {
        return new DriveEvent.EventsLost(vm, EventQueue.DROPPED);
    }

    @Test
    void eventsRunOnTheThreadInOrder() {
        EventQueue q = queue(4);
        q.submit("vm1", event("a"));
        q.submit("vm2", event("b"));
        assertThat(told).as("nothing on the producer's thread").isEmpty();

        thread.runReady();

        assertThat(told).containsExactly("a", "b");
        assertThat(q.dropped()).isZero();
    }

    @Test
    void anEventBeyondTheLimitIsDroppedCountedAndItsVmToldEventsLostOnTheThread() {
        EventQueue q = queue(2);
        q.submit("vm1", event("a"));
        q.submit("vm2", event("b"));
        q.submit("vm3", event("c"));
        assertThat(q.dropped()).isEqualTo(1);
        assertThat(told).isEmpty();

        thread.runReady();

        assertThat(told).containsExactly("a", lost("vm3"), "b");
    }

    @Test
    void anEventTheSchedulerRefusesIsDroppedTheSameWay() {
        thread.capacity(1);
        EventQueue q = queue(100);
        q.submit("vm1", event("a"));
        q.submit("vm2", event("b"));

        thread.runReady();

        assertThat(q.dropped()).isEqualTo(1);
        assertThat(told).containsExactly("a", lost("vm2"));
    }

    @Test
    void manyDroppedEventsOfOneVmAreToldOnce() {
        EventQueue q = queue(1);
        q.submit("vm1", event("a"));
        for (int i = 0; i < 5; i++) {
            q.submit("vm2", event("dropped"));
        }

        thread.runReady();

        assertThat(q.dropped()).isEqualTo(5);
        assertThat(told).containsExactly("a", lost("vm2"));
    }

    @Test
    void theRelistTellsTheLossWhenNoEventFollows() {
        thread.close(); // refuses everything, as a thread that is stuck would leave the queue full
        EventQueue q = queue(8);
        q.submit("vm1", event("a"));

        q.reportLost();

        assertThat(told).containsExactly(lost("vm1"));
    }

    @Test
    void aQueueThatDrainedTakesEventsAgain() {
        EventQueue q = queue(1);
        q.submit("vm1", event("a"));
        q.submit("vm1", event("dropped"));
        thread.runReady();

        q.submit("vm1", event("b"));
        thread.runReady();

        assertThat(told).containsExactly("a", lost("vm1"), "b");
        assertThat(q.dropped()).isEqualTo(1);
    }
}
