package org.headroom.virt.internal;

import com.sun.jna.Pointer;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/** A libvirt-java connection that hands its native pointer to the calls bound in {@link LibvirtNative}. */
final class HeadroomConnect extends Connect {

    HeadroomConnect(String uri) throws LibvirtException {
        super(uri);
    }

    Pointer pointer() {
        return vcp.getPointer();
    }
}
