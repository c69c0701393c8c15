package org.headroom.lease.sanlock.internal;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import org.headroom.lease.sanlock.CallBounds;
import org.headroom.lease.sanlock.Disk;
import org.headroom.lease.sanlock.ForceMode;
import org.headroom.lease.sanlock.Geometry;
import org.headroom.lease.sanlock.Host;
import org.headroom.lease.sanlock.Lockspace;
import org.headroom.lease.sanlock.LockspaceInfo;
import org.headroom.lease.sanlock.LockspaceOnDisk;
import org.headroom.lease.sanlock.LockspaceState;
import org.headroom.lease.sanlock.Registration;
import org.headroom.lease.sanlock.Resource;
import org.headroom.lease.sanlock.ResourceOnDisk;
import org.headroom.lease.sanlock.ResourceOwners;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.lease.sanlock.SanlockException;
import org.headroom.lease.sanlock.SanlockVersion;

/** {@link Sanlock} on libsanlock_client.so.1 through jnr-ffi. */
public final class NativeSanlock implements Sanlock {
    static final String LIBRARY = "libsanlock_client.so.1";
    private static final int ADD_ASYNC = 0x1;
    private static final int REM_ASYNC = 0x1;
    private static final int REM_UNUSED = 0x2;
    private static final int INQ_WAIT = 0x1;
    private static final int REQUEST_NEXT_LVER = 0x1;
    private static final long JOIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final LibSanlock lib;
    private final LibSanlock.LibC libc;
    private final jnr.ffi.Runtime runtime;
    private final CallBounds bounds;
    private final BoundedCalls calls;
    private final Path socket;

    private NativeSanlock(LibSanlock lib, LibSanlock.LibC libc, CallBounds bounds) {
        this.lib = lib;
        this.libc = libc;
        this.runtime = jnr.ffi.Runtime.getRuntime(lib);
        this.bounds = bounds;
        this.calls = new BoundedCalls("sanlock-call", 4, 64);
        String runDir = System.getenv("SANLOCK_RUN_DIR");
        this.socket = Path.of(runDir == null || runDir.isEmpty() ? "/run/sanlock" : runDir, "sanlock.sock");
    }

    public static NativeSanlock open(CallBounds bounds) {
        LibSanlock lib;
        try {
            lib = LibraryLoader.create(LibSanlock.class).option(LibraryOption.IgnoreError, true)
                    .failImmediately().load(LIBRARY);
        } catch (LinkageError e) {
            throw new IllegalStateException("cannot load " + LIBRARY + " (sanlock's client library; Debian: libsanlock-client1): "
                    + e.getMessage(), e);
        }
        LibSanlock.LibC libc = LibraryLoader.create(LibSanlock.LibC.class).option(LibraryOption.IgnoreError, true)
                .failImmediately().load("c");
        return new NativeSanlock(lib, libc, bounds);
    }

    // --- for NativeRegistration

    LibSanlock lib() {
        return lib;
    }

    LibSanlock.LibC libc() {
        return libc;
    }

    CallBounds bounds() {
        return bounds;
    }

    BoundedCalls calls() {
        return calls;
    }

    /** A C array of pointers to {@code structs}; they must stay reachable while it is used. */
    Pointer pointers(ByteBuffer[] structs) {
        Pointer array = Memory.allocateDirect(runtime, Math.max(1, structs.length) * runtime.addressSize(), true);
        for (int i = 0; i < structs.length; i++) {
            array.putPointer((long) i * runtime.addressSize(), Pointer.wrap(runtime, structs[i]));
        }
        return array;
    }

    SanlockException error(String call, int rv, String context) {
        return ReturnCodes.exception(call, rv, strerror(rv), context, Files.exists(socket));
    }

    /** A call the daemon answers from memory. */
    int daemonCall(String call, String context, IntSupplier f) {
        return calls.run(call, context, bounds.daemon(), f, rv -> { });
    }

