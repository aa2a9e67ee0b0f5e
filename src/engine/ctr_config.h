/* ctr_config.h: `moat run` flags + an image -> the container's record and
 * its OCI config.json, on top of moat's hardening profile. */
#ifndef MOAT_CTR_CONFIG_H
#define MOAT_CTR_CONFIG_H

#include "store.h"
#include "../runtime/profile.h"
#include <stdbool.h>

struct run_opts {
    bool detach, interactive, tty, rm, read_only, privileged, net_host, userns_host, init;
    bool allow_sensitive; /* --security-opt allow-sensitive-mounts */
    const char *name, *workdir, *user, *hostname, *entrypoint, *image;
    const char *apparmor; /* a profile, "unconfined", or NULL: moat-default where enabled */
    char **env;           /* KEY=VALUE (and KEY: taken from moat's environment) */
    char **volumes;       /* SRC:DST[:ro|rw] */
    char **tmpfs;         /* DST[:OPTIONS] */
    char **ulimits;       /* NAME=SOFT[:HARD] */
    char **cmd;
    struct profile_opts po; /* capabilities, seccomp, memory, pids, landlock */
    double cpus;
};

void run_opts_init(struct run_opts *o);
void run_opts_free(struct run_opts *o);

/* Check a -v SRC:DST[:MODE]; sets *src (resolved), *dst, *ro. A bind of
 * /, moat's store or state, /proc, /sys, /dev or a container engine's
 * socket (or a directory above one of them) is refused unless
 * allow_sensitive. */
int ctr_check_volume(struct store *s, const char *spec, bool allow_sensitive, char **src,
                     char **dst, bool *ro, merr_t *err);

/* The record (container.json) of a new container `id` from `image`. */
json_t *ctr_record(struct store *s, const struct run_opts *o, const char *id, const char *name,
                   const char *image_id, json_t *image_config, json_t *layers, uint64_t userns,
                   merr_t *err);

/* "user[:group]" (names or numbers) to ids, names looked up in the root
 * rootfd's /etc/passwd and /etc/group without leaving it, never through
 * NSS; ids must be inside the container's range. */
int ctr_resolve_user(int rootfd, const char *spec, uint64_t *uid, uint64_t *gid, merr_t *err);

/* config.json for the record, with process.user resolved in the mounted
 * root (rootfd): names are looked up in its /etc/passwd and /etc/group
 * without following a link out of it, never through NSS. */
json_t *ctr_oci_config(struct store *s, const char *id, json_t *rec, int rootfd, merr_t *err);

#endif
