/* vminit_mounts.c: the mounts of the guest's root, made in the guest (see
 * vminit.h): the host only shares the container's root filesystem. */
#include "vminit_int.h"

#include "../kernel/mount.h"
#include "../kernel/process.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int attach_at(int root, int mfd, const char *dest, merr_t *err)
{
    int t = mnt_open_in_root(root, dest, MNT_CREATE_DIR, err);
    if (t < 0) {
        close(mfd);
        return err_wrap(err, "mount at \"%s\"", dest);
    }
    int r = mnt_attach(mfd, t, err);
    close(t);
    close(mfd);
    return r < 0 ? err_wrap(err, "mount at \"%s\"", dest) : 0;
}

static int mount_one(int root, const struct spec_mount *m, merr_t *err)
{
    if (m->bind || m->rbind) {
        /* a path of the guest's own tree: the host's are shared already */
        int fd = mnt_clone_tree(root, m->source, m->rbind, err);
        if (fd < 0)
            return -1;
        if ((m->flags || m->clear) &&
            mnt_setattr(fd, m->flags, m->clear, m->rbind, 0, -1, err) < 0) {
            close(fd);
            return -1;
        }
        return attach_at(root, fd, m->destination, err);
    }
    const char *type = m->type ? m->type : "";
    /* the guest has no host cgroup to bind: its own hierarchy */
    if (strcmp(type, "cgroup") == 0)
        type = "cgroup2";
    int fd = mnt_new_fs(type, m->source, m->data, m->flags, err);
    if (fd < 0)
        return err_wrap(err, "mount %s at \"%s\"", type, m->destination);
    return attach_at(root, fd, m->destination, err);
}

