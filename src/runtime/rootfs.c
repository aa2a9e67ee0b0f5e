/* rootfs.c: the container's filesystem: rootfs, mounts, /dev, pivot_root,
 * masked and read-only paths. Host paths are opened only by the runtime,
 * before the init exists, as detached mount trees (rootfs_prepare); the
 * init attaches them and creates the filesystems that belong to its own
 * namespaces (proc, sysfs, tmpfs, devpts, mqueue, cgroup2). */
#include "container.h"
#include "../kernel/idmap.h"
#include "../kernel/lsm.h"
#include "../kernel/mount.h"
#include "../kernel/terminal.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

static const struct {
    const char *path;
    unsigned major, minor;
} default_devs[DEFAULT_DEVICES] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static bool config_has_device(const struct spec *s, const char *path)
{
    for (size_t i = 0; i < s->linux_.ndevices; i++)
        if (strcmp(s->linux_.devices[i].path, path) == 0)
            return true;
    return false;
}

static bool is_shared(unsigned long prop)
{
    return (prop & MS_SHARED) != 0;
}

/* A host path cloned as a detached tree that will not propagate mounts
 * made in the container back to the host. */
static int host_tree(const char *path, bool recursive, bool keep_peer, merr_t *err)
{
    int t = mnt_clone_tree(AT_FDCWD, path, recursive, err);
    if (t < 0)
        return -1;
    if (!keep_peer && mnt_setattr(t, 0, 0, true, MS_SLAVE, -1, err) < 0) {
        close(t);
        return err_wrap(err, "make \"%s\" a slave mount", path);
    }
    return t;
}

static char *host_source(const struct container *c, const char *src)
{
    if (src[0] == '/')
        return xstrdup(src);
    return xasprintf("%s/%s", c->bundle, src);
}

static int host_trees(struct container *c, merr_t *err);

/* mounts[i]'s source, as an O_PATH fd: the caller's pinned one, or the
 * path resolved now, once */
static int open_source(struct container *c, size_t i, merr_t *err)
{
    if (i < c->o.n_mount_srcs && c->o.mount_srcs[i] >= 0) {
        c->mount_srcs[i] = fcntl(c->o.mount_srcs[i], F_DUPFD_CLOEXEC, 3);
        if (c->mount_srcs[i] < 0)
            return err_sys(err, "mounts[%zu].source", i);
        return 0;
    }
    cleanup_free char *hs = host_source(c, c->spec->mounts[i].source);
    c->mount_srcs[i] = open(hs, O_PATH | O_CLOEXEC);
    if (c->mount_srcs[i] < 0)
        return err_sys(err, "mounts[%zu].source: \"%s\"", i, hs);
    return 0;
}

/* A bind's tree, cloned through its source fd. In the init (rootless: the
 * runtime may not clone the host's mounts), the fd belongs to the
 * runtime's mount namespace, which open_tree refuses: the path is looked
 * up in the init's copy of it and must lead to the very same object. */
static int source_tree(struct container *c, size_t i, bool rec, bool keep_peer, merr_t *err)
{
    int src = c->mount_srcs[i];
    cleanup_close int again = -1;
    if (c->child_trees) {
        cleanup_free char *hs = host_source(c, c->spec->mounts[i].source);
        struct stat a, b;
        again = open(hs, O_PATH | O_CLOEXEC);
        if (again < 0 || fstat(again, &a) < 0 || fstat(src, &b) < 0)
            return err_sys(err, "source \"%s\"", hs);
        if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
            return err_set(err, 0, "source \"%s\" was replaced while the container was created",
                           hs);
        src = again; /* cloned through what was checked, never the path again */
    }
    int t = mnt_clone_tree(src, "", rec, err);
    if (t >= 0 && !keep_peer && mnt_setattr(t, 0, 0, true, MS_SLAVE, -1, err) < 0) {
        close(t);
        return -1;
    }
    return t;
}

