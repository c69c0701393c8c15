package org.headroom.qmp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.UnknownVmException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.qmp.QmpException;
import org.headroom.qmp.QmpService;
import org.headroom.runtime.Listeners;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The hypervisor contract over QEMU processes attached directly by QMP, and raw QMP on each of them. */
@Component(service = {Hypervisor.class, QmpService.class}, property = "hypervisor.type=" + QemuHypervisor.TYPE)
public class QemuHypervisor implements Hypervisor, QmpService {
    public static final String TYPE = "qmp";
    private static final Logger LOG = LoggerFactory.getLogger(QemuHypervisor.class);

    private final Map<String, QemuVm> vms = new ConcurrentHashMap<>();
    private final Listeners<DriveEventListener> listeners = new Listeners<>("QEMU drive events");

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindVm(QemuVm vm) {
        QemuVm previous = vms.putIfAbsent(vm.name(), vm);
        if (previous != null) {
            LOG.error("two QEMU VM configurations are named {}: the second is ignored", vm.name());
            return;
        }
        vm.eventSink(event -> listeners.publish(event, DriveEventListener::onEvent));
    }

    public void unbindVm(QemuVm vm) {
        if (vms.remove(vm.name(), vm)) {
            vm.eventSink(null);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<VmInfo> vms() {
        List<VmInfo> result = new ArrayList<>();
        for (QemuVm vm : vms.values()) {
            result.add(vm.info());
        }
        result.sort(Comparator.comparing(VmInfo::name));
        return result;
    }

    /** The attached VM of that name. */
    public QemuVm vm(String name) {
        QemuVm vm = vms.get(name);
        if (vm == null) {
            throw new UnknownVmException(name, "no QEMU VM named " + name + " is configured (known: " + vms.keySet() + ")");
        }
        return vm;
    }

    @Override
    public CompletionStage<List<DriveInfo>> drives(String vm) {
        try {
            return wrap(vm(vm).drives(), "reading drives of " + vm);
        } catch (HypervisorException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Void> setWriteThreshold(DriveRef drive, long threshold) {
        if (threshold < 0) {
            return CompletableFuture.failedFuture(new HypervisorException("negative threshold " + threshold + " for " + drive));
        }
        // Re-arming is on every extension's path: use the node as last read, read it only when unknown.
        java.util.Optional<String> node;
        try {
            node = vm(drive.vm()).armedNode(drive.drive());
        } catch (HypervisorException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (node.isPresent()) {
            return wrap(vm(drive.vm()).qmp().blockSetWriteThreshold(node.get(), threshold), "arming " + drive);
        }
        return drive(drive).thenCompose(d ->
                wrap(vm(drive.vm()).qmp().blockSetWriteThreshold(d.nodeName(), threshold), "arming " + drive));
    }

    @Override
    public CompletionStage<Void> resume(String vm) {
        try {
            return wrap(vm(vm).qmp().cont(), "resuming " + vm);
        } catch (HypervisorException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Void> pause(String vm) {
        try {
            return wrap(vm(vm).qmp().stop(), "pausing " + vm);
        } catch (HypervisorException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public AutoCloseable subscribe(DriveEventListener listener) {
        return listeners.add(listener);
    }

    @Override
    public CompletionStage<JsonNode> execute(String vm, String command, JsonNode arguments) {
        try {
            return vm(vm).qmp().client().execute(command, arguments);
        } catch (HypervisorException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public AutoCloseable subscribe(String vm, java.util.Set<String> events, org.headroom.qmp.QmpEventListener listener) {
        return vm(vm).qmp().client().subscribe(events, listener);
    }

    /** QMP failures become the contract's {@link HypervisorException}, saying what was being done. */
    private static <T> CompletionStage<T> wrap(CompletableFuture<T> call, String what) {
        return call.handle((value, error) -> {
            if (error == null) {
                return value;
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof QmpException || cause instanceof HypervisorException) {
                throw new HypervisorException(what + ": " + cause.getMessage(), cause);
            }
            throw new HypervisorException(what + " failed: " + cause, cause);
        });
    }
}
