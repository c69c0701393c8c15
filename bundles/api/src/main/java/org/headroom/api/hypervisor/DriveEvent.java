package org.headroom.api.hypervisor;

/** What a hypervisor reports about a VM's drives. */
public sealed interface DriveEvent {

    /** The VM the event is about. */
    String vm();

    /** A write crossed the armed threshold, which is now disarmed. */
    record ThresholdCrossed(DriveRef drive, long threshold, long exceeded) implements DriveEvent {
        public String vm() {
            return drive.vm();
        }
    }

    /** A write failed for lack of space; the VM is paused (werror=enospc) or about to be. */
    record OutOfSpace(DriveRef drive) implements DriveEvent {
        public String vm() {
            return drive.vm();
        }
    }

    /** The VM was started (or found running): its drives are worth reading now, not at the next check. */
    record Started(String vm) implements DriveEvent {
    }

    /** The VM is gone (shut off, migrated away): its drives are no longer watched. */
    record Stopped(String vm) implements DriveEvent {
    }

    /** The VM stopped running. */
    record Paused(String vm, String reason) implements DriveEvent {
    }

    /** The VM runs again. */
    record Resumed(String vm) implements DriveEvent {
    }

    /**
     * Events of this VM may have been lost (a reconnect, a subscriber too slow): the listener must
     * re-read the VM's drives rather than trust its own view.
     */
    record EventsLost(String vm, String why) implements DriveEvent {
    }
}
