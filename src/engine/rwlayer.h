/* rwlayer.h: a container's writable layer and its size limit.
 *
 *   containers/ID/layer/          the layer: a btrfs subvolume, a directory
 *                                 with a project id, or a plain directory
 *   containers/ID/layer/upper     the overlay's upper directory
 *   containers/ID/layer/work      its work directory (the same filesystem:
 *                                 overlayfs moves files from one to the other)
 *   STORE/storage-opts            the store's defaults: size=SIZE|max
 *   STORE/unlimited-layers        why layers cannot be limited, once warned
 *
 * The limit in force, by the filesystem of the store's containers/:
 *   btrfs with quotas enabled     the layer is a subvolume with a qgroup limit
 *   xfs (pquota), ext4 (prjquota) the layer has a project id of its own (from
 *                                 RWL_PROJID_FIRST up) with a block limit
 *   anything else                 no limit: `--storage-opt size=` is refused,
 *                                 and the first container of the store says why
 * A write past the limit fails inside the container with EDQUOT. */
#ifndef MOAT_RWLAYER_H
#define MOAT_RWLAYER_H

#include "store.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#define RWL_DEFAULT_SIZE (10LL << 30) /* where no storage-opts file says otherwise */
#define RWL_MIN_SIZE (1LL << 20)
#define RWL_PROJID_FIRST 0x40000000u /* moat's project ids: 2^30 .. 2^31 - 1 */
#define RWL_PROJID_COUNT 0x40000000u

/* The files the engine binds over the container's own (etc/hosts,
 * etc/hostname, etc/resolv.conf; NULL-ended): an empty file of that name
 * in the upper dir is only their mount point, never a change of the
 * container's (Docker keeps them in a layer of their own). */
extern const char *const rwl_own_binds[];
/* Is path (relative to the upper dir), of stat st, such a mount point? */
bool rwl_mount_point(const char *path, const struct stat *st);

/* Is dirfd/name a directory that the overlay's upper dir marks opaque (it
 * hides the lower layers' entries: trusted. or user.overlay.opaque "y")?
 * Opened without following a symlink. */
bool rwl_opaque(int dirfd, const char *name);

enum rwl_mech { RWL_NONE, RWL_BTRFS, RWL_PROJECT };

struct rwl_plan {
    enum rwl_mech mech;
    int64_t size;    /* the limit in bytes; -1: none */
    uint32_t projid; /* RWL_PROJECT: chosen by rwl_create */
    char *why;       /* RWL_NONE: why the store's filesystem cannot limit it */
    char *warning;   /* RWL_NONE, no size asked, the store not told yet: say this */
};

/* A --storage-opt (or storage-opts line) KEY=VALUE: size=SIZE (at least 1m) or size=max (no limit),
 * into *size (bytes, or -1). */
int rwl_parse_opt(const char *kv, int64_t *size, merr_t *err);

/* Decide, before anything is written, how the layer of a new container is
 * made and limited: asked is --storage-opt size= (0: not given, -1: max),
 * else the store's default. Refused when a size is asked and cannot be
 * applied. */
int rwl_plan(struct store *s, int64_t asked, struct rwl_plan *p, merr_t *err);
void rwl_plan_free(struct rwl_plan *p);

/* Make dirfd/layer with upper/ and work/ in it, limited as planned (under
 * the store lock); on failure nothing of it is left. */
int rwl_create(struct store *s, int dirfd, struct rwl_plan *p, merr_t *err);
/* HostConfig.StorageOpt ({"size": "BYTES"}, or null) and WritableLayer
 * ({Mechanism, Limit, ProjectId, Reason}) in the record. */
void rwl_record(json_t *rec, const struct rwl_plan *p);
/* Take away dirfd/layer's subvolume or project limit (the files go with
 * the container's directory). */
void rwl_remove(int dirfd);

/* Where the upper and work directories of the container are, relative to
 * its directory: "layer/" (older records: ""). */
const char *rwl_prefix(json_t *rec);

#endif
