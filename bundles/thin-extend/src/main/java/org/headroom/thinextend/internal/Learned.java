package org.headroom.thinextend.internal;

/**
 * What a drive's monitor has measured: the guest's write rate into the volume (bytes/s, from
 * allocation over time) and how long an extension takes, threshold event to re-armed (seconds).
 */
public record Learned(double writeRate, double extensionLatency) {
    public static final Learned NOTHING = new Learned(0, 0);
}
