package org.headroom.thinextend.internal;

/**
 * A thin drive's sizes, bytes: {@code capacity} the guest sees (qcow2 virtual size), {@code physical}
 * the volume's size, {@code allocation} the highest offset written in the volume; {@code replica}
 * while a mirror target of it is being written (live storage migration).
 */
public record DriveSizes(long capacity, long physical, long allocation, boolean replica) {
}
