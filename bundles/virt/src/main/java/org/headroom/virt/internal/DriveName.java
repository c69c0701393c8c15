package org.headroom.virt.internal;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A drive as libvirt's events name it: {@code vda} (the disk) or {@code vda[3]} (the image of
 * index 3 in its backing chain). An event armed on the top image by index fires for both names;
 * only the indexed one is acted on.
 */
record DriveName(String target, OptionalInt index) {
    /** A disk's target as libvirt's events name it: a disk whose target is no such name cannot be told apart in them. */
    static final Pattern TARGET = Pattern.compile("[A-Za-z0-9_-]+");
    /** An image's index in an event name: {@link DomainXml} reads no other. */
    static final Pattern INDEX = Pattern.compile("\\d{1,9}");
    private static final Pattern INDEXED = Pattern.compile("(" + TARGET + ")\\[(" + INDEX + ")]");

    static DriveName parse(String dev) {
        Matcher m = INDEXED.matcher(dev);
        if (m.matches()) {
            return new DriveName(m.group(1), OptionalInt.of(Integer.parseInt(m.group(2))));
        }
        return new DriveName(dev, OptionalInt.empty());
    }

    /** libvirt's name: {@code vda[3]}, or {@code vda} without an index. */
    @Override
    public String toString() {
        return index.isPresent() ? target + "[" + index.getAsInt() + "]" : target;
    }
}
