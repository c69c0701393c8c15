package org.headroom.virt.management;

import java.util.Optional;
import java.util.function.ToLongFunction;
import org.headroom.virt.LibvirtStatus;
import org.headroom.virt.VirtService;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The MBean, registered as a service that Karaf's management exports under its jmx.objectname. */
@Component(service = VirtMBean.class, property = "jmx.objectname=org.headroom:type=Virt")
public class VirtStats implements VirtMBean {

    @Reference
    VirtService virt;

    private Optional<LibvirtStatus> libvirt() {
        return virt.libvirt();
    }

    private long libvirt(ToLongFunction<LibvirtStatus> figure) {
        return libvirt().map(figure::applyAsLong).orElse(0L);
    }

    @Override
    public boolean isLibvirtConnected() {
        return libvirt().map(s -> s.state() == LibvirtStatus.State.CONNECTED).orElse(false);
    }

    @Override
    public String getLibvirtState() {
        return libvirt().map(s -> s.state().name()).orElse("NOT_SERVED");
    }

    @Override
    public String getLibvirtProblem() {
        return libvirt().map(LibvirtStatus::problem).orElse("");
    }

    @Override
    public long getLibvirtReconnects() {
        return libvirt(LibvirtStatus::reconnects);
    }

    @Override
    public int getLibvirtVms() {
        return (int) libvirt(LibvirtStatus::vms);
    }

    @Override
    public long getLibvirtEventsIgnored() {
        return libvirt(LibvirtStatus::eventsIgnored);
    }

    @Override
    public long getLibvirtEventsDropped() {
        return libvirt(LibvirtStatus::eventsDropped);
    }

    @Override
    public long getLibvirtCallsRefused() {
        return libvirt(LibvirtStatus::callsRefused);
    }

    @Override
    public long getHookCalls() {
        return virt.hooks().totalCalls();
    }

    @Override
    public long getHookRefused() {
        return virt.hooks().refused();
    }

    @Override
    public long getHookMalformed() {
        return virt.hooks().malformed();
    }

    @Override
    public long getHookTurnedAway() {
        return virt.hooks().turnedAway();
    }

    @Override
    public String getHookHealth() {
        return virt.hooks().health();
    }
}
