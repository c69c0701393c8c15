package org.headroom.thinextend.management;

import org.headroom.thinextend.VolumeMonitorService;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The MBean, registered as a service that Karaf's management exports under its jmx.objectname. */
@Component(service = VolumeMonitorMBean.class, property = "jmx.objectname=org.headroom:type=VolumeMonitor")
public class VolumeMonitorStats implements VolumeMonitorMBean {

    @Reference
    VolumeMonitorService service;

    @Override
    public String getPolicy() {
        return service.status().policy();
    }

    @Override
    public int getWatched() {
        return service.status().watched();
    }

    @Override
    public long getExtensions() {
        return service.status().extensions();
    }

    @Override
    public long getPauses() {
        return service.status().pauses();
    }

    @Override
    public long getFailures() {
        return service.status().failures();
    }

    @Override
    public long getStaleResults() {
        return service.status().stale();
    }

    @Override
    public double getLatencyP50Millis() {
        return service.status().latencyP50Millis();
    }

    @Override
    public double getLatencyP99Millis() {
        return service.status().latencyP99Millis();
    }

    @Override
    public String getHealth() {
        return service.status().health();
    }
}