    /** A call the daemon answers after lease I/O. */
    private int ioCall(String call, String context, IntSupplier f) {
        return calls.run(call, context, bounds.io(), f, rv -> { });
    }

    private void check(String call, int rv, String context) {
        if (rv < 0) {
            throw error(call, rv, context);
        }
    }

    /** Copies {@code length} bytes sanlock malloc'd and frees them. */
    private ByteBuffer take(PointerByReference ref, int length) {
        Pointer p = ref.getValue();
        if (p == null || p.address() == 0) {
            return ByteBuffer.allocate(0);
        }
        try {
            byte[] bytes = new byte[length];
            p.get(0, bytes, 0, length);
            return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        } finally {
            libc.free(p);
        }
    }

    /** Frees what a call sanlock malloc'd into {@code ref} after its caller gave up on it. */
    private void freeLate(PointerByReference ref) {
        Pointer p = ref.getValue();
        if (p != null && p.address() != 0) {
            libc.free(p);
        }
    }

    // --- Sanlock

    @Override
    public Path socket() {
        return socket;
    }

    @Override
    public SanlockVersion version() {
        IntByReference version = new IntByReference();
        IntByReference proto = new IntByReference();
        int rv = daemonCall("version", "", () -> lib.sanlock_version(0, version, proto));
        check("version", rv, "daemon at " + socket);
        return SanlockVersion.of(version.getValue(), proto.getValue());
    }

    @Override
    public Registration register(String ownerName) {
        ByteBuffer options = Structs.options(ownerName);
        String context = "daemon at " + socket;
        int fd = calls.run("register", context, bounds.daemon(), lib::sanlock_register, late -> {
            if (late >= 0) {
                libc.close(late);
            }
        });
        check("register", fd, context);
        return new NativeRegistration(this, fd, options);
    }

    @Override
    public String strerror(int code) {
        return ReturnCodes.sanlocks(code) ? lib.sanlock_strerror(code) : libc.strerror(-code);
    }

    @Override
    public void writeLockspace(Lockspace lockspace, Geometry geometry, int maxHosts, int ioTimeoutSeconds) {
        ByteBuffer ls = Structs.lockspace(lockspace, Structs.geometryFlags(Objects.requireNonNull(geometry, "geometry")));
        String context = "lockspace " + lockspace;
        check("write_lockspace", ioCall("write_lockspace", context,
                () -> lib.sanlock_write_lockspace(ls, maxHosts, 0, ioTimeoutSeconds)), context);
    }

    @Override
    public LockspaceOnDisk readLockspace(Disk disk) {
        ByteBuffer ls = Structs.lockspaceDisk(disk, 0);
        IntByReference io = new IntByReference();
        String context = "lockspace area " + disk;
        check("read_lockspace", ioCall("read_lockspace", context, () -> lib.sanlock_read_lockspace(ls, 0, io)), context);
        return new LockspaceOnDisk(Structs.lockspaceName(ls), Structs.geometry(ls.getInt(Structs.LS_FLAGS)), io.getValue());
    }

    @Override
    public void writeResource(Resource lease, Geometry geometry, int maxHosts) {
        ByteBuffer res = Structs.resource(lease, Structs.geometryFlags(Objects.requireNonNull(geometry, "geometry")));
        String context = "lease " + lease;
        check("write_resource", ioCall("write_resource", context,
                () -> lib.sanlock_write_resource(res, maxHosts, 0, 0)), context);
    }

    @Override
    public ResourceOnDisk readResource(Disk disk) {
        ByteBuffer res = Structs.resourceDisk(disk, 0);
        String context = "lease area " + disk;
        check("read_resource", ioCall("read_resource", context, () -> lib.sanlock_read_resource(res, 0)), context);
        return Structs.resourceOnDisk(res);
    }

