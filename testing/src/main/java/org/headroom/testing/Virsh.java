package org.headroom.testing;

import java.io.IOException;

/** A libvirtd that virsh talks to: the lab's system daemon, or one simulated host's. */
public interface Virsh {

    /** Runs virsh against this daemon; its output, stripped; a non-zero exit is an IOException. */
    String virsh(String... args) throws IOException, InterruptedException;
}
