package org.headroom.api.hypervisor;

/** Receives {@link DriveEvent}s from a {@link Hypervisor}. */
@FunctionalInterface
public interface DriveEventListener {
    void onEvent(DriveEvent event);
}
