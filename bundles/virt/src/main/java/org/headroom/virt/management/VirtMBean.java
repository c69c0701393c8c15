package org.headroom.virt.management;

/** JMX view of the libvirt connection and the qemu hook receiver: {@code org.headroom:type=Virt}. */
public interface VirtMBean {
    /** Whether libvirtd is connected; false also when libvirt's VMs are not served (no org.headroom.virt.cfg). */
    boolean isLibvirtConnected();

    /** CONNECTING, CONNECTED, DISCONNECTED, BROKEN, CLOSED; NOT_SERVED without org.headroom.virt.cfg. */
    String getLibvirtState();

    /** Why libvirt is not connected, or "". */
    String getLibvirtProblem();

    long getLibvirtReconnects();

    int getLibvirtVms();

    long getLibvirtEventsIgnored();

    /** libvirt events dropped because the adapter's queue was full (their VMs are read again). */
    long getLibvirtEventsDropped();

    long getLibvirtCallsRefused();

    long getHookCalls();

    /** Hook calls answered with a non-zero exit: libvirt refused the VM's start. */
    long getHookRefused();

    long getHookMalformed();

    /** Hook calls answered "busy": every worker busy and the queue full. */
    long getHookTurnedAway();

    /** "ok", or "broken: ..." */
    String getHookHealth();
}