int rootfs_prepare(struct container *c, merr_t *err)
{
    const struct spec *s = c->spec;
    const struct plan *p = &c->plan;
    if (!p->mountns)
        return 0;
    c->rootfs_tree = host_tree(c->rootfs, true, false, err);
    if (c->rootfs_tree < 0 && err->errnum == EPERM) {
        /* not privileged over the host's mounts: the init clones what it
         * needs from inside its own user and mount namespace */
        err_clear(err);
        c->child_trees = true;
    } else if (c->rootfs_tree < 0) {
        return err_wrap(err, "root.path");
    }
    /* bind trees are made when the init reaches them (rootfs_make_trees),
     * so that mounts are created in config order; their sources are opened
     * now, once (a bad one fails before anything starts), and mounted
     * through that fd: a path swapped later is never followed */
    c->mount_trees = xmalloc((s->nmounts + 1) * sizeof(int));
    c->mount_srcs = xmalloc((s->nmounts + 1) * sizeof(int));
    for (size_t i = 0; i < s->nmounts; i++)
        c->mount_trees[i] = c->mount_srcs[i] = -1;
    for (size_t i = 0; i < s->nmounts; i++)
        if (p->mount_kinds[i] == MK_BIND && open_source(c, i, err) < 0)
            return -1;
    if (c->child_trees)
        return 0;
    return host_trees(c, err);
}

/* The host's node at path, to bind in a user namespace: it must be the
 * device the config names (type and number), not whatever file the host
 * has at that path. Opened once, without magic links; the tree is cloned
 * from that fd. */
static int host_device(const char *path, char type, int64_t major, int64_t minor, merr_t *err)
{
    cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int fd = root < 0 ? -1 : mnt_openat_in_root(root, path, O_PATH);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return err_sys(err, "open %s", path);
    mode_t fmt = type == 'b' ? S_IFBLK : S_IFCHR;
    if ((st.st_mode & S_IFMT) != fmt || major < 0 || minor < 0 ||
        st.st_rdev != makedev((unsigned)major, (unsigned)minor))
        return err_set(err, 0, "the host's %s is not the %s device %lld:%lld", path,
                       type == 'b' ? "block" : "character", (long long)major, (long long)minor);
    return mnt_clone_tree(fd, "", false, err);
}

/* /dev/null for masked files (verified to be the null device), the host
 * devices to bind in a user namespace, the container's cgroups. In the
 * runtime, or in the init before pivot_root when child_trees. */
static int host_trees(struct container *c, merr_t *err)
{
    const struct spec *s = c->spec;
    const struct plan *p = &c->plan;
    int dn = open("/dev/null", O_PATH | O_CLOEXEC);
    struct stat st;
    if (dn < 0 || fstat(dn, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
        if (dn >= 0)
            close(dn);
        return err_set(err, 0, "host /dev/null is not the null device");
    }
    c->devnull_tree = mnt_clone_tree(dn, "", false, err);
    close(dn);
    if (c->devnull_tree < 0)
        return -1;
    /* in a user namespace device nodes cannot be created: bind the host's */
    if (p->userns && p->setup_dev) {
        size_t n = DEFAULT_DEVICES + s->linux_.ndevices;
        c->dev_trees = xmalloc(n * sizeof(int));
        for (size_t i = 0; i < n; i++) {
            const char *path;
            if (i < DEFAULT_DEVICES) {
                path = default_devs[i].path;
                if (config_has_device(s, path)) {
                    c->dev_trees[i] = -1;
                    continue;
                }
            } else {
                const struct spec_device *d = &s->linux_.devices[i - DEFAULT_DEVICES];
                path = d->path;
                if (d->type == 'p') {
                    c->dev_trees[i] = -1;
                    continue;
                }
            }
            c->dev_trees[i] =
                i < DEFAULT_DEVICES
                    ? host_device(path, 'c', default_devs[i].major, default_devs[i].minor, err)
                    : host_device(path, s->linux_.devices[i - DEFAULT_DEVICES].type,
                                  s->linux_.devices[i - DEFAULT_DEVICES].major,
                                  s->linux_.devices[i - DEFAULT_DEVICES].minor, err);
            if (c->dev_trees[i] < 0)
                return err_wrap(err, "device %s (bound from the host in a user namespace)", path);
        }
    }
    /* cgroup mounts: the container's directory in each hierarchy */
    bool cgmount = false;
    for (size_t i = 0; i < s->nmounts; i++)
        cgmount = cgmount || p->mount_kinds[i] == MK_CGROUP;
    if (cgmount && c->have_cg) {
        c->cg_trees = xmalloc((c->cg.n + 1) * sizeof(int));
        for (size_t h = 0; h < c->cg.n; h++) {
            c->cg_trees[h] = -1;
            if (!c->cg.dirs[h])
                continue;
            c->cg_trees[h] = host_tree(c->cg.dirs[h], false, false, err);
            if (c->cg_trees[h] < 0)
                return err_wrap(err, "cgroup mount");
        }
    }
    return 0;
}

int rootfs_make_trees(struct container *c, size_t first, int *fds, size_t max, merr_t *err)
{
    const struct spec *s = c->spec;
    const struct plan *p = &c->plan;
    size_t n = 0;
    for (size_t i = first; i < s->nmounts && n < max; i++) {
        const struct spec_mount *m = &s->mounts[i];
        int t;
        if (p->mount_kinds[i] == MK_BIND)
            t = source_tree(c, i, m->rbind, is_shared(m->propagation), err);
        else if (p->mount_kinds[i] == MK_HOSTBIND)
            t = host_tree(strcmp(m->type, "sysfs") == 0 ? "/sys" : "/dev/mqueue", true,
                          is_shared(m->propagation), err);
        else
            break;
        if (t < 0)
            goto fail;
        fds[n++] = t;
        if (m->idmap) {
            int ufd;
            if (m->n_uid_mappings) {
                ufd = idmap_userns_fd(m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
                                      m->n_gid_mappings, err);
            } else {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)c->host_pid);
                ufd = open(path, O_RDONLY | O_CLOEXEC);
                if (ufd < 0)
                    err_sys(err, "open %s", path);
            }
            if (ufd < 0)
                goto fail;
            int r = mnt_setattr(t, 0, 0, m->ridmap, 0, ufd, err);
            close(ufd);
            if (r < 0)
                goto fail;
        }
    }
    return (int)n;
