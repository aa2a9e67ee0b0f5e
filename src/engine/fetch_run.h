/* fetch_run.h: start moat-fetch, the registry client, the way a helper
 * that touches untrusted data must run:
 *
 *   - as the system user moat-fetch (scripts/setup.sh creates it), never
 *     root and never a uid any other program uses; no supplementary groups
 *   - with an environment of the proxy variables only (http_proxy,
 *     https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY, no_proxy, NO_PROXY)
 *   - with stdin, stdout, stderr and, on fd 3, the credentials (a memfd:
 *     no path to them exists) and no other descriptor
 *   - with no_new_privs, a parent-death SIGKILL, and limits: no core
 *     files, 1024 open files, 512 processes of its uid, RLIMIT_FSIZE at
 *     the largest blob allowed (plus 4 MiB for documents; SIGXFSZ
 *     ignored, so a write past it fails) and 2 GiB of address space
 *     (not in sanitizer builds)
 *   - from the executable beside moat (a build tree), else the installed
 *     one (MOAT_LIBEXECDIR/moat/moat-fetch); either must be a regular file
 *     owned by root or by moat's owner and writable by no one else. It is
 *     opened once and executed through that descriptor.
 *
 * The helper then confines itself further (src/fetch/sandbox.h). */
#ifndef MOAT_FETCH_RUN_H
#define MOAT_FETCH_RUN_H

#include "../util/err.h"
#include <stdint.h>
#include <sys/types.h>

#define FETCH_USER "moat-fetch"

/* The pull limits: MOAT_PULL_MAX_BLOB_BYTES (a blob, default 16 GiB) and
 * MOAT_PULL_MAX_BYTES (the blobs of one pull, default 64 GiB); sizes as
 * "10g", "512m" or bytes, "max" for none (UINT64_MAX). */
struct fetch_limits {
    uint64_t max_blob, max_total;
};
int fetch_limits(struct fetch_limits *l, merr_t *err);

struct fetch_run {
    int dirfd;          /* its working directory */
    char **args;        /* its arguments after argv[0], NULL-terminated */
    const char *input;  /* its stdin (NULL: /dev/null) */
    const char *secret; /* what it reads from fd 3 (NULL: no fd 3) */
    int out_fd;         /* its stdout (-1: /dev/null) */
    uint64_t max_blob;  /* for RLIMIT_FSIZE */
};

/* The uid and gid of FETCH_USER, from /etc/passwd. */
int fetch_user(uid_t *uid, gid_t *gid, merr_t *err);
/* Run it and wait; -1 unless it exits 0. */
int fetch_run(const struct fetch_run *r, merr_t *err);

#endif
