package org.headroom.virt.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.UnknownVmException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;
import org.libvirt.Domain;
import org.libvirt.DomainBlockInfo;
import org.libvirt.LibvirtException;
import org.libvirt.TypedIntParameter;
import org.libvirt.TypedParameter;

/**
 * {@link Domains} over the current libvirt connection: the domain XML, block info and disk errors
 * make a {@link DriveInfo}; the calls libvirt-java lacks go through {@link LibvirtNative}.
 * Blocking calls: never on libvirt's event loop.
 */
final class LibvirtDomains implements Domains {
    private static final int LIST_ACTIVE = 1; // VIR_CONNECT_LIST_DOMAINS_ACTIVE
    private static final int DISK_ERROR_SIZE = 16; // struct { char *disk; int error; }, padded

    private final Supplier<HeadroomConnect> connection;

    /** {@code connection} gives the connection now, or null while there is none. */
    LibvirtDomains(Supplier<HeadroomConnect> connection) {
        this.connection = connection;
    }

    @Override
    public Set<String> active() {
        return libvirt(conn -> {
            Set<String> names = new HashSet<>();
            for (Domain d : conn.listAllDomains(LIST_ACTIVE)) {
                try {
                    names.add(d.getName());
                } finally {
                    d.free();
                }
            }
            return names;
        });
    }

    @Override
    public VmInfo state(String vm) {
        IntByReference state = new IntByReference();
        IntByReference reason = new IntByReference();
        withDomain(vm, domain -> LibvirtNative.INSTANCE.virDomainGetState(domain, state, reason, 0));
        VmState vmState = switch (state.getValue()) {
            case 1, 2 -> VmState.RUNNING;          // running, blocked
            case 3 -> VmState.PAUSED;
            case 7 -> VmState.PAUSED;              // pmsuspended: not writing either
            default -> VmState.SHUTOFF;            // nostate, shutdown, shutoff, crashed
        };
        if (vmState == VmState.PAUSED && reason.getValue() == LibvirtNative.PAUSED_MIGRATION) {
            return new VmInfo(vm, LibvirtHypervisor.TYPE, VmState.MIGRATING, "");
        }
        String why = vmState == VmState.PAUSED && reason.getValue() == LibvirtNative.PAUSED_IOERROR ? "io-error" : "";
        return new VmInfo(vm, LibvirtHypervisor.TYPE, vmState, why);
    }

    @Override
    public List<DriveInfo> drives(String vm) {
        return onDomain(vm, domain -> {
            DomainXml xml;
            try {
                xml = DomainXml.parse(domain.getXMLDesc(0));
            } catch (DomainXml.MalformedDomainXmlException e) {
                throw new HypervisorException("libvirt's XML of " + vm + ": " + e.getMessage(), e);
            }
            Map<String, Integer> errors = diskErrors(vm);
            List<DriveInfo> drives = new ArrayList<>();
            for (DomainXml.Disk disk : xml.disks()) {
                if (disk.readOnly() || disk.path() == null) {
                    continue;
                }
                DomainBlockInfo info = domain.blockInfo(disk.target());
                Integer error = errors.get(disk.target());
                String ioStatus = error == null ? "ok" : error == LibvirtNative.DISK_ERROR_NO_SPACE ? "nospace" : "failed";
                drives.add(new DriveInfo(new DriveRef(vm, disk.target()), disk.format(), disk.path(), disk.indexedName(),
                        info.getCapacity(), info.getPhysical(), info.getAllocation(), 0, ioStatus));
            }
            return drives;
        });
    }

    @Override
    public List<String> outOfSpace(String vm) {
        List<String> targets = new ArrayList<>();
        diskErrors(vm).forEach((target, error) -> {
            if (error == LibvirtNative.DISK_ERROR_NO_SPACE) {
                targets.add(target);
            }
        });
        return targets;
    }

