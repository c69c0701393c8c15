package org.headroom.api.spm;

/** The contention of this host for the SPM role (the SDM lease of the master domain). */
public interface SpmElectionService {

    SpmStatus status();

    /**
     * Gives the role up if this host holds it: the SPM side stops, the SDM lease is released, and
     * this host does not contend again for a few intervals, so that another candidate takes it.
     *
     * @return whether this host held the role
     */
    boolean handOver();
}
