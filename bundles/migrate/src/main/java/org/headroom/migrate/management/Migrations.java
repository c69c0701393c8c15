package org.headroom.migrate.management;

import java.util.List;
import org.headroom.migrate.MigrationService;
import org.headroom.migrate.MigrationStatus;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The MBean, registered as a service that Karaf's management exports under its jmx.objectname. */
@Component(service = MigrationsMBean.class, property = "jmx.objectname=org.headroom:type=Migrations")
public class Migrations implements MigrationsMBean {

    @Reference
    MigrationService service;

    @Override
    public String getHost() {
        return service.endpoint().host();
    }

    @Override
    public String getEndpointState() {
        return service.endpoint().state();
    }

    @Override
    public long getCallsServed() {
        return service.endpoint().served();
    }

    @Override
    public long getRefusedWithoutCertificate() {
        return service.endpoint().refusedNoCert();
    }

    @Override
    public long getRefusedUntrusted() {
        return service.endpoint().refusedUntrusted();
    }

    @Override
    public long getMalformedCalls() {
        return service.endpoint().badRequests();
    }

    @Override
    public int getUnderWay() {
        return (int) service.migrations().stream().filter(s -> !s.ended()).count();
    }

    @Override
    public long getCompleted() {
        return service.migrations().stream().filter(s -> s.state().equals("completed")).count();
    }

    @Override
    public long getFailed() {
        return service.migrations().stream().filter(s -> s.state().equals("failed")).count();
    }

    @Override
    public double getLastDowntimeMillis() {
        return lastCompleted().map(MigrationStatus::downtimeMillis).orElse(Double.NaN);
    }

    @Override
    public double getLastStorageWorkInDowntimeMillis() {
        return lastCompleted().map(MigrationStatus::activateMillis).orElse(Double.NaN);
    }

    private java.util.Optional<MigrationStatus> lastCompleted() {
        List<MigrationStatus> all = service.migrations();
        return all.stream().filter(s -> s.state().equals("completed") && s.direction().equals("outgoing")).findFirst();
    }
}
