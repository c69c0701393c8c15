package org.headroom.qmp.events;

/** MIGRATION: the migration's status changed (setup, active, pre-switchover, device, completed, failed, ...). */
public record Migration(String status) {
}