fail:
    err_wrap(err, "mounts[%zu]", first + n);
    while (n > 0)
        close(fds[--n]);
    return -1;
}

int rootfs_attach(struct container *c, merr_t *err)
{
    /* the rootfs goes on top of "/" of our mount namespace: host paths
     * stay reachable (hooks) until pivot_root */
    if (c->child_trees) {
        c->rootfs_tree = host_tree(c->rootfs, true, false, err);
        if (c->rootfs_tree < 0 || host_trees(c, err) < 0)
            return err_wrap(err, "root.path");
    }
    cleanup_close int top = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (top < 0)
        return err_sys(err, "open /");
    if (mnt_attach(c->rootfs_tree, top, err) < 0)
        return err_wrap(err, "root.path: attach \"%s\"", c->rootfs);
    c->croot = c->rootfs_tree;
    c->rootfs_tree = -1;
    return 0;
}

static int copy_up(int src_dir_path_fd, int dst_mnt, merr_t *err)
{
    int src = openat(src_dir_path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (src < 0)
        return err_sys(err, "tmpcopyup: open the directory below");
    int r = copy_tree_at(src, dst_mnt);
    int e = errno;
    close(src);
    if (r < 0) {
        errno = e;
        return err_sys(err, "tmpcopyup: copy");
    }
    return 0;
}

static int mount_cgroup(struct container *c, const struct spec_mount *m, int target, merr_t *err)
{
    const struct cg_host *h = &c->cghost;
    unsigned long ro = m->flags & MS_RDONLY;
    unsigned long attrs = (m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC));
    bool cgns = c->spec->linux_.ns[NS_CGROUP].want;
    if (h->mode == CG_V2) {
        int mfd;
        if (cgns) {
            mfd = mnt_new_fs("cgroup2", "cgroup", NULL, attrs | ro, err);
        } else {
            size_t k = 0;
            while (k < h->n && !(h->h[k].v2 && c->cg_trees && c->cg_trees[k] >= 0))
                k++;
            if (k == h->n)
                return err_set(err, ENOENT, "no cgroup of the container to mount");
            mfd = c->cg_trees[k];
            c->cg_trees[k] = -1;
            if (mnt_setattr(mfd, attrs | ro, 0, false, 0, -1, err) < 0)
                return -1;
        }
        if (mfd < 0)
            return -1;
        int r = mnt_attach(mfd, target, err);
        close(mfd);
        return r;
    }
    /* v1 and hybrid: a tmpfs with one directory per hierarchy */
    int tfd = mnt_new_fs("tmpfs", "cgroup", "mode=755", attrs, err);
    if (tfd < 0)
        return -1;
    for (size_t k = 0; k < h->n; k++) {
        if (!c->cg_trees || c->cg_trees[k] < 0)
            continue;
        const char *base = strrchr(h->h[k].mnt, '/');
        base = base ? base + 1 : h->h[k].mnt;
        if (mkdirat(tfd, base, 0755) < 0 && errno != EEXIST) {
            close(tfd);
            return err_sys(err, "cgroup mount: mkdir %s", base);
        }
        /* co-mounted controllers: cpu -> cpu,cpuacct */
        if (!h->h[k].v2 && strchr(base, ',')) {
            cleanup_free char *list = xstrdup(base);
            char *save = NULL;
            for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
                (void)!symlinkat(base, tfd, t);
        }
        int sub = openat(tfd, base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 || mnt_setattr(c->cg_trees[k], attrs | ro, 0, false, 0, -1, err) < 0 ||
            mnt_attach(c->cg_trees[k], sub, err) < 0) {
            if (sub >= 0)
                close(sub);
            else
                err_sys(err, "cgroup mount: open %s", base);
            close(tfd);
            return -1;
        }
        close(sub);
        close(c->cg_trees[k]);
        c->cg_trees[k] = -1;
    }
    if (ro && mnt_setattr(tfd, MS_RDONLY, 0, false, 0, -1, err) < 0) {
        close(tfd);
        return -1;
    }
    int r = mnt_attach(tfd, target, err);
    close(tfd);
    return r;
}

