package org.headroom.virt.management;

/** JMX view of the libvirt connection and the qemu hook receiver: {@code org.headroom:type=Virt}. */
public interface VirtMBean {
    /** Whether libvirtd is connected; false also when libvirt's VMs are not served (no org.headroom.virt.cfg). */
    boolean isLibvirtConnected();

    long getLibvirtReconnects();

    int getLibvirtVms();

    long getHookCalls();

    /** Hook calls answered with a non-zero exit: libvirt refused the VM's start. */
    long getHookRefused();

    long getHookMalformed();
}
