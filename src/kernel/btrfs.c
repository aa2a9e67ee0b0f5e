/* btrfs.c: btrfs subvolumes and qgroup limits (see btrfs.h). */
#include "btrfs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

bool btrfs_is(int fd)
{
    struct statfs sf;
    return fstatfs(fd, &sf) == 0 && sf.f_type == (typeof(sf.f_type))BTRFS_SUPER_MAGIC;
}

bool btrfs_is_subvol(int fd)
{
    struct stat st;
    /* BTRFS_FIRST_FREE_OBJECTID: the inode number of every subvolume's top */
    return btrfs_is(fd) && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_ino == 256;
}

bool btrfs_quota_enabled(int fd)
{
    struct btrfs_ioctl_fs_info_args fi;
    memset(&fi, 0, sizeof(fi));
    if (!btrfs_is(fd) || ioctl(fd, BTRFS_IOC_FS_INFO, &fi) < 0)
        return false;
    const uint8_t *u = fi.fsid;
    char path[96];
    snprintf(path, sizeof(path),
             "/sys/fs/btrfs/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x/qgroups",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int vol_args(const char *name, struct btrfs_ioctl_vol_args *a, merr_t *err)
{
    memset(a, 0, sizeof(*a));
    if (!*name || strchr(name, '/') || strlen(name) >= sizeof(a->name))
        return err_set(err, 0, "btrfs: \"%s\": not a subvolume name", name);
    memcpy(a->name, name, strlen(name));
    return 0;
}

int btrfs_subvol_create(int dirfd, const char *name, merr_t *err)
{
    struct btrfs_ioctl_vol_args a;
    if (vol_args(name, &a, err) < 0)
        return -1;
    if (ioctl(dirfd, BTRFS_IOC_SUBVOL_CREATE, &a) < 0)
        return err_sys(err, "btrfs: create subvolume %s", name);
    return 0;
}

int btrfs_subvol_destroy(int dirfd, const char *name, merr_t *err)
{
    struct btrfs_ioctl_vol_args a;
    if (vol_args(name, &a, err) < 0)
        return -1;
    if (ioctl(dirfd, BTRFS_IOC_SNAP_DESTROY, &a) < 0)
        return err_sys(err, "btrfs: delete subvolume %s", name);
    return 0;
}

int btrfs_qgroup_limit(int fd, uint64_t bytes, merr_t *err)
{
    /* qgroupid 0: the qgroup of the subvolume fd is in */
    struct btrfs_ioctl_qgroup_limit_args a;
    memset(&a, 0, sizeof(a));
    a.lim.flags = BTRFS_QGROUP_LIMIT_MAX_RFER;
    a.lim.max_rfer = bytes;
    if (ioctl(fd, BTRFS_IOC_QGROUP_LIMIT, &a) < 0)
        return err_sys(err, "btrfs: limit the subvolume's qgroup to %llu bytes",
                       (unsigned long long)bytes);
    return 0;
}