/* mount label: only where SELinux exists (crun's behaviour) */
static char *fs_data(const struct container *c, const struct spec_mount *m)
{
    const char *label = c->spec->linux_.mount_label;
    bool labelled = label && *label && m->type &&
                    (strcmp(m->type, "tmpfs") == 0 || strcmp(m->type, "mqueue") == 0 ||
                     strcmp(m->type, "devpts") == 0 || strcmp(m->type, "shm") == 0);
    if (labelled && lsm_selinux_enabled())
        return xasprintf("%s%scontext=\"%s\"", m->data ? m->data : "", m->data ? "," : "", label);
    if (labelled)
        log_debug("mountLabel ignored: SELinux is not enabled");
    return m->data ? xstrdup(m->data) : NULL;
}

static char *drop_option(const char *data, const char *key)
{
    struct sbuf b = {0};
    cleanup_free char *copy = xstrdup(data);
    char *save = NULL;
    size_t kl = strlen(key);
    for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        if (strncmp(o, key, kl) == 0 && o[kl] == '=')
            continue;
        if (b.len)
            sbuf_puts(&b, ",");
        sbuf_puts(&b, o);
    }
    return sbuf_steal(&b);
}

/* ask the runtime for the bind trees of mounts[i..] */
static int request_trees(struct container *c, size_t i, merr_t *err)
{
    int fds[64];
    enum sync_type t;
    int64_t v;
    int n;
    if (c->child_trees) {
        n = rootfs_make_trees(c, i, fds, ARRAY_SIZE(fds), err);
        if (n < 0)
            return -1;
    } else {
        if (sync_send(c->sync_child, SYNC_TREES, (int64_t)i, NULL) < 0)
            return err_sys(err, "ask for bind mounts");
        n = sync_recv_fds(c->sync_child, &t, &v, fds, ARRAY_SIZE(fds));
        if (n <= 0 || t != SYNC_TREES)
            _exit(1); /* the runtime reports its error */
    }
    for (int k = 0; k < n && i + (size_t)k < c->spec->nmounts; k++)
        c->mount_trees[i + (size_t)k] = fds[k];
    return 0;
}

