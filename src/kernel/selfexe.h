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
 * a container's root could write the binary at all.
 *
 * Cheaper still, the re-exec is skipped where no process of the container
 * can see the runtime: an init is non-dumpable from the moment it can be
 * seen, so /proc/<pid>/exe is closed to every process without
 * CAP_SYS_PTRACE in the host user namespace, and in a pid namespace of its
 * own only `exec` and a container joining that namespace can bring such a
 * process next to it; both are checked (see cmd_exec.c and
 * cmd_lifecycle.c). */
#ifndef MOAT_SELFEXE_H
#define MOAT_SELFEXE_H

#include "../util/err.h"
#include <stdbool.h>
#include <stdint.h>

/* True if /proc/self/exe cannot be written (read-only mount or sealed memfd). */
bool selfexe_is_protected(void);
/* True if the executable at path (such as /proc/<pid>/exe) cannot be written. */
bool selfexe_path_protected(const char *exe);
/* The pid of a process in the pid namespace at nspath that runs moat from a
 * writable file (a container init before its exec), 0 if none, -1 on error. */
int selfexe_unsealed_in_pidns(const char *nspath, merr_t *err);
/* The directory of moat's binary (where its helpers are in a build
 * tree), known from before a re-exec too; NULL if unknown. */
const char *selfexe_dir(void);
/* Owner uid of our binary. */
int64_t selfexe_owner(void);
/* Re-exec through a read-only view of the binary. Returns only on error,
 * or 0 immediately if already protected. */
int selfexe_protect(char **argv, merr_t *err);

#endif
