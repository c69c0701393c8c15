package org.headroom.lease.sanlock.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import org.headroom.lease.sanlock.AcquireFlag;
import org.headroom.lease.sanlock.Registration;
import org.headroom.lease.sanlock.Resource;
import org.headroom.lease.sanlock.SanlockException;

/**
 * {@link Registration} on a registered socket. One call at a time holds the turn; the socket is
 * closed only when no native call can still be using it (a descriptor closed under a blocked
 * call could be reused by the next open() of this process and get that call's late writes).
 */
final class NativeRegistration implements Registration {
    private static final int ACQUIRE_LVB = 0x1;
    private static final int ACQUIRE_ORPHAN = 0x2;
    private static final int ACQUIRE_ORPHAN_ONLY = 0x4;
    private static final int ACQUIRE_OWNER_NOWAIT = 0x8;
    private static final int REL_ALL = 0x1;
    private static final int REL_ORPHAN = 0x4;
    private static final int KILLPATH_PID = 0x1;
    private static final int SHUT_RDWR = 2;
    private static final int ENOTCONN = -107;

    private final NativeSanlock sanlock;
    private final LibSanlock lib;
    private final int fd;
    private final ByteBuffer options;
    private final ReentrantLock turn = new ReentrantLock(true);
    private volatile String current = "";
    private volatile boolean broken;
    // guarded by this
    private boolean closed;
    private boolean fdClosed;
    private int inFlight;

