/* helper_filter.c: the helpers' allow-list filter (see helper_filter.h). */
#include "helper_filter.h"

#include <errno.h>

scmp_filter_ctx helper_filter(const char *const *names, size_t n, merr_t *err)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx) {
        err_set(err, 0, "sandbox: seccomp_init");
        return NULL;
    }
    int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    for (size_t i = 0; i < n && r == 0; i++) {
        int nr = seccomp_syscall_resolve_name(names[i]);
        if (nr != __NR_SCMP_ERROR)
            r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    }
    if (r < 0) {
        seccomp_release(ctx);
        err_set(err, -r, "sandbox: seccomp");
        return NULL;
    }
    return ctx;
}
