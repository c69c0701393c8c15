package org.headroom.virt.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;

/** libvirt's domains in memory, as a test sets them up: what {@link LibvirtDomains} would read. */
final class FakeDomains implements Domains {
    private final Map<String, VmInfo> states = new HashMap<>();
    private final Map<String, List<DriveInfo>> drives = new HashMap<>();
    private final Map<String, List<String>> outOfSpace = new HashMap<>();
    int driveReads;

    /** A running VM whose one qcow2 disk {@code target} has its top image at {@code index} (null: libvirt gives none). */
    FakeDomains vm(String vm, String target, Integer index) {
        states.put(vm, new VmInfo(vm, LibvirtHypervisor.TYPE, VmState.RUNNING, ""));
        return disk(vm, target, index);
    }

    /** The disk's chain changed (a snapshot, a block commit): its top image is now at {@code index}. */
    FakeDomains disk(String vm, String target, Integer index) {
        String node = index == null ? target : target + "[" + index + "]";
        drives.computeIfAbsent(vm, n -> new ArrayList<>()).removeIf(d -> d.ref().drive().equals(target));
        drives.get(vm).add(new DriveInfo(new DriveRef(vm, target), "qcow2", "/run/headroom/" + vm + "/" + target, node,
                1L << 30, 1L << 28, 1L << 27, 0, "ok"));
        return this;
    }

    FakeDomains state(String vm, VmState state, String reason) {
        states.put(vm, new VmInfo(vm, LibvirtHypervisor.TYPE, state, reason));
        return this;
    }

    FakeDomains outOfSpace(String vm, String... targets) {
        outOfSpace.put(vm, List.of(targets));
        return this;
    }

    FakeDomains gone(String vm) {
        states.remove(vm);
        drives.remove(vm);
        return this;
    }

    @Override
    public Set<String> active() {
        return Set.copyOf(states.keySet());
    }

    @Override
    public VmInfo state(String vm) {
        return known(states, vm);
    }

    @Override
    public List<DriveInfo> drives(String vm) {
        driveReads++;
        return List.copyOf(known(drives, vm));
    }

    @Override
    public List<String> outOfSpace(String vm) {
        known(states, vm);
        return outOfSpace.getOrDefault(vm, List.of());
    }

    @Override
    public void setThreshold(String vm, String node, long threshold) {
        throw new UnsupportedOperationException("the translator arms nothing");
    }

    @Override
    public void resume(String vm) {
        throw new UnsupportedOperationException("the translator resumes nothing");
    }

    @Override
    public void pause(String vm) {
        throw new UnsupportedOperationException("the translator pauses nothing");
    }

    private static <T> T known(Map<String, T> map, String vm) {
        T value = map.get(vm);
        if (value == null) {
            throw new HypervisorException("libvirt knows no VM named " + vm);
        }
        return value;
    }
}