    NativeRegistration(NativeSanlock sanlock, int fd, ByteBuffer options) {
        this.sanlock = sanlock;
        this.lib = sanlock.lib();
        this.fd = fd;
        this.options = options;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void acquire(List<Resource> leases, Set<AcquireFlag> flags) {
        acquire(leases, flags, ACQUIRE_OWNER_NOWAIT, sanlock.bounds().io());
    }

    @Override
    public void acquire(Resource lease, AcquireFlag... flags) {
        acquire(List.of(lease), flags.length == 0 ? EnumSet.noneOf(AcquireFlag.class) : EnumSet.copyOf(Arrays.asList(flags)));
    }

    @Override
    public void acquireWaiting(List<Resource> leases, Set<AcquireFlag> flags, Duration bound) {
        acquire(leases, flags, 0, bound);
    }

    private void acquire(List<Resource> leases, Set<AcquireFlag> flags, int extra, Duration bound) {
        ByteBuffer[] res = structs(leases);
        int f = extra | (flags.contains(AcquireFlag.LVB) ? ACQUIRE_LVB : 0)
                | (flags.contains(AcquireFlag.ORPHAN) ? ACQUIRE_ORPHAN : 0)
                // sanlock 3.8.5 refuses a lease that is no orphan only if the LVB bit is set too
                // (acquire_token tests "cmd_flags & only_orphan", only_orphan being 1); otherwise it
                // acquires it. The LVB bit costs one sector read and changes nothing else.
                | (flags.contains(AcquireFlag.ORPHAN_ONLY) ? ACQUIRE_ORPHAN_ONLY | ACQUIRE_LVB : 0);
        String context = "leases " + leases;
        withTurn("acquire", context, () -> {
            Pointer args = sanlock.pointers(res);
            int rv = onSocket("acquire", context, bound, () -> {
                int r = lib.sanlock_acquire(fd, -1, f, res.length, args, options);
                NativeSanlock.keep(res);
                return r;
            });
            check("acquire", rv, context);
            return null;
        });
    }

    @Override
    public void release(List<Resource> leases) {
        ByteBuffer[] res = structs(leases);
        release(0, res, "leases " + leases);
    }

    @Override
    public void release(Resource lease) {
        release(List.of(lease));
    }

    @Override
    public void releaseAll() {
        release(REL_ALL, new ByteBuffer[0], "all leases of registration " + fd);
    }

    @Override
    public void releaseOrphan(Resource lease) {
        release(REL_ORPHAN, structs(List.of(lease)), "orphan " + lease);
    }

    private void release(int flags, ByteBuffer[] res, String context) {
        withTurn("release", context, () -> {
            Pointer args = sanlock.pointers(res);
            int rv = onSocket("release", context, sanlock.bounds().io(), () -> {
                int r = lib.sanlock_release(fd, -1, flags, res.length, args);
                NativeSanlock.keep(res);
                return r;
            });
            check("release", rv, context);
            return null;
        });
    }

    @Override
    public List<Resource> inquire() {
        String context = "registration " + fd;
        return withTurn("inquire", context, () -> {
            IntByReference count = new IntByReference();
            PointerByReference state = new PointerByReference();
            int rv = onSocket("inquire", context, sanlock.bounds().daemon(),
                    () -> lib.sanlock_inquire(fd, -1, 0, count, state));
            String text = null;
            Pointer p = state.getValue();
            if (p != null && p.address() != 0) {
                try {
                    text = p.getString(0, Math.max(1, count.getValue()) * (4400 + 1), StandardCharsets.UTF_8);
                } finally {
                    sanlock.libc().free(p);
                }
            }
            check("inquire", rv, context);
            List<Resource> held = ResourceState.parse(text);
            if (held.size() != count.getValue()) {
                throw new IllegalStateException("inquire: the daemon counts " + count.getValue() + " leases but lists "
                        + held.size() + ": '" + text + "'");
            }
            return held;
        });
    }

    @Override
    public byte[] getLvb(Resource lease, int size) {
        if (size < 1 || size > 4096) {
            throw new IllegalArgumentException("an LVB is 1 to 4096 bytes, not " + size);
        }
        ByteBuffer res = Structs.resource(lease, 0);
        ByteBuffer lvb = Structs.allocate(size);
        String context = "lease " + lease;
        return withTurn("get_lvb", context, () -> {
            check("get_lvb", sanlock.daemonCall("get_lvb", context, () -> lib.sanlock_get_lvb(0, res, lvb, size)), context);
            byte[] out = new byte[size];
            lvb.get(0, out);
            return out;
        });
    }

    @Override
    public void setLvb(Resource lease, byte[] value) {
        if (value.length < 1 || value.length > 4096) {
            throw new IllegalArgumentException("an LVB is 1 to 4096 bytes, not " + value.length);
        }
        ByteBuffer res = Structs.resource(lease, 0);
        ByteBuffer lvb = Structs.allocate(value.length);
        lvb.put(0, value);
        String context = "lease " + lease;
        withTurn("set_lvb", context, () -> {
            check("set_lvb", sanlock.daemonCall("set_lvb", context, () -> lib.sanlock_set_lvb(0, res, lvb, value.length)), context);
            return null;
        });
    }

    @Override
    public void killpath(String program, String args, boolean appendPid) {
        ByteBuffer path = Structs.cString(Fields.helper("killpath program", program), Fields.HELPER_LEN);
        ByteBuffer arguments = Structs.cString(args.isEmpty() ? new byte[0] : Fields.helper("killpath arguments", args),
                Fields.HELPER_LEN);
        String context = "killpath " + program + " " + args;
        withTurn("killpath", context, () -> {
            int rv = onSocket("killpath", context, sanlock.bounds().daemon(),
                    () -> lib.sanlock_killpath(fd, appendPid ? KILLPATH_PID : 0, path, arguments));
            check("killpath", rv, context);
            return null;
        });
    }

    @Override
    public boolean broken() {
        return broken;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (inFlight == 0) {
            closeSocket();
        } else {
            sanlock.libc().shutdown(fd, SHUT_RDWR);
        }
    }

    // ---

    private static ByteBuffer[] structs(List<Resource> leases) {
        if (leases.size() > 8) {
            throw new IllegalArgumentException(leases.size() + " leases in one call: sanlock takes at most 8");
        }
        return leases.stream().map(r -> Structs.resource(r, 0)).toArray(ByteBuffer[]::new);
    }

    private void check(String call, int rv, String context) {
        if (rv < 0) {
            throw sanlock.error(call, rv, context);
        }
    }

    /** Runs {@code body} holding the turn, waiting for it at most the io bound. */
    private <T> T withTurn(String call, String context, Supplier<T> body) {
        boolean got;
        try {
            got = turn.tryLock(sanlock.bounds().io().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) {
            throw new SanlockException.Busy(call, ReturnCodes.EBUSY, "EBUSY",
                    "registration " + fd + " still busy with " + current + " after " + sanlock.bounds().io().toMillis()
                            + " ms; " + context);
        }
        try {
            usable(call, context);
            current = call;
            return body.get();
        } finally {
            current = "";
            turn.unlock();
        }
    }

    private synchronized void usable(String call, String context) {
        if (closed) {
            throw new IllegalStateException("registration " + fd + " is closed: " + call + " of " + context);
        }
        if (broken) {
            throw new SanlockException.Unreachable(call, ENOTCONN, "ENOTCONN", "registration " + fd
                    + " is broken: an earlier call outlived its bound and the connection was shut down; " + context);
        }
    }

    /** A call on the registered socket: past its bound, the registration is broken. */
    private int onSocket(String call, String context, Duration bound, IntSupplier f) {
        try {
            return sanlock.calls().run(call, context, bound, () -> {
                started(call, context);
                try {
                    return f.getAsInt();
                } finally {
                    finished();
                }
            }, late -> { });
        } catch (SanlockException.Timeout t) {
            if (t.started()) {
                breakDown();
            }
            throw t;
        }
    }

    /** Counts the call in flight, unless the registration was closed or broken since its turn began. */
    private synchronized void started(String call, String context) {
        usable(call, context);
        inFlight++;
    }

    private synchronized void finished() {
        inFlight--;
        if (inFlight == 0 && (closed || broken)) {
            closeSocket();
        }
    }

    /** Shuts the socket down: the blocked call returns, the daemon sees EOF and releases the leases. */
    private synchronized void breakDown() {
        broken = true;
        if (inFlight == 0) {
            closeSocket();
        } else {
            sanlock.libc().shutdown(fd, SHUT_RDWR);
        }
    }

    private void closeSocket() {
        if (!fdClosed) {
            fdClosed = true;
            sanlock.libc().close(fd);
        }
    }

    @Override
    public String toString() {
        return "registration " + fd + (broken ? " (broken)" : "");
    }
}
