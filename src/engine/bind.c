/* bind.c: bind sources resolved once, pinned, and checked by object (see
 * bind.h). */
#include "bind.h"
#include "stores.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Nothing at, above or below these is bound: the kernel's interfaces,
 * the boot files, and the state and stores of moat and other engines. */
static const char *const deny_tree[] = {
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/run/moat",
    "/run/containerd",
    "/var/run/containerd",
    "/run/podman",
    "/run/docker.sock",
    "/var/run/docker.sock",
    "/run/docker",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/containers",
    "/var/lib/moat",
};
/* Nothing at or above these; below them, read-only binds only. */
static const char *const deny_dir[] = {"/etc", "/root", "/usr", "/var/lib"};

struct obj {
    dev_t dev;
    ino_t ino;
};

static bool same(const struct stat *a, const struct obj *b)
{
    return a->st_dev == b->dev && a->st_ino == b->ino;
}

/* One sensitive place: the object and the objects of its ancestors. */
struct place {
    const char *why;
    bool tree; /* deny below it too */
    struct obj self;
    struct obj *up;
    size_t nup;
};

static bool load_place(const char *path, const char *why, bool tree, struct place *p)
{
    memset(p, 0, sizeof(*p));
    int fd = open(path, O_PATH | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    p->why = why;
    p->tree = tree;
    p->self = (struct obj){st.st_dev, st.st_ino};
    for (int depth = 0; depth < 64; depth++) {
        int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct stat ust;
        if (up < 0 || fstat(up, &ust) < 0) {
            if (up >= 0)
                close(up);
            break;
        }
        close(fd);
        fd = up;
        if (ust.st_dev == st.st_dev && ust.st_ino == st.st_ino)
            break; /* the root is its own parent */
        p->up = xrealloc(p->up, (p->nup + 1) * sizeof(struct obj));
        p->up[p->nup++] = (struct obj){ust.st_dev, ust.st_ino};
        st = ust;
    }
    close(fd);
    return true;
}

static struct place *load_places(struct store *s, size_t *n)
{
    char **stores = stores_list();
    size_t max = ARRAY_SIZE(deny_tree) + ARRAY_SIZE(deny_dir) + strv_len(stores) + 2;
    struct place *pl = xzalloc(max * sizeof(*pl));
    size_t k = 0;
    for (size_t i = 0; i < ARRAY_SIZE(deny_tree); i++)
        k += load_place(deny_tree[i], deny_tree[i], true, &pl[k]);
    for (size_t i = 0; i < ARRAY_SIZE(deny_dir); i++)
        k += load_place(deny_dir[i], deny_dir[i], false, &pl[k]);
    k += load_place(s->root, "moat's store", true, &pl[k]);
    for (size_t i = 0; stores[i]; i++) {
        cleanup_close int fd = stores_open(stores[i]);
        char at[64];
        snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
        k += fd >= 0 && load_place(at, "a moat store", true, &pl[k]);
    }
    strv_free(stores);
    *n = k;
    return pl;
}

static void free_places(struct place *pl, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(pl[i].up);
    free(pl);
}

/* The kernel's interfaces, wherever they are mounted: a procfs of its own,
 * a second mount of a cgroup hierarchy, ... */
static const struct {
    long magic;
    const char *name;
} kernel_fs[] = {
    {PROC_SUPER_MAGIC, "proc"},       {SYSFS_MAGIC, "sysfs"},       {CGROUP_SUPER_MAGIC, "cgroup"},
    {CGROUP2_SUPER_MAGIC, "cgroup2"}, {DEBUGFS_MAGIC, "debugfs"},   {TRACEFS_MAGIC, "tracefs"},
    {SECURITYFS_MAGIC, "securityfs"}, {BPF_FS_MAGIC, "bpf"},        {BINFMTFS_MAGIC, "binfmt_misc"},
    {PSTOREFS_MAGIC, "pstore"},       {EFIVARFS_MAGIC, "efivarfs"}, {NSFS_MAGIC, "nsfs"},
    {DEVPTS_SUPER_MAGIC, "devpts"},   {SELINUX_MAGIC, "selinuxfs"}, {SMACK_MAGIC, "smackfs"},
    {0x62656570, "configfs"},
};

static char *kernel_fs_of(int fd)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        return xstrdup("its filesystem cannot be examined");
    for (size_t i = 0; i < ARRAY_SIZE(kernel_fs); i++)
        if ((long)sf.f_type == kernel_fs[i].magic)
            return xasprintf("it is on a %s filesystem (an interface of the kernel)",
                             kernel_fs[i].name);
    return NULL;
}

