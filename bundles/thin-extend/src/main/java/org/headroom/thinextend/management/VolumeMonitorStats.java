package org.headroom.thinextend.management;

import org.headroom.thinextend.internal.VolumeMonitorService;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The MBean, registered as a service that Karaf's management exports under its jmx.objectname. */
@Component(service = VolumeMonitorMBean.class, property = "jmx.objectname=org.headroom:type=VolumeMonitor")
public class VolumeMonitorStats implements VolumeMonitorMBean {

    @Reference
    VolumeMonitorService service;

    @Override
    public String getPolicy() {
        return service.policyName();
    }

    @Override
    public long getExtensions() {
        return service.monitor().stats().extensions();
    }

    @Override
    public long getPauses() {
        return service.monitor().stats().pauses();
    }

    @Override
    public long getFailures() {
        return service.monitor().stats().failures();
    }

    @Override
    public double getLatencyP50Millis() {
        return service.monitor().stats().percentileMillis(50);
    }

    @Override
    public double getLatencyP99Millis() {
        return service.monitor().stats().percentileMillis(99);
    }
}
