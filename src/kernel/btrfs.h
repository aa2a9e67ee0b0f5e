/* btrfs.h: btrfs subvolumes and their qgroup limits (the container's
 * writable layer as a subvolume of its own, limited in size). */
#ifndef MOAT_BTRFS_H
#define MOAT_BTRFS_H

#include "../util/err.h"
#include <stdbool.h>
#include <stdint.h>

/* Is the filesystem of fd btrfs? */
bool btrfs_is(int fd);
/* Is fd the top directory of a btrfs subvolume? */
bool btrfs_is_subvol(int fd);
/* Are quotas (qgroups, or simple quotas) enabled on the btrfs of fd?
 * Read from /sys/fs/btrfs/FSID/qgroups, which exists only while they are. */
bool btrfs_quota_enabled(int fd);
/* A new, empty subvolume dirfd/name (mode 0755, owned by the caller). */
int btrfs_subvol_create(int dirfd, const char *name, merr_t *err);
/* Delete the subvolume dirfd/name with what it holds. */
int btrfs_subvol_destroy(int dirfd, const char *name, merr_t *err);
/* Limit the bytes the subvolume of fd refers to (its qgroup 0/ID). */
int btrfs_qgroup_limit(int fd, uint64_t bytes, merr_t *err);

#endif