/* mountinfo's escapes (\040 for a space, ...) undone, in place */
static void unescape(char *p)
{
    char *o = p;
    for (; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

struct mnt_line {
    unsigned long id;
    unsigned maj, min;
    char *root, *point;
};

/* one line of mountinfo: id, device, root in the filesystem, mount point */
static bool mnt_parse(char *l, struct mnt_line *m)
{
    char *f[5], *save = NULL;
    for (int i = 0; i < 5; i++)
        if (!(f[i] = strtok_r(i ? NULL : l, " ", &save)))
            return false;
    if (sscanf(f[2], "%u:%u", &m->maj, &m->min) != 2)
        return false;
    m->id = strtoul(f[0], NULL, 10);
    unescape(f[3]);
    unescape(f[4]);
    m->root = f[3];
    m->point = f[4];
    return true;
}

static bool path_under(const char *p, const char *top, size_t *rest)
{
    size_t n = strcmp(top, "/") == 0 ? 0 : strlen(top);
    *rest = n;
    return strncmp(p, top, n) == 0 && (p[n] == '/' || p[n] == 0);
}

/* dir is the root of a bind mount of a directory inside its filesystem
 * (mountinfo's root is not "/"): the same directory where its filesystem
 * is mounted from higher up, so that a walk up from it goes through what
 * really holds it. -1 if it is not, or if no such mount is visible. */
static int real_place(int dir)
{
    struct statx sx;
    if (statx(dir, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID | STATX_INO, &sx) < 0 ||
        !(sx.stx_attributes_mask & sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ||
        !(sx.stx_mask & STATX_MNT_ID))
        return -1;
    cleanup_close int mfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    cleanup_free char *text = NULL;
    if (mfd < 0 || read_fd(mfd, &text, NULL) < 0)
        return -1;
    cleanup_free char *copy = xstrdup(text);
    struct mnt_line self = {0}, m;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (mnt_parse(l, &m) && m.id == sx.stx_mnt_id)
            self = m;
    if (!self.root || strcmp(self.root, "/") == 0)
        return -1;
    /* the mount of the same filesystem whose root holds it most widely */
    cleanup_free char *best = NULL;
    size_t best_len = 0, rest;
    save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (!mnt_parse(l, &m) || m.maj != self.maj || m.min != self.min ||
            !path_under(self.root, m.root, &rest) || strlen(m.root) >= strlen(self.root) ||
            (best && strlen(m.root) >= best_len))
            continue;
        free(best);
        best = xasprintf("%s%s", strcmp(m.point, "/") == 0 ? "" : m.point, self.root + rest);
        best_len = strlen(m.root);
    }
    if (!best)
        return -1;
    struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, AT_FDCWD, best, &how, sizeof(how));
    struct stat a;
    struct statx fx;
    if (fd >= 0 && (fstat(fd, &a) < 0 || a.st_ino != sx.stx_ino ||
                    a.st_dev != makedev(sx.stx_dev_major, sx.stx_dev_minor))) {
        close(fd);
        fd = -1;
    }
    /* a directory bound onto itself (mount --bind X X): its place is where
     * it is mounted, and the walk goes up from there through ".." */
    if (fd >= 0 && statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &fx) == 0 &&
        (fx.stx_mask & STATX_MNT_ID) && fx.stx_mnt_id == sx.stx_mnt_id) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Is st one of the places or above one? */
static char *at_or_above(const struct stat *st, const struct place *pl, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (same(st, &pl[i].self))
            return xasprintf("it is %s", pl[i].why);
        for (size_t k = 0; k < pl[i].nup; k++)
            if (same(st, &pl[i].up[k]))
                return xasprintf("it contains %s", pl[i].why);
    }
    return NULL;
}

/* Is the directory dir, or one above it, a place nothing may be bound
 * below (or, for a writable bind, below a read-only-only place)? */
