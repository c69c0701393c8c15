package org.headroom.api.hypervisor;

/**
 * A drive as read from its hypervisor.
 *
 * @param ref         the drive
 * @param format      image format ("qcow2", "raw")
 * @param path        the volume under the image: a block device or a file
 * @param nodeName    the node whose offsets are the volume's; thresholds are armed here
 * @param capacity    virtual size the guest sees, bytes
 * @param physical    size of the volume, bytes
 * @param allocation  highest offset written in the volume, bytes
 * @param threshold   armed write threshold, bytes; 0 when none is armed
 * @param ioStatus    "ok", "nospace", "failed" (io-status of the device)
 */
public record DriveInfo(DriveRef ref, String format, String path, String nodeName,
                        long capacity, long physical, long allocation, long threshold,
                        String ioStatus) {

    /** Whether the volume can be smaller than the disk: a thin (chunked) drive worth watching. */
    public boolean thin() {
        return "qcow2".equals(format);
    }
}