/* the usual device nodes and links of a container's /dev */
static int populate_dev(int root, merr_t *err)
{
    static const struct {
        const char *name;
        unsigned maj, min;
    } nodes[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                 {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
    static const char *const links[][2] = {{"ptmx", "pts/ptmx"},
                                           {"fd", "/proc/self/fd"},
                                           {"stdin", "/proc/self/fd/0"},
                                           {"stdout", "/proc/self/fd/1"},
                                           {"stderr", "/proc/self/fd/2"}};
    cleanup_close int dev = mnt_openat_in_root(root, "/dev", O_DIRECTORY | O_CLOEXEC);
    if (dev < 0)
        return err_sys(err, "open /dev");
    for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
        if (mknodat(dev, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0 &&
            errno != EEXIST)
            return err_sys(err, "mknod /dev/%s", nodes[i].name);
        fchmodat(dev, nodes[i].name, 0666, 0);
    }
    for (size_t i = 0; i < ARRAY_SIZE(links); i++)
        if (symlinkat(links[i][1], dev, links[i][0]) < 0 && errno != EEXIST)
            return err_sys(err, "symlink /dev/%s", links[i][0]);
    mkdirat(dev, "pts", 0755);
    if (mkdirat(dev, "shm", 01777) == 0)
        fchmodat(dev, "shm", 01777, 0);
    return 0;
}

static bool has_mount(const struct spec *s, const char *dest)
{
    for (size_t i = 0; i < s->nmounts; i++)
        if (strcmp(s->mounts[i].destination, dest) == 0)
            return true;
    return false;
}

/* the container's pass: a proc mount, or one below an earlier proc
 * mount's destination (it would be hidden by it otherwise) */
static bool container_pass(const struct spec *s, size_t i)
{
    const struct spec_mount *m = &s->mounts[i];
    if (m->type && strcmp(m->type, "proc") == 0 && !m->bind && !m->rbind)
        return true;
    for (size_t k = 0; k < i; k++) {
        const struct spec_mount *p = &s->mounts[k];
        size_t n = strlen(p->destination);
        if (p->type && strcmp(p->type, "proc") == 0 && !p->bind && !p->rbind &&
            strncmp(m->destination, p->destination, n) == 0 &&
            (m->destination[n] == '/' || (n == 1 && p->destination[0] == '/')))
            return true;
    }
    return false;
}

int vminit_mounts(const struct spec *s, enum mounts_pass pass, merr_t *err)
{
    cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return err_sys(err, "open /");
    if (pass == MOUNTS_INIT && !has_mount(s, "/dev")) {
        int fd = mnt_new_fs("tmpfs", "tmpfs", "mode=755,size=65536k", MS_NOSUID, err);
        if (fd < 0 || attach_at(root, fd, "/dev", err) < 0 || populate_dev(root, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < s->nmounts; i++) {
        const struct spec_mount *m = &s->mounts[i];
        if (container_pass(s, i) != (pass == MOUNTS_CONTAINER))
            continue;
        if (mount_one(root, m, err) < 0)
            return err_wrap(err, "mounts[%zu]", i);
        if (strcmp(m->destination, "/dev") == 0 && m->type && strcmp(m->type, "tmpfs") == 0 &&
            populate_dev(root, err) < 0)
            return -1;
    }
    if (pass == MOUNTS_INIT && !has_mount(s, "/dev/pts")) {
        int fd = mnt_new_fs("devpts", "devpts", "newinstance,ptmxmode=0666,mode=0620",
                            MS_NOSUID | MS_NOEXEC, err);
        if (fd < 0 || attach_at(root, fd, "/dev/pts", err) < 0)
            return -1;
    }
    return 0;
}

/* A masked path: a directory under an empty read-only tmpfs, a file
 * under a read-only bind of the guest's /dev/null (the container's own
 * tmpfs /dev, made above). */
static int mask(int root, const char *path, merr_t *err)
{
    int fd = mnt_openat_in_root(root, path, O_PATH | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? 0 : err_sys(err, "open %s", path);
    struct stat st, nst;
    int mfd = -1, r = -1;
    if (fstat(fd, &st) < 0) {
        err_sys(err, "stat %s", path);
    } else if (S_ISDIR(st.st_mode)) {
        mfd = mnt_new_fs("tmpfs", "tmpfs", "size=0,mode=755",
                         MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
    } else {
        int null = mnt_openat_in_root(root, "/dev/null", O_PATH | O_NOFOLLOW);
        if (null < 0 || fstat(null, &nst) < 0 || !S_ISCHR(nst.st_mode) ||
            nst.st_rdev != makedev(1, 3))
            err_set(err, 0, "the container's /dev/null is not the null device");
        else if ((mfd = mnt_clone_tree(null, "", false, err)) >= 0 &&
                 mnt_setattr(mfd, MS_RDONLY, 0, false, 0, -1, err) < 0)
            close_fd(&mfd);
        if (null >= 0)
            close(null);
    }
    if (mfd >= 0 && mnt_attach(mfd, fd, err) == 0)
        r = 0;
    if (mfd >= 0)
        close(mfd);
    close(fd);
    return r;
}

int vminit_harden(const struct spec *s, merr_t *err)
{
    const struct spec_linux *l = &s->linux_;
    cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return err_sys(err, "open /");
    if (l->nsysctl) {
        /* a /proc of its own: the container's may be masked or absent */
        cleanup_close int proc =
            mnt_new_fs("proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
        if (proc < 0)
            return err_wrap(err, "linux.sysctl");
        for (size_t i = 0; i < l->nsysctl; i++)
            if (proc_sysctl(proc, l->sysctl[i].key, l->sysctl[i].value, err) < 0)
                return -1;
    }
    for (size_t i = 0; l->masked_paths && l->masked_paths[i]; i++)
        if (mask(root, l->masked_paths[i], err) < 0)
            return err_wrap(err, "linux.maskedPaths: %s", l->masked_paths[i]);
    for (size_t i = 0; l->readonly_paths && l->readonly_paths[i]; i++)
        if (mnt_readonly_at(root, l->readonly_paths[i], err) < 0)
            return err_wrap(err, "linux.readonlyPaths: %s", l->readonly_paths[i]);
    return 0;
}