static char *inside(int dir, const struct place *pl, size_t n, bool ro)
{
    int cur = openat(dir, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    char *why = NULL;
    for (int depth = 0; !why && cur >= 0 && depth < 256; depth++) {
        struct stat st, pst;
        if (fstat(cur, &st) < 0)
            break;
        for (size_t i = 0; i < n && !why; i++)
            if (same(&st, &pl[i].self) && pl[i].tree)
                why = xasprintf("it is inside %s", pl[i].why);
            else if (same(&st, &pl[i].self) && !ro)
                why =
                    xasprintf("it is inside %s, where only read-only binds (without U) are allowed",
                              pl[i].why);
        int real = why ? -1 : real_place(cur);
        if (real >= 0) { /* a bind mount: go on from where it comes from */
            close(cur);
            cur = real;
            continue;
        }
        int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        bool top =
            up < 0 || fstat(up, &pst) < 0 || (pst.st_dev == st.st_dev && pst.st_ino == st.st_ino);
        close(cur);
        cur = up;
        if (top)
            break;
    }
    if (cur >= 0)
        close(cur);
    return why;
}

/* The directory that holds the file at canon (its stat st):
 * opened without following a symbolic link, and only if it holds that
 * very file under its name (else a user who owns a directory on the way
 * could make the walk start somewhere harmless). -1 if not. */
static int file_dir(const char *canon, const struct stat *st)
{
    cleanup_free char *d = xstrdup(canon);
    char *slash = strrchr(d, '/');
    if (!slash)
        return -1;
    const char *base = slash + 1;
    cleanup_free char *name = xstrdup(base);
    *(slash == d ? slash + 1 : slash) = 0;
    struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                           .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    int dir;
    do
        dir = (int)syscall(SYS_openat2, AT_FDCWD, d, &how, sizeof(how));
    while (dir < 0 && errno == EAGAIN);
    struct stat again;
    if (dir >= 0 && (fstatat(dir, name, &again, AT_SYMLINK_NOFOLLOW) < 0 ||
                     again.st_dev != st->st_dev || again.st_ino != st->st_ino)) {
        close(dir);
        dir = -1;
    }
    return dir;
}

static char *sensitive_one(struct store *s, int fd, const char *canon, bool ro)
{
    struct stat st, rst;
    char *kfs = kernel_fs_of(fd);
    if (kfs)
        return kfs;
    /* a bind mount of a file or directory: where it comes from */
    cleanup_close int real = real_place(fd);
    char link[64], buf[4096];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", real);
    ssize_t l = real >= 0 ? readlink(link, buf, sizeof(buf) - 1) : -1;
    if (l > 0 && buf[0] == '/') {
        buf[l] = 0;
        fd = real;
        canon = buf;
    }
    if (fstat(fd, &st) < 0 || stat("/", &rst) < 0)
        return xstrdup("it cannot be examined");
    if (st.st_dev == rst.st_dev && st.st_ino == rst.st_ino)
        return xstrdup("it is the host's root");
    size_t n;
    struct place *pl = load_places(s, &n);
    char *why = at_or_above(&st, pl, n);
    if (!why) {
        /* walk up from its directory */
        int dir = -1;
        if (S_ISDIR(st.st_mode)) {
            dir = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        } else {
            dir = file_dir(canon, &st);
        }
        why = dir < 0 ? xstrdup("its directory cannot be examined") : inside(dir, pl, n, ro);
        if (dir >= 0)
            close(dir);
    }
    free_places(pl, n);
    return why;
}

/* Binds are recursive: what is mounted below the source comes along. Each
 * mount point below canon (mountinfo's view) is judged as a source of its
 * own. */
static char *below(struct store *s, const char *canon, bool ro)
{
    cleanup_close int mfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    cleanup_free char *text = NULL;
    if (mfd < 0 || read_fd(mfd, &text, NULL) < 0)
        return xstrdup("the mounts below it cannot be examined");
    char *why = NULL, *save = NULL;
    struct mnt_line m;
    size_t rest;
    for (char *l = strtok_r(text, "\n", &save); l && !why; l = strtok_r(NULL, "\n", &save)) {
        if (!mnt_parse(l, &m) || !path_under(m.point, canon, &rest) || !m.point[rest])
            continue;
        struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        int fd = (int)syscall(SYS_openat2, AT_FDCWD, m.point, &how, sizeof(how));
        if (fd < 0) {
            why = xasprintf("the mount below it at \"%.200s\" cannot be examined", m.point);
            break;
        }
        char *w = sensitive_one(s, fd, m.point, ro);
        close(fd);
        if (w) {
            why = xasprintf("a mount below it, \"%.200s\": %s", m.point, w);
            free(w);
        }
    }
    return why;
}

char *bind_sensitive(struct store *s, int fd, const char *canon, bool ro)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return xstrdup("it cannot be examined");
    /* another name of the same file may be anywhere (/etc/shadow): what
     * the walk up from this one says is nothing about that */
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && !ro)
        return xasprintf("it is a file with %ju names (hard links), which may be anywhere on the "
                         "host; only a read-only bind without U or idmap may use it",
                         (uintmax_t)st.st_nlink);
    char *why = sensitive_one(s, fd, canon, ro);
    if (!why && S_ISDIR(st.st_mode))
        why = below(s, canon, ro);
    return why;
}