int rootfs_mount(struct container *c, size_t i, merr_t *err)
{
    const struct spec_mount *m = &c->spec->mounts[i];
    enum mount_kind kind = c->plan.mount_kinds[i];
    int mfd = -1, r = -1;
    enum mnt_create create = MNT_CREATE_DIR;
    if (kind == MK_BIND || kind == MK_HOSTBIND) {
        struct stat st;
        if (c->mount_trees[i] < 0 && request_trees(c, i, err) < 0)
            return -1;
        mfd = c->mount_trees[i];
        c->mount_trees[i] = -1;
        if (fstat(mfd, &st) == 0 && !S_ISDIR(st.st_mode))
            create = MNT_CREATE_FILE;
    }
    int target = mnt_open_in_root(c->croot, m->destination, create, err);
    if (target < 0)
        goto out;
    switch (kind) {
    case MK_CGROUP:
        r = mount_cgroup(c, m, target, err);
        goto out;
    case MK_FS: {
        cleanup_free char *data = fs_data(c, m);
        mfd = mnt_new_fs(m->type, m->source, data, m->flags, err);
        if (mfd < 0 && strcmp(m->type, "devpts") == 0 && data && strstr(data, "gid=") &&
            c->plan.userns) {
            /* the tty group may be unmapped in a user namespace */
            cleanup_free char *nogid = drop_option(data, "gid");
            err_clear(err);
            mfd = mnt_new_fs(m->type, m->source, nogid, m->flags, err);
        }
        if (mfd < 0)
            goto out;
        if (m->tmpcopyup && copy_up(target, mfd, err) < 0)
            goto out;
        break;
    }
    default:
        /* bind: ro/nosuid/... apply to the top mount, r* to all */
        if (mnt_setattr(mfd, m->flags, m->clear, kind == MK_HOSTBIND, 0, -1, err) < 0)
            goto out;
        break;
    }
    if ((m->rec_flags || m->rec_clear) &&
        mnt_setattr(mfd, m->rec_flags, m->rec_clear, true, 0, -1, err) < 0)
        goto out;
    if (mnt_attach(mfd, target, err) < 0)
        goto out;
    if (m->propagation &&
        mnt_setattr(mfd, 0, 0, (m->propagation & MS_REC) != 0, m->propagation, -1, err) < 0)
        goto out;
    r = 0;
out:
    if (r < 0)
        err_wrap(err, "mounts[%zu] (%s on %s)", i, m->type ? m->type : "bind", m->destination);
    if (mfd >= 0)
        close(mfd);
    if (target >= 0)
        close(target);
    return r;
}

/* Create one device node in the container's /dev (or bind the host's). */
/* A device node (or, with tree >= 0, a bind mount of the host's) named
 * name in directory d. */
