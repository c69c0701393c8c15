package org.headroom.lease.management;

/** JMX view of this host's leases: {@code org.headroom:type=Leases}. */
public interface LeasesMBean {
    int getHostId();

    /** One entry a connected domain: {@code <domain> <state> [problem]}. */
    String[] getLockspaces();

    /** Lockspaces JOINED now. */
    int getLockspacesJoined();

    /** One entry a lease held: {@code <name> <domain>}. */
    String[] getLeasesHeld();

    /** The last storage job of each volume that had one: {@code <volume> <job> <type> <state> host <id>}. */
    String[] getLastJobs();
}
