package org.headroom.api.spm;

/**
 * The storage pool manager role, as this host knows it. Only the SPM changes what the volumes of
 * shared block storage are (creates, removes, resizes them: LVM metadata has one writer); every
 * other host asks it, through the mailbox for extensions.
 */
public interface SpmRole {

    /** True while this host is the SPM. */
    boolean held();

    /** The SPM's host id as far as this host knows, or 0 when it does not know. */
    int spmHostId();
}