    @Override
    public ResourceOwners readResourceOwners(Resource lease) {
        ByteBuffer res = Structs.resource(lease, 0);
        PointerByReference hss = new PointerByReference();
        IntByReference count = new IntByReference();
        String context = "lease " + lease;
        int rv = calls.run("read_resource_owners", context, bounds.io(),
                () -> lib.sanlock_read_resource_owners(res, 0, hss, count), late -> freeLate(hss));
        ByteBuffer hosts = take(hss, Math.max(0, count.getValue()) * Structs.HOST_SIZE);
        check("read_resource_owners", rv, context);
        int flags = res.getInt(Structs.RES_FLAGS);
        return new ResourceOwners(res.getLong(Structs.RES_LVER), (flags & Structs.RES_SHARED) != 0,
                Structs.owners(hosts, count.getValue()));
    }

    @Override
    public long align(Disk disk) {
        ByteBuffer d = Structs.disk(disk);
        int rv = ioCall("align", "disk " + disk, () -> lib.sanlock_align(d));
        check("align", rv, "disk " + disk);
        return rv;
    }

    @Override
    public void addLockspace(Lockspace lockspace, int ioTimeoutSeconds) {
        ByteBuffer ls = Structs.lockspace(lockspace, 0);
        String context = "lockspace " + lockspace;
        check("add_lockspace", daemonCall("add_lockspace", context,
                () -> lib.sanlock_add_lockspace_timeout(ls, ADD_ASYNC, ioTimeoutSeconds)), context);
    }

    @Override
    public void joinLockspace(Lockspace lockspace, int ioTimeoutSeconds, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        ByteBuffer ls = Structs.lockspace(lockspace, 0);
        String context = "lockspace " + lockspace;
        // Not ADD_ASYNC: only the waiting add says why a join failed (HOSTID_BUSY, an I/O error).
        int rv = calls.run("add_lockspace", context, deadline, () -> lib.sanlock_add_lockspace_timeout(ls, 0, ioTimeoutSeconds),
                late -> { });
        if (rv == ReturnCodes.EEXIST || rv == 0) {
            return;
        }
        if (rv != ReturnCodes.EINPROGRESS) {
            throw error("add_lockspace", rv, context);
        }
        awaitState(lockspace, LockspaceState.JOINED, "add_lockspace", "joining", end, deadline); // another add's
    }

    @Override
    public void leaveLockspace(Lockspace lockspace, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        try {
            remLockspace(lockspace, Set.of(RemoveFlag.UNUSED, RemoveFlag.ASYNC));
        } catch (SanlockException.NotFound | SanlockException.InProgress already) {
            // not joined, or being left: wait for it as for ours
        }
        awaitState(lockspace, LockspaceState.ABSENT, "rem_lockspace", "leaving", end, deadline);
    }

    /** Polls inq_lockspace until {@code wanted}; a join that ends ABSENT is a failure. */
    private void awaitState(Lockspace lockspace, LockspaceState wanted, String call, String what, long end, Duration deadline) {
        while (true) {
            LockspaceState state = inqLockspace(lockspace);
            if (state == wanted) {
                return;
            }
            if (state == LockspaceState.ABSENT) {
                throw new SanlockException.NotJoined(call, ReturnCodes.ENOENT, "ENOENT",
                        "the join of " + lockspace + " ended without joining (host id in use, I/O error: see sanlock's log)");
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new SanlockException.Timeout(call, ReturnCodes.ETIMEDOUT, "ETIMEDOUT",
                        what + " " + lockspace + " goes on after " + deadline.toMillis() + " ms", true);
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, JOIN_POLL_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SanlockException.Timeout(call, ReturnCodes.ETIMEDOUT, "ETIMEDOUT",
                        "interrupted while " + what + " " + lockspace, true);
            }
        }
    }

    @Override
    public LockspaceState inqLockspace(Lockspace lockspace) {
        return inq(lockspace, 0, bounds.daemon());
    }

