package org.headroom.virt.management;

import org.headroom.virt.internal.HookComponent;
import org.headroom.virt.internal.LibvirtHypervisor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The MBean, registered as a service that Karaf's management exports under its jmx.objectname. */
@Component(service = VirtMBean.class, property = "jmx.objectname=org.headroom:type=Virt")
public class VirtStats implements VirtMBean {

    @Reference
    HookComponent hooks;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile LibvirtHypervisor libvirt;

    @Override
    public boolean isLibvirtConnected() {
        LibvirtHypervisor l = libvirt;
        return l != null && l.connected();
    }

    @Override
    public long getLibvirtReconnects() {
        LibvirtHypervisor l = libvirt;
        return l == null ? 0 : l.reconnects();
    }

    @Override
    public int getLibvirtVms() {
        LibvirtHypervisor l = libvirt;
        return l == null ? 0 : l.vms().size();
    }

    @Override
    public long getHookCalls() {
        return hooks.stats().perOperation().values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public long getHookRefused() {
        return hooks.stats().errors();
    }

    @Override
    public long getHookMalformed() {
        return hooks.stats().malformed();
    }
}
