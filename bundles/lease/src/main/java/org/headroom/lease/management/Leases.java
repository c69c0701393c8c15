package org.headroom.lease.management;

import java.util.ArrayList;
import java.util.List;
import org.headroom.api.jobs.StorageJobs;
import org.headroom.api.lease.LeaseService;
import org.headroom.api.lease.LockspaceStatus;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The MBean, registered as a service that Karaf's management exports under its jmx.objectname. */
@Component(service = LeasesMBean.class, property = "jmx.objectname=org.headroom:type=Leases")
public class Leases implements LeasesMBean {

    @Reference
    LeaseService leases;

    @Reference
    StorageJobs jobs;

    @Reference
    StorageDomains storage;

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

    @Override
    public String[] getLastJobs() {
        List<String> rows = new ArrayList<>();
        for (StorageDomain d : storage.domains()) {
            for (VolumeRef v : d.listVolumes()) {
                try {
                    jobs.latest(v).ifPresent(s -> rows.add(v.volume() + " " + s.job() + " " + s.type() + " " + s.state()
                            + " host " + s.hostId()));
                } catch (RuntimeException unreadable) {
                    rows.add(v.volume() + " ? unreadable: " + unreadable.getMessage());
                }
            }
        }
        return rows.toArray(String[]::new);
    }
}
