package org.headroom.qmp.events;

/** RESUME: the VM runs again. */
public record Resume() {
}
