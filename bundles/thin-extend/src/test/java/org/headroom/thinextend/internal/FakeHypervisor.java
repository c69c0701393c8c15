package org.headroom.thinextend.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;

/**
 * A fake hypervisor for unit tests of the volume monitor (a real QEMU cannot run on a fake clock):
 * VMs and their qcow2 drives over real volume files, whose physical size is the file's size as the
 * volume backend left it. It answers every call at once and records what it was asked to do.
 */
final class FakeHypervisor implements Hypervisor {
    private final Map<String, VmState> vms = new LinkedHashMap<>();
    private final Map<DriveRef, Path> drives = new LinkedHashMap<>();
    private final Map<DriveRef, Long> allocation = new LinkedHashMap<>();
    /** Armed thresholds, reported as a hypervisor reports them; one-shot: cleared when one fires. */
    private final Map<DriveRef, Long> armed = new LinkedHashMap<>();
    private final List<DriveEventListener> listeners = new CopyOnWriteArrayList<>();
    final List<String> calls = new ArrayList<>();
    /** While set, readings of drives wait here until the test releases them. */
    List<Runnable> heldReadings;
    final long capacity;

    FakeHypervisor(long capacity) {
        this.capacity = capacity;
    }

    void vm(String name, VmState state) {
        vms.put(name, state);
    }

    void drive(DriveRef ref, Path volumeFile, long allocated) {
        drives.put(ref, volumeFile);
        allocation.put(ref, allocated);
    }

    void allocation(DriveRef ref, long allocated) {
        allocation.put(ref, allocated);
    }

    void gone(String vm) {
        vms.remove(vm);
        drives.keySet().removeIf(d -> d.vm().equals(vm));
    }

    void emit(DriveEvent event) {
        if (event instanceof DriveEvent.ThresholdCrossed t) {
            armed.remove(t.drive());
        } else if (event instanceof DriveEvent.Paused p) {
            vms.put(p.vm(), VmState.PAUSED);
        } else if (event instanceof DriveEvent.Resumed r) {
            vms.put(r.vm(), VmState.RUNNING);
        }
        for (DriveEventListener l : listeners) {
            l.onEvent(event);
        }
    }

    /** Calls of one kind ("arm vm/vd0 123", "resume vm", "pause vm"), in order. */
    List<String> calls(String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).toList();
    }

    @Override
    public String type() {
        return "fake";
    }

    @Override
    public List<VmInfo> vms() {
        return vms.entrySet().stream().map(e -> new VmInfo(e.getKey(), type(), e.getValue(), "")).toList();
    }

    @Override
    public CompletionStage<List<DriveInfo>> drives(String vm) {
        if (!vms.containsKey(vm)) {
            return CompletableFuture.failedFuture(new HypervisorException("no VM " + vm));
        }
        List<DriveInfo> list = new ArrayList<>();
        for (Map.Entry<DriveRef, Path> d : drives.entrySet()) {
            if (d.getKey().vm().equals(vm)) {
                list.add(new DriveInfo(d.getKey(), "qcow2", d.getValue().toString(), d.getKey().drive() + "-file", capacity,
                        size(d.getValue()), allocation.get(d.getKey()), armed.getOrDefault(d.getKey(), 0L), "ok"));
            }
        }
        if (heldReadings != null) {
            CompletableFuture<List<DriveInfo>> later = new CompletableFuture<>();
            heldReadings.add(() -> later.complete(list));
            return later;
        }
        return CompletableFuture.completedFuture(list);
    }

    @Override
    public CompletionStage<Void> setWriteThreshold(DriveRef drive, long threshold) {
        calls.add("arm " + drive + " " + threshold);
        armed.put(drive, threshold);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> resume(String vm) {
        calls.add("resume " + vm);
        vms.put(vm, VmState.RUNNING);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> pause(String vm) {
        calls.add("pause " + vm);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public AutoCloseable subscribe(DriveEventListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
