package org.headroom.thinextend.internal;

/** The running volume monitor, for the shell commands and the MBean. */
public interface VolumeMonitorService {
    VolumeMonitor monitor();

    String policyName();
}
