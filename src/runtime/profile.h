/* profile.h: moat's hardening profile, the one place that decides what a
 * container may do by default. `moat spec` writes it as config.json (the
 * engine will use it too); the runtime itself never adds it on top of a
 * caller's config. Every relaxation is an explicit option. */
#ifndef MOAT_PROFILE_H
#define MOAT_PROFILE_H

#include "runtime.h"
#include "../util/err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define PROFILE_MEMORY_DEFAULT (1LL << 30) /* 1 GiB, swap included */
#define PROFILE_PIDS_DEFAULT 1024
#define PROFILE_USERNS_SIZE 65536
#define PROFILE_NOFILE_MAX 1024
#define PROFILE_NOFILE_MIN 64
/* PROFILE_SUBID_FALLBACK, struct profile_opts, profile_defaults,
 * subid_range, profile_default_caps, profile_config: runtime.h */

/* linux.seccomp of moat's default profile, for this machine's architecture. */
json_t *profile_seccomp(void);
/* The open-file limit (soft and hard) of a container whose pids limit is
 * pids (<= 0: the default): 1024, lowered to a power of two (not below 64)
 * so that the container at its pids limit can hold at most an eighth of
 * the host's open files (fs.file-max). */
uint64_t profile_nofile(int64_t pids);

/* Landlock rules (the process' landlock object): read and execute the
 * root (write it too when writable_root), use /dev, and write below each
 * of rw_paths; abstract unix sockets and signals scoped to the domain. */
json_t *profile_landlock(bool writable_root, const char *const *rw_paths, size_t n);

#endif