    @Override
    public void setThreshold(String vm, String node, long threshold) {
        if (migrating(vm)) {
            // libvirt would hold the call until the migration ends (up to its 30 s job wait) and
            // then refuse it: the VM is elsewhere. Said at once instead; its allocation is still read.
            throw new HypervisorException("libvirt cannot arm " + vm + "/" + node + " while it migrates away (its "
                    + "migration holds the domain); the periodic check reads its allocation meanwhile");
        }
        withDomain(vm, domain -> {
            if (LibvirtNative.INSTANCE.virDomainSetBlockThreshold(domain, node, threshold, 0) < 0) {
                throw new HypervisorException("libvirt refused to arm " + vm + "/" + node + " at " + threshold + ": "
                        + LibvirtNative.INSTANCE.virGetLastErrorMessage());
            }
            return null;
        });
    }

    @Override
    public void resume(String vm) {
        onDomain(vm, domain -> {
            domain.resume();
            return null;
        });
    }

    @Override
    public void pause(String vm) {
        onDomain(vm, domain -> {
            domain.suspend();
            return null;
        });
    }

    /** Whether the VM has a migration job (virDomainGetJobStats' operation), which answers at once. */
    private boolean migrating(String vm) {
        return onDomain(vm, domain -> {
            for (TypedParameter p : domain.getJobStats(0).stats) {
                if (p.field.equals("operation") && p instanceof TypedIntParameter op) {
                    return op.value == Domain.JobOperation.MIGRATION_OUT || op.value == Domain.JobOperation.MIGRATION_IN;
                }
            }
            return false;
        });
    }

    /** Disks with an error, by target: {@code virDomainGetDiskErrors}. */
    private Map<String, Integer> diskErrors(String vm) {
        return withDomain(vm, domain -> {
            int count = LibvirtNative.INSTANCE.virDomainGetDiskErrors(domain, null, 0, 0);
            Map<String, Integer> errors = new HashMap<>();
            if (count <= 0) {
                return errors;
            }
            Memory array = new Memory((long) DISK_ERROR_SIZE * count);
            array.clear();
            int n = LibvirtNative.INSTANCE.virDomainGetDiskErrors(domain, array, count, 0);
            for (int i = 0; i < n; i++) {
                Pointer disk = array.getPointer((long) i * DISK_ERROR_SIZE);
                if (disk != null) {
                    errors.put(disk.getString(0), array.getInt((long) i * DISK_ERROR_SIZE + Native.POINTER_SIZE));
                    Native.free(Pointer.nativeValue(disk));
                }
            }
            return errors;
        });
    }

    private HeadroomConnect connection() {
        HeadroomConnect conn = connection.get();
        if (conn == null) {
            throw new HypervisorException("the libvirt connection is down");
        }
        return conn;
    }

    /** A libvirt-java call, its exception turned into the contract's. */
    private <T> T libvirt(LibvirtCall<T> call) {
        try {
            return call.run(connection());
        } catch (LibvirtException e) {
            throw new HypervisorException(e.getMessage(), e);
        }
    }

    /** Runs {@code action} on a libvirt-java domain, freed afterwards; a VM libvirt does not know is an UnknownVmException. */
    private <T> T onDomain(String vm, DomainCall<T> action) {
        return libvirt(conn -> {
            Domain domain;
            try {
                domain = conn.domainLookupByName(vm);
            } catch (LibvirtException e) {
                if (e.getError() != null && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
                    throw new UnknownVmException(vm, "libvirt knows no VM named " + vm, e);
                }
                throw e;
            }
            try {
                return action.run(domain);
            } finally {
                domain.free();
            }
        });
    }

    /** Runs {@code action} on the native domain pointer of a VM, freed afterwards. */
    private <T> T withDomain(String vm, Function<Pointer, T> action) {
        Pointer domain = LibvirtNative.INSTANCE.virDomainLookupByName(connection().pointer(), vm);
        if (domain == null) {
            throw new UnknownVmException(vm, "libvirt knows no VM named " + vm + ": " + LibvirtNative.INSTANCE.virGetLastErrorMessage());
        }
        try {
            return action.apply(domain);
        } finally {
            LibvirtNative.INSTANCE.virDomainFree(domain);
        }
    }

    @FunctionalInterface
    private interface LibvirtCall<T> {
        T run(HeadroomConnect conn) throws LibvirtException;
    }

    @FunctionalInterface
    private interface DomainCall<T> {
        T run(Domain domain) throws LibvirtException;
    }
}
