/* helper_filter.h: the seccomp allow-list of moat's own helper processes
 * (moat-fetch, moat-net, moat-api, the DNS resolver): a call of another
 * architecture kills the process, a call not allowed fails with EPERM.
 * Each helper adds its rules with arguments and loads it. */
#ifndef MOAT_KERNEL_HELPER_FILTER_H
#define MOAT_KERNEL_HELPER_FILTER_H

#include "../util/err.h"
#include <seccomp.h>
#include <stddef.h>

/* A filter allowing the calls named (names this architecture does not
 * have are skipped); NULL and err on failure. */
scmp_filter_ctx helper_filter(const char *const *names, size_t n, merr_t *err);

#endif
