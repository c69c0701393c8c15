package org.headroom.lease.management;

import org.headroom.api.lease.LeaseService;
import org.headroom.api.lease.LockspaceStatus;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The MBean, registered as a service that Karaf's management exports under its jmx.objectname. */
@Component(service = LeasesMBean.class, property = "jmx.objectname=org.headroom:type=Leases")
public class Leases implements LeasesMBean {

    @Reference
    LeaseService leases;

    @Override
    public int getHostId() {
        return leases.hostId();
    }

    @Override
    public String[] getLockspaces() {
        return leases.domains().stream().map(leases::lockspace)
                .map(l -> l.domain() + " " + l.state() + (l.problem().isEmpty() ? "" : " " + l.problem()))
                .toArray(String[]::new);
    }

    @Override
    public int getLockspacesJoined() {
        return (int) leases.domains().stream().map(leases::lockspace).filter(LockspaceStatus::joined).count();
    }

    @Override
    public String[] getLeasesHeld() {
        return leases.held().stream().map(r -> r.name() + " " + r.domain()).toArray(String[]::new);
    }
}
