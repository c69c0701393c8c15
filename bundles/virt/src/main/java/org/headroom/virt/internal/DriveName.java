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
    private static final Pattern INDEXED = Pattern.compile("([A-Za-z0-9_-]+)\\[(\\d{1,9})]");

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
