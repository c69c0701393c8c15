package org.headroom.thinextend.management;

/** JMX view of the volume monitor: {@code org.headroom:type=VolumeMonitor}. */
public interface VolumeMonitorMBean {
    String getPolicy();

    long getExtensions();

    long getPauses();

    long getFailures();

    double getLatencyP50Millis();

    double getLatencyP99Millis();
}
