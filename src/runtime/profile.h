/* profile.h: moat's hardening profile, the one place that decides what a
 * container may do by default. `moat spec` writes it as config.json (the
 * engine will use it too); the runtime itself never adds it on top of a
 * caller's config. Every relaxation is an explicit option. */
#ifndef MOAT_PROFILE_H
#define MOAT_PROFILE_H

#include "../util/err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define PROFILE_MEMORY_DEFAULT (1LL << 30) /* 1 GiB, swap included */
#define PROFILE_PIDS_DEFAULT 1024
#define PROFILE_USERNS_SIZE 65536
#define PROFILE_NOFILE_MAX 1024
#define PROFILE_NOFILE_MIN 64
#define PROFILE_SUBID_FALLBACK 1000000000ULL /* scripts/setup.sh gives moat this range */

struct profile_opts {
    bool rootless;            /* map the caller; no subordinate ids, no cgroup limits */
    uint64_t cap_add;         /* capability bits added to the default set */
    uint64_t cap_drop;        /* bits removed (all ones: --cap-drop ALL) */
    const char *seccomp;      /* NULL: moat's profile; "unconfined"; or a JSON file */
    json_t *seccomp_resolved; /* a profile already loaded (seccomp_profile.h): used as it is */
    bool no_landlock;
    bool userns_host; /* no user namespace */
    int64_t memory;   /* bytes; -1 no limit */
    int64_t pids;     /* -1 no limit */
    bool writable_root;
    bool privileged; /* the one loud opt-out of all of the above */
};

void profile_defaults(struct profile_opts *o);
/* The subordinate ids of the user "moat": "moat:START:COUNT" in file
 * (/etc/subuid or /etc/subgid); -1 when it has none. */
int subid_range(const char *file, uint64_t *start, uint64_t *count);
/* The default capability set (see profile.c for why each is there). */
uint64_t profile_default_caps(void);
/* linux.seccomp of moat's default profile, for this machine's architecture. */
json_t *profile_seccomp(void);
/* The open-file limit (soft and hard) of a container whose pids limit is
 * pids (<= 0: the default): 1024, lowered to a power of two (not below 64)
 * so that the container at its pids limit can hold at most an eighth of
 * the host's open files (fs.file-max). */
uint64_t profile_nofile(int64_t pids);
/* The whole config.json. */
json_t *profile_config(const struct profile_opts *o, merr_t *err);

#endif