static int refuse(const char *what, const char *path, char *why, merr_t *err)
{
    err_set(err, 0,
            "%s: refusing to mount \"%s\" into a container: %s; pass --security-opt "
            "allow-sensitive-mounts if you mean it",
            what, path, why);
    free(why);
    return -1;
}

int bind_resolve(struct store *s, const char *src, bool ro, bool exact, bool allow_sensitive,
                 const char *what, struct bind_pin *pin, merr_t *err)
{
    memset(pin, 0, sizeof(*pin));
    if (src[0] != '/')
        return err_set(err, 0, "%s: the source must be an absolute path", what);
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC,
        .resolve = exact ? RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS : 0,
    };
    cleanup_close int fd = -1;
    do
        fd = (int)syscall(SYS_openat2, AT_FDCWD, src, &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN);
    if (fd < 0 && errno == ELOOP && exact)
        return err_set(err, 0,
                       "%s: source \"%s\" has a symbolic link in its path: U and idmap act on "
                       "the host's files as root, so give the real path",
                       what, src);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return err_sys(err, "%s: source \"%s\"", what, src);
    char link[64], buf[4096];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t l = readlink(link, buf, sizeof(buf) - 1);
    if (l <= 0 || buf[0] != '/')
        return err_set(err, 0, "%s: source \"%s\": cannot tell where it is", what, src);
    buf[l] = 0;
    char *why = allow_sensitive ? NULL : bind_sensitive(s, fd, buf, ro);
    if (why)
        return refuse(what, buf, why, err);
    pin->path = xstrdup(buf);
    pin->dev = (uint64_t)st.st_dev;
    pin->ino = (uint64_t)st.st_ino;
    return 0;
}

void bind_pin_free(struct bind_pin *pin)
{
    free(pin->path);
    pin->path = NULL;
}

int bind_open_pinned(struct store *s, const struct bind_pin *pin, bool ro, bool allow_sensitive,
                     const char *what, merr_t *err)
{
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC,
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    int fd;
    do
        fd = (int)syscall(SYS_openat2, AT_FDCWD, pin->path, &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN);
    struct stat st;
    if (fd < 0) {
        if (errno == ELOOP)
            return err_set(err, 0,
                           "%s: source \"%s\": a symbolic link is in its path now; it was "
                           "replaced since the container was created: refusing to mount it",
                           what, pin->path);
        return err_sys(err, "%s: source \"%s\"", what, pin->path);
    }
    if (fstat(fd, &st) < 0 || (uint64_t)st.st_dev != pin->dev || (uint64_t)st.st_ino != pin->ino) {
        close(fd);
        return err_set(err, 0,
                       "%s: source \"%s\" is not the directory or file it was when the "
                       "container was created: refusing to mount it",
                       what, pin->path);
    }
    char *why = allow_sensitive ? NULL : bind_sensitive(s, fd, pin->path, ro);
    if (why) {
        close(fd);
        return refuse(what, pin->path, why, err);
    }
    return fd;
}

/* ---- :U ---- */

struct owner {
    uid_t uid;
    gid_t gid;
};

static void to_owner(const struct stat *st, uid_t *uid, gid_t *gid, void *ctx)
{
    (void)st;
    const struct owner *o = ctx;
    *uid = o->uid;
    *gid = o->gid;
}

int bind_chown(int fd, uid_t uid, gid_t gid, const char *what, merr_t *err)
{
    struct owner o = {uid, gid};
    if (chown_tree(fd, true, to_owner, &o) < 0)
        return err_sys(err, "%s: U: give the source to the container's user (%u:%u)", what,
                       (unsigned)uid, (unsigned)gid);
    return 0;
}
