/* proc.h: safe access to procfs.
 *
 * The runtime opens the host's /proc once, before any container process
 * exists, and checks that it is the root of a real procfs. Every procfs
 * write afterwards goes through that fd with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS) and an fstatfs check, so a
 * container cannot redirect it with mounts or symlinks (CVE-2025-52881). */
#ifndef MOAT_PROC_H
#define MOAT_PROC_H

#include "../util/err.h"
#include <stdint.h>
#include <sys/types.h>

/* O_PATH fd of the verified procfs root. */
int proc_open_root(merr_t *err);
/* Open path below procfd; verifies the result is on procfs. */
int proc_openat(int procfd, const char *path, int flags, merr_t *err);
int proc_write(int procfd, const char *path, const char *data, merr_t *err);

/* Start time (field 22 of /proc/PID/stat, clock ticks since boot) and
 * state letter. Return -1 if the process does not exist. */
int proc_stat(pid_t pid, uint64_t *start_time, char *state);

#endif
