/* selfexe.h: protection against overwriting the runtime binary through
 * /proc/self/exe from inside a container (CVE-2019-5736).
 *
 * A process of the runtime that enters a container must not be running a
 * writable host binary: if it were, the container could open
 * /proc/<pid>/exe (or exec /proc/self/exe) and write to it. runc and crun
 * copy the whole binary into a memfd on every start (memory and time).
 * moat instead re-executes itself once through a read-only, detached bind
 * mount of its own binary (open_tree + mount_setattr(MOUNT_ATTR_RDONLY)
 * + execveat): no copy, no extra memory, and writes through
 * /proc/<pid>/exe fail with EROFS. Where that is not permitted (no
 * CAP_SYS_ADMIN) it falls back to a sealed memfd copy. It is only done when
 * a container's root could write the binary at all. */
#ifndef MOAT_SELFEXE_H
#define MOAT_SELFEXE_H

#include "../util/err.h"
#include <stdbool.h>
#include <stdint.h>

/* True if /proc/self/exe cannot be written (read-only mount or sealed memfd). */
bool selfexe_is_protected(void);
/* Owner uid of our binary. */
int64_t selfexe_owner(void);
/* Re-exec through a read-only view of the binary. Returns only on error,
 * or 0 immediately if already protected. */
int selfexe_protect(char **argv, merr_t *err);

#endif
