package org.headroom.qmp.events;

/** STOP: the VM's CPUs stopped (paused by a command, an I/O error, a migration). */
public record Stop() {
}
