/* ctr_mounts.h: a container's binds, volumes and tmpfs mounts.
 *
 * At create, each -v / --mount is resolved once into a structured record
 * (the container record's "Mounts", Docker's inspect shape plus a pin):
 * a bind's source is opened, its canonical path and identity recorded and
 * checked (bind.h); a named volume is made if missing, with an id range
 * of its own (volume.h). At start, each is opened again from its record
 * (never by re-splitting a string), checked to be the same object, and
 * handed to the runtime as an fd.
 *
 * Who owns what on the host:
 *   - a bind: no id mapping; the container's root writes as its own
 *     unprivileged host uid, and the host's files show as nobody unless
 *     they are world-readable/writable. `:U` gives the source to the
 *     container's user first; `:idmap` (explicit, as Podman's) maps the
 *     container's root onto host root on that directory;
 *   - a volume: idmapped from the volume's own range onto the container's
 *     range, so its files never belong to host root and every container
 *     sharing it sees the same owners.
 * Binds and volumes are nosuid and nodev, recursively. */
#ifndef MOAT_CTR_MOUNTS_H
#define MOAT_CTR_MOUNTS_H

#include "store.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct mount_req {
    bool volume;     /* a named volume, else a bind */
    bool anonymous;  /* a volume of its own (-v /path): named at random */
    char *src, *dst; /* bind: host path; volume: its name */
    bool ro, chown, idmap;
    char *what; /* the flag as given, for errors: -v "..." */
};

/* -v SRC:DST[:OPTS] (OPTS: ro, rw, U, idmap, z, Z, nocopy) */
int ctr_parse_volume(const char *spec, struct mount_req *m, merr_t *err);
void mount_req_free(struct mount_req *m);

/* The requests m (n of them, shared, not copied) and an anonymous volume
 * for each path of the image's Volumes (VOLUME) that none of them mounts:
 * *nall in all; the ones past n are the caller's to free. NULL if the
 * image declares too many. */
struct mount_req *ctr_image_volumes(json_t *volumes, const struct mount_req *m, size_t n,
                                    size_t *nall, merr_t *err);

/* --volumes-from: the mounts of each container of from (CONTAINER[:ro|rw])
 * added to mounts, where mounts has none at their destination */
int ctr_volumes_from(struct store *s, char **from, json_t *mounts, merr_t *err);

/* The record's "Mounts" for the requests: binds resolved and pinned,
 * volumes made (call under the store lock). */
json_t *ctr_mounts_record(struct store *s, const struct mount_req *m, size_t n,
                          bool allow_sensitive, merr_t *err);

/* --tmpfs DST[:OPTS]: checked against an allow-list; NULL and an error if
 * refused, else the OCI options array. */
json_t *ctr_tmpfs_options(const char *spec, char **dst, merr_t *err);

/* The container's user, for :U: its host ids are base + uid, base + gid. */
struct ctr_ids {
    uint64_t base; /* 0: no user namespace */
    uint64_t uid, gid;
};

/* Append the record's binds and volumes to the OCI mounts (writable ones
 * to rw_paths, the Landlock rule of writable places, when given); the fd
 * of each source is put at its mount's index in *fds (grown to *nfds,
 * -1 elsewhere). */
int ctr_mounts_oci(struct store *s, json_t *rec, json_t *mounts, json_t *rw_paths,
                   const struct ctr_ids *ids, int **fds, size_t *nfds, merr_t *err);
void ctr_mounts_close(int *fds, size_t n);

#endif
