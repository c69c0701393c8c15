package org.headroom.thinextend.management;

/** JMX view of the volume monitor: {@code org.headroom:type=VolumeMonitor}. */
public interface VolumeMonitorMBean {
    String getPolicy();

    int getWatched();

    long getExtensions();

    long getPauses();

    long getFailures();

    long getStaleResults();

    double getLatencyP50Millis();

    double getLatencyP99Millis();

    String getHealth();
}
