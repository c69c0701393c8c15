package org.headroom.api.hypervisor;

import java.util.Objects;

/** A drive of a VM, named as its hypervisor names it ("vd0" for QMP, "vda" for libvirt). */
public record DriveRef(String vm, String drive) {
    public DriveRef {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(drive, "drive");
    }

    @Override
    public String toString() {
        return vm + "/" + drive;
    }
}
