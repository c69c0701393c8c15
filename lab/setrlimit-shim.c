/* LD_PRELOAD shim for the sanlock daemon in a sandbox without CAP_SYS_RESOURCE:
 * setrlimit() failing with EPERM is reported as success, any other outcome is passed through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/resource.h>

int setrlimit(__rlimit_resource_t resource, const struct rlimit *limit)
{
    static int (*next_setrlimit)(__rlimit_resource_t, const struct rlimit *);
    if (next_setrlimit == NULL)
        next_setrlimit = dlsym(RTLD_NEXT, "setrlimit");
    int rc = next_setrlimit(resource, limit);
    if (rc < 0 && errno == EPERM) {
        errno = 0;
        return 0;
    }
    return rc;
}
