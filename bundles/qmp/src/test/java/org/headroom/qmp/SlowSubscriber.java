package org.headroom.qmp;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A subscriber stuck in its first event until the test releases it; it records the events' "n"
 * and how many it was told were dropped.
 */
final class SlowSubscriber implements QmpEventListener {
    final List<Integer> delivered = new CopyOnWriteArrayList<>();
    final AtomicLong dropped = new AtomicLong();
    private final CountDownLatch release = new CountDownLatch(1);

    void release() {
        release.countDown();
    }

    @Override
    public void onEvent(QmpEvent event) {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        delivered.add(event.data().path("n").asInt());
    }

    @Override
    public void onEventsDropped(long count) {
        dropped.addAndGet(count);
    }
}