static int make_device_at(int d, const char *path, const char *name, char type, unsigned major,
                          unsigned minor, mode_t mode, uid_t uid, gid_t gid, int tree, merr_t *err)
{
    if (tree >= 0) {
        if (unlinkat(d, name, 0) < 0 && errno != ENOENT && errno != EISDIR)
            return err_sys(err, "replace %s", path);
        int f = openat(d, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0)
            return err_sys(err, "create %s", path);
        close(f);
        cleanup_close int t = openat(d, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (t < 0 || mnt_attach(tree, t, err) < 0)
            return t < 0 ? err_sys(err, "open %s", path) : err_wrap(err, "bind %s", path);
        return 0;
    }
    mode_t fmt = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
    /* the umask is 0 here (see make_devices): the mode is exact */
    int r = mknodat(d, name, fmt | (mode & 07777), makedev(major, minor));
    if (r < 0 && errno == EEXIST) {
        if (unlinkat(d, name, 0) < 0)
            return err_sys(err, "replace %s", path);
        r = mknodat(d, name, fmt | (mode & 07777), makedev(major, minor));
    }
    if (r < 0)
        return err_sys(err, "mknod %s", path);
    static uid_t me = (uid_t)-1;
    static gid_t mygid;
    if (me == (uid_t)-1) {
        me = geteuid(); /* before the user switch: stable while devices are made */
        mygid = getegid();
    }
    if ((uid != me || gid != mygid) && fchownat(d, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return err_sys(err, "set the owner of %s", path);
    return 0;
}

/* Open the directory of path in the container, for make_device_at. */
static int open_parent(struct container *c, const char *path, merr_t *err)
{
    const char *slash = strrchr(path, '/');
    cleanup_free char *dir = xstrndup(path, (size_t)(slash - path));
    cleanup_close int dfd = mnt_open_in_root(c->croot, *dir ? dir : "/", MNT_CREATE_DIR, err);
    if (dfd < 0)
        return -1;
    int d = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0)
        return err_sys(err, "open %s", *dir ? dir : "/");
    return d;
}

static int make_device(struct container *c, const char *path, char type, unsigned major,
                       unsigned minor, mode_t mode, uid_t uid, gid_t gid, int tree, merr_t *err)
{
    cleanup_close int d = open_parent(c, path, err);
    if (d < 0)
        return -1;
    mode_t old = umask(0);
    int r = make_device_at(d, path, strrchr(path, '/') + 1, type, major, minor, mode, uid, gid,
                           tree, err);
    umask(old);
    return r;
}

int rootfs_dev_defaults(struct container *c, merr_t *err)
{
    cleanup_close int d = open_parent(c, "/dev/null", err);
    if (d < 0)
        return -1;
    mode_t old = umask(0);
    int r = 0;
    for (size_t i = 0; i < DEFAULT_DEVICES && r == 0; i++) {
        if (config_has_device(c->spec, default_devs[i].path))
            continue;
        int tree = c->dev_trees ? c->dev_trees[i] : -1;
        r = make_device_at(d, default_devs[i].path, default_devs[i].path + 5, 'c',
                           default_devs[i].major, default_devs[i].minor, 0666, 0, 0, tree, err);
    }
    umask(old);
    return r;
}

int rootfs_device(struct container *c, size_t i, merr_t *err)
{
    const struct spec_device *d = &c->spec->linux_.devices[i];
    int tree = c->dev_trees ? c->dev_trees[DEFAULT_DEVICES + i] : -1;
    if (make_device(c, d->path, d->type, (unsigned)d->major, (unsigned)d->minor,
                    d->mode.has ? d->mode.v : 0666, d->uid.has ? d->uid.v : 0,
                    d->gid.has ? d->gid.v : 0, tree, err) < 0)
        return err_wrap(err, "linux.devices[%zu]", i);
    return 0;
}

int rootfs_dev_links(struct container *c, merr_t *err)
{
    static const char *const links[][2] = {{"fd", "/proc/self/fd"},
                                           {"stdin", "/proc/self/fd/0"},
                                           {"stdout", "/proc/self/fd/1"},
                                           {"stderr", "/proc/self/fd/2"}};
    cleanup_close int dpath = mnt_open_in_root(c->croot, "/dev", MNT_CREATE_DIR, err);
    if (dpath < 0)
        return -1;
    cleanup_close int d = openat(dpath, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0)
        return err_sys(err, "open /dev");
    for (size_t i = 0; i < ARRAY_SIZE(links); i++)
        if (symlinkat(links[i][1], d, links[i][0]) < 0 && errno != EEXIST)
            return err_sys(err, "symlink /dev/%s", links[i][0]);
    /* /dev/ptmx -> pts/ptmx when a devpts instance is mounted there */
    struct statfs sfs;
    cleanup_close int pts = openat(d, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (pts >= 0 && fstatfs(pts, &sfs) == 0 && sfs.f_type == DEVPTS_SUPER_MAGIC) {
        if (unlinkat(d, "ptmx", 0) < 0 && errno != ENOENT)
            return err_sys(err, "replace /dev/ptmx");
        if (symlinkat("pts/ptmx", d, "ptmx") < 0)
            return err_sys(err, "symlink /dev/ptmx");
    }
    return 0;
}

int rootfs_console(struct container *c, merr_t *err)
{
    /* the pty comes from the container's devpts; the peer is opened with
     * TIOCGPTPEER, and /dev/console is checked before it is mounted over
     * (CVE-2025-52565) */
    int master = mnt_openat_in_root(c->croot, "/dev/ptmx", O_RDWR | O_NOCTTY);
    if (master < 0)
        return err_sys(err, "process.terminal: open /dev/ptmx in the container");
    struct statfs sfs;
    struct stat st;
    if (fstatfs(master, &sfs) < 0 || fstat(master, &st) < 0 ||
        !(sfs.f_type == DEVPTS_SUPER_MAGIC ||
          (S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 2)))) {
        close(master);
        return err_set(err, 0, "process.terminal: /dev/ptmx in the container is not a ptmx");
    }
    int slave = -1;
    if (term_open_pair(master, &slave, err) < 0) {
        close(master);
        return -1;
    }
    const struct spec_process *p = &c->spec->process;
    if (p->console_size.has)
        term_set_size(master, p->console_size.v.height, p->console_size.v.width);
    int r = -1;
    if (c->plan.mountns) {
        cleanup_close int dpath = mnt_open_in_root(c->croot, "/dev", MNT_CREATE_DIR, err);
        cleanup_close int d =
            dpath >= 0 ? openat(dpath, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (d < 0)
            goto out;
        if (fstatat(d, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
            (void)unlinkat(d, "console", 0);
        int f = openat(d, "console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (f >= 0)
            close(f);
        cleanup_close int t = openat(d, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (t < 0 || fstat(t, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
            err_set(err, 0, "process.terminal: /dev/console is not a file");
            goto out;
        }
        int tree = mnt_clone_tree(slave, "", false, err);
        if (tree < 0)
            goto out;
        int a = mnt_attach(tree, t, err);
        close(tree);
        if (a < 0)
            goto out;
    }
    if (unix_send_fd(c->console_fd, master, "/dev/ptmx", err) < 0)
        goto out;
    if (term_make_controlling(slave, err) < 0)
        goto out;
    r = 0;
out:
    close(master);
    close(slave);
    close_fd(&c->console_fd);
    return r;
}

int rootfs_pivot(struct container *c, merr_t *err)
{
    container_drop_trees(c);
    if (fchdir(c->croot) < 0)
        return err_sys(err, "pivot_root: enter the rootfs");
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return err_sys(err, "pivot_root");
    /* the old root is now stacked on "."; it is a slave, detach it */
    if (umount2(".", MNT_DETACH) < 0)
        return err_sys(err, "detach the old root");
    if (chdir("/") < 0)
        return err_sys(err, "chdir /");
    close(c->croot);
    c->croot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return c->croot < 0 ? err_sys(err, "open /") : 0;
}

int rootfs_chroot(struct container *c, merr_t *err)
{
    container_drop_trees(c);
    if (c->croot < 0) {
        c->croot = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c->croot < 0)
            return err_sys(err, "root.path: open \"%s\"", c->rootfs);
    }
    if (fchdir(c->croot) < 0 || chroot(".") < 0 || chdir("/") < 0)
        return err_sys(err, "chroot into the rootfs");
    close(c->croot);
    c->croot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return c->croot < 0 ? err_sys(err, "open /") : 0;
}

int rootfs_propagation(struct container *c, merr_t *err)
{
    unsigned long prop = c->spec->linux_.rootfs_propagation;
    if (mount(NULL, "/", NULL, prop, NULL) < 0)
        return err_sys(err, "linux.rootfsPropagation: apply to /");
    return 0;
}

int rootfs_mask(struct container *c, const char *path, merr_t *err)
{
    int fd = mnt_openat_in_root(c->croot, path, O_PATH | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return err_sys(err, "linux.maskedPaths: open %s", path);
    }
    struct stat st;
    int mfd = -1, r = -1;
    if (fstat(fd, &st) < 0) {
        err_sys(err, "linux.maskedPaths: stat %s", path);
        goto out;
    }
    /* Every masked directory shows the same empty, read-only, size=0
     * tmpfs, and every masked file the same /dev/null: the first mount of
     * each is cloned for the rest (one superblock, not one per path). */
    bool dir = S_ISDIR(st.st_mode);
    int *first = dir ? &c->emptydir_attached : &c->devnull_attached;
    if (*first >= 0) {
        mfd = mnt_clone_tree(*first, "", false, err);
    } else if (dir) {
        mfd = mnt_new_fs("tmpfs", "tmpfs", "size=0,mode=755",
                         MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
    } else {
        mfd = c->devnull_tree;
        c->devnull_tree = -1;
    }
    if (mfd < 0 || mnt_attach(mfd, fd, err) < 0)
        goto out;
    if (*first < 0) {
        *first = mfd;
        mfd = -1;
    }
    r = 0;
out:
    if (r < 0)
        err_wrap(err, "linux.maskedPaths: %s", path);
    if (mfd >= 0)
        close(mfd);
    close(fd);
    return r;
}

int rootfs_readonly(struct container *c, const char *path, merr_t *err)
{
    if (mnt_readonly_at(c->croot, path, err) < 0)
        return err_wrap(err, "linux.readonlyPaths: %s", path);
    return 0;
}

int rootfs_root_readonly(struct container *c, merr_t *err)
{
    if (mnt_setattr(c->croot, MS_RDONLY, 0, false, 0, -1, err) < 0)
        return err_wrap(err, "root.readonly");
    return 0;
}
