package org.headroom.lease.sanlock.internal;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;

/**
 * The calls of libsanlock_client.so.1 (LGPL) the binding makes, as declared in sanlock_resource.h
 * and sanlock_admin.h. uint32_t flags pass as int, uint64_t as long; struct pointers are direct
 * buffers laid out by {@link Structs}; out-pointers that sanlock mallocs are freed with libc free.
 * Every call returns 0 or more on success, a negative code on failure; none sets errno for us.
 */
public interface LibSanlock {
    int sanlock_register();

    int sanlock_killpath(int sock, int flags, ByteBuffer path, ByteBuffer args);

    int sanlock_acquire(int sock, int pid, int flags, int resCount, Pointer resArgs, ByteBuffer options);

    int sanlock_release(int sock, int pid, int flags, int resCount, Pointer resArgs);

    int sanlock_inquire(int sock, int pid, int flags, IntByReference resCount, PointerByReference resState);

    int sanlock_request(int flags, int forceMode, ByteBuffer res);

    int sanlock_set_lvb(int flags, ByteBuffer res, ByteBuffer lvb, int lvbLen);

    int sanlock_get_lvb(int flags, ByteBuffer res, ByteBuffer lvb, int lvbLen);

    int sanlock_add_lockspace_timeout(ByteBuffer ls, int flags, int ioTimeout);

    int sanlock_inq_lockspace(ByteBuffer ls, int flags);

    int sanlock_rem_lockspace(ByteBuffer ls, int flags);

    int sanlock_get_lockspaces(PointerByReference lss, IntByReference count, int flags);

    int sanlock_get_hosts(ByteBuffer lsName, long hostId, PointerByReference hss, IntByReference count, int flags);

    int sanlock_align(ByteBuffer disk);

    int sanlock_write_lockspace(ByteBuffer ls, int maxHosts, int flags, int ioTimeout);

    int sanlock_read_lockspace(ByteBuffer ls, int flags, IntByReference ioTimeout);

    int sanlock_write_resource(ByteBuffer res, int maxHosts, int numHosts, int flags);

    int sanlock_read_resource(ByteBuffer res, int flags);

    int sanlock_read_resource_owners(ByteBuffer res, int flags, PointerByReference hss, IntByReference count);

    int sanlock_version(int flags, IntByReference version, IntByReference proto);

    String sanlock_strerror(int rv);

    /** The libc calls the binding needs: the memory sanlock mallocs, a registration's socket, errno names. */
    interface LibC {
        void free(Pointer p);

        int close(int fd);

        int shutdown(int fd, int how);

        String strerror(int errnum);
    }
}