    @Override
    public LockspaceState awaitLockspace(Lockspace lockspace, Duration bound) {
        return inq(lockspace, INQ_WAIT, bound);
    }

    private LockspaceState inq(Lockspace lockspace, int flags, Duration bound) {
        ByteBuffer ls = Structs.lockspace(lockspace, 0);
        String context = "lockspace " + lockspace;
        int rv = calls.run("inq_lockspace", context, bound, () -> lib.sanlock_inq_lockspace(ls, flags), late -> { });
        return switch (rv) {
            case 0 -> LockspaceState.JOINED;
            case ReturnCodes.EINPROGRESS -> LockspaceState.IN_PROGRESS;
            case ReturnCodes.ENOENT -> {
                if (!Files.exists(socket)) {
                    throw error("inq_lockspace", rv, context);
                }
                yield LockspaceState.ABSENT;
            }
            default -> throw error("inq_lockspace", rv, context);
        };
    }

    @Override
    public void remLockspace(Lockspace lockspace, Set<RemoveFlag> flags) {
        ByteBuffer ls = Structs.lockspace(lockspace, 0);
        int f = (flags.contains(RemoveFlag.ASYNC) ? REM_ASYNC : 0) | (flags.contains(RemoveFlag.UNUSED) ? REM_UNUSED : 0);
        String context = "lockspace " + lockspace;
        int rv = flags.contains(RemoveFlag.ASYNC)
                ? daemonCall("rem_lockspace", context, () -> lib.sanlock_rem_lockspace(ls, f))
                : ioCall("rem_lockspace", context, () -> lib.sanlock_rem_lockspace(ls, f));
        check("rem_lockspace", rv, context);
    }

    @Override
    public List<LockspaceInfo> lockspaces() {
        PointerByReference lss = new PointerByReference();
        IntByReference count = new IntByReference();
        int rv = calls.run("get_lockspaces", "", bounds.daemon(), () -> lib.sanlock_get_lockspaces(lss, count, 0),
                late -> freeLate(lss));
        ByteBuffer b = take(lss, Math.max(0, count.getValue()) * Structs.LOCKSPACE_SIZE);
        check("get_lockspaces", rv, "");
        return Structs.lockspaces(b, count.getValue());
    }

    @Override
    public List<Host> hosts(String lockspace) {
        return getHosts(lockspace, 0);
    }

    @Override
    public Optional<Host> host(String lockspace, long hostId) {
        if (hostId < 1) {
            throw new IllegalArgumentException("host id " + hostId + " is not positive");
        }
        return getHosts(lockspace, hostId).stream().findFirst();
    }

    private List<Host> getHosts(String lockspace, long hostId) {
        ByteBuffer name = Structs.cString(Fields.name("lockspace name", lockspace), Fields.NAME_LEN + 1);
        PointerByReference hss = new PointerByReference();
        IntByReference count = new IntByReference();
        String context = "lockspace " + lockspace;
        int rv = calls.run("get_hosts", context, bounds.daemon(), () -> lib.sanlock_get_hosts(name, hostId, hss, count, 0),
                late -> freeLate(hss));
        ByteBuffer b = take(hss, Math.max(0, count.getValue()) * Structs.HOST_SIZE);
        check("get_hosts", rv, context);
        return Structs.hosts(b, count.getValue());
    }

    @Override
    public void request(Resource lease, long version, ForceMode mode) {
        ByteBuffer res = Structs.resource(lease.withVersion(version), 0);
        String context = "lease " + lease + ", version " + version + ", " + mode;
        int flags = version == 0 ? REQUEST_NEXT_LVER : 0;
        check("request", ioCall("request", context, () -> lib.sanlock_request(flags, mode.value(), res)), context);
    }

    /** Keeps {@code o} reachable up to here: a buffer whose address a native call was given. */
    static void keep(Object o) {
        Reference.reachabilityFence(o);
    }

    @Override
    public void close() {
        calls.close();
    }
}
