/* mount.h: fd-based mount primitives.
 *
 * Destinations are resolved once with openat2(RESOLVE_IN_ROOT), so a
 * symlink inside the rootfs can never point a mount outside it, and the
 * mount is attached to the fd that was resolved, never to a path that is
 * looked up again (CVE-2021-30465). Filesystems are made with the new mount
 * API (fsopen/fsconfig/fsmount), bind mounts with open_tree, and both are
 * attached with move_mount. */
#ifndef MOAT_MOUNT_H
#define MOAT_MOUNT_H

#include "../util/err.h"
#include <stdbool.h>
#include <stdint.h>

enum mnt_create { MNT_NOCREATE, MNT_CREATE_DIR, MNT_CREATE_FILE };

/* Open an absolute container path below rootfd as O_PATH, following
 * symlinks as if rootfd were "/". Missing components are created as
 * directories (the last one as `create` says). */
int mnt_open_in_root(int rootfd, const char *path, enum mnt_create create, merr_t *err);
/* openat2 with RESOLVE_IN_ROOT (no creation); -1 with errno on failure. */
int mnt_openat_in_root(int rootfd, const char *path, int flags);
/* openat2 below dirfd through plain directories only: no symlink, no
 * "..", no other mount (ELOOP, EXDEV); -1 with errno on failure. */
int mnt_openat_beneath_plain(int dirfd, const char *path, int flags);

/* Detached copy of the mount at dirfd/path (open_tree OPEN_TREE_CLONE). */
int mnt_clone_tree(int dirfd, const char *path, bool recursive, merr_t *err);

/* Change mount attributes. set/clr are MS_* flags (MS_RDONLY, MS_NOSUID,
 * MS_NODEV, MS_NOEXEC, atime flags, MS_NOSYMFOLLOW); propagation is
 * MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (0 = unchanged); userns_fd
 * >= 0 makes it an idmapped mount. */
int mnt_setattr(int mntfd, unsigned long set, unsigned long clr, bool recursive,
                unsigned long propagation, int userns_fd, merr_t *err);

/* A new filesystem instance, detached. data is the comma-separated
 * filesystem options; flags are MS_* (mount attributes and superblock
 * flags). */
int mnt_new_fs(const char *type, const char *source, const char *data, unsigned long flags,
               merr_t *err);

/* Attach a detached mount on top of the object target_fd refers to. */
int mnt_attach(int mntfd, int target_fd, merr_t *err);

/* Make path (absolute, resolved in rootfd) a read-only bind of itself,
 * with everything mounted below it. 0 when path does not exist. */
int mnt_readonly_at(int rootfd, const char *path, merr_t *err);

/* MS_* -> MOUNT_ATTR_* (exposed for tests). */
uint64_t mnt_ms_to_attr(unsigned long ms);

#endif
