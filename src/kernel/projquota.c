/* projquota.c: project ids and their block limits (see projquota.h).
 *
 * Untested on the kernel moat is developed on (its ext4 lacks QFMT_V2 and
 * its xfs lacks quota support), so kept to the documented calls:
 * quotactl_fd(2) (Linux 5.14), else quotactl(2) on the block device, and
 * FS_IOC_FSGETXATTR / FS_IOC_FSSETXATTR. */
#include "projquota.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/quota.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif

/* quotactl on the filesystem of fd */
static long qctl(int fd, int cmd, uint32_t id, void *addr)
{
    /* ENOSYS also means "no quotas on this filesystem": tell the two apart
     * by what a bad fd gets (EBADF where the call exists) */
    static int have_fd_call = -1;
    if (have_fd_call < 0)
        have_fd_call = syscall(SYS_quotactl_fd, -1, cmd, id, addr) < 0 && errno != ENOSYS;
    if (have_fd_call)
        return syscall(SYS_quotactl_fd, fd, cmd, id, addr);
    /* before Linux 5.14: by the block device (ext4 and xfs live on one) */
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    char dev[48];
    snprintf(dev, sizeof(dev), "/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
    return syscall(SYS_quotactl, cmd, dev, id, addr);
}

int pq_enforced(int fd, merr_t *err)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        return err_sys(err, "statfs");
    const char *fs = sf.f_type == (typeof(sf.f_type))XFS_SUPER_MAGIC    ? "xfs"
                     : sf.f_type == (typeof(sf.f_type))EXT4_SUPER_MAGIC ? "ext4"
                                                                        : NULL;
    if (!fs)
        return err_set(err, 0, "not xfs or ext4");
    struct fs_quota_statv sv;
    memset(&sv, 0, sizeof(sv));
    sv.qs_version = FS_QSTATV_VERSION1;
    bool xfs = !strcmp(fs, "xfs");
    long r = qctl(fd, QCMD(Q_XGETQSTATV, PRJQUOTA), 0, &sv);
    if (r < 0 && errno == ENOSYS)
        return err_set(err, 0, "%s, for which this kernel has no quota support (%s)", fs,
                       xfs ? "CONFIG_XFS_QUOTA" : "CONFIG_QUOTA, CONFIG_QFMT_V2");
    if (r < 0) /* ext4 without the project feature: EINVAL */
        return err_set(err, 0, "%s without project quotas (%s)", fs,
                       xfs ? "mount it with pquota"
                           : "tune2fs -O quota,project, then mount it with prjquota");
    if (!(sv.qs_flags & FS_QUOTA_PDQ_ENFD))
        return err_set(err, 0, "%s with project quotas not enforced (mount it with %s)", fs,
                       xfs ? "pquota" : "prjquota");
    return 0;
}

int pq_free_id(int fd, uint32_t first, uint32_t count, uint32_t *id, merr_t *err)
{
    uint32_t r = 0;
    if (!count || getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
        r = (uint32_t)getpid();
    for (uint32_t k = 0; k < 256 && k < count; k++) {
        uint32_t cand = first + (r + k) % count;
        struct if_dqblk q;
        memset(&q, 0, sizeof(q));
        /* xfs: ENOENT for an id nothing was ever charged to */
        if (qctl(fd, QCMD(Q_GETQUOTA, PRJQUOTA), cand, &q) < 0 && errno != ENOENT)
            return err_sys(err, "read the quota of project %u", cand);
        if (q.dqb_curspace == 0 && q.dqb_curinodes == 0) {
            *id = cand;
            return 0;
        }
    }
    return err_set(err, 0, "no free project id found from %u", first);
}

int pq_set_dir(int fd, uint32_t id, merr_t *err)
{
    struct fsxattr fa;
    if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0)
        return err_sys(err, "read the project id");
    fa.fsx_projid = id;
    fa.fsx_xflags |= FS_XFLAG_PROJINHERIT;
    if (ioctl(fd, FS_IOC_FSSETXATTR, &fa) < 0)
        return err_sys(err, "set project id %u", id);
    return 0;
}

int pq_get(int fd, uint32_t *id)
{
    struct fsxattr fa;
    if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0)
        return -1;
    *id = fa.fsx_projid;
    return 0;
}

int pq_limit(int fd, uint32_t id, uint64_t bytes, merr_t *err)
{
    struct if_dqblk q;
    memset(&q, 0, sizeof(q));
    /* in QIF_DQBLKSIZE (1 KiB) blocks; no soft limit. Empty files take no
     * blocks but an inode each: one inode per 4 KiB of the limit. */
    q.dqb_bhardlimit = (bytes + QIF_DQBLKSIZE - 1) / QIF_DQBLKSIZE;
    q.dqb_ihardlimit = bytes / 4096;
    q.dqb_valid = QIF_BLIMITS | QIF_ILIMITS;
    if (qctl(fd, QCMD(Q_SETQUOTA, PRJQUOTA), id, &q) < 0)
        return err_sys(err, "limit project %u to %llu bytes", id, (unsigned long long)bytes);
    return 0;
}
