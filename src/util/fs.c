#include "fs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* n bytes, fewer only at the end: at offset off (pread), or from the
 * file position when off < 0 */
static ssize_t read_loop(int fd, void *buf, size_t n, off_t off)
{
    size_t got = 0;
    while (got < n) {
        char *p = (char *)buf + got;
        ssize_t r = off < 0 ? read(fd, p, n - got) : pread(fd, p, n - got, off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

ssize_t read_all(int fd, void *buf, size_t n)
{
    return read_loop(fd, buf, n, -1);
}

ssize_t pread_all(int fd, void *buf, size_t n, off_t off)
{
    return read_loop(fd, buf, n, off < 0 ? 0 : off);
}

int read_fd(int fd, char **out, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    *out = buf;
    if (len)
        *len = n;
    return 0;
}

int read_regular_fd(int fd, size_t max, char **out, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        return -1;
    }
    if ((uint64_t)st.st_size > max) {
        errno = EFBIG;
        return -1;
    }
    size_t n = 0;
    if (read_fd(fd, out, &n) < 0)
        return -1;
    if (n > max) { /* it grew */
        free(*out);
        *out = NULL;
        errno = EFBIG;
        return -1;
    }
    if (len)
        *len = n;
    return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, merr_t *err)
{
    cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "open %s", path);
    if (read_fd(fd, out, len) < 0)
        return err_sys(err, "read %s", path);
    return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, merr_t *err)
{
    cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return err_sys(err, "open %s", path);
    if (write_all(fd, data, len) < 0)
        return err_sys(err, "write %s", path);
    return 0;
}

int atomic_write_at(int dirfd, const char *name, const char *data, size_t len, int mode,
                    merr_t *err)
{
    cleanup_free char *tmp = xasprintf(".%s.tmp%d", name, (int)getpid());
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return err_sys(err, "create %s", tmp);
    if (write_all(fd, data, len) < 0) {
        err_sys(err, "write %s", tmp);
        close(fd);
        unlinkat(dirfd, tmp, 0);
        return -1;
    }
    close(fd);
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        err_sys(err, "rename %s", name);
        unlinkat(dirfd, tmp, 0);
        return -1;
    }
    return 0;
}

int mkdir_p(const char *path, mode_t mode, merr_t *err)
{
    cleanup_free char *p = xstrdup(path);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = 0;
    /* usually only the last component is missing */
    if (mkdir(p, mode) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return err_sys(err, "mkdir %s", p);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            return err_sys(err, "mkdir %s", p);
        *s = '/';
    }
    if (mkdir(p, mode) < 0 && errno != EEXIST)
        return err_sys(err, "mkdir %s", p);
    return 0;
}

/* Unlink everything in dir but directories; the name of the first
 * directory left (malloc'd), NULL when dir is empty of them. -1 on a
 * listing error. */
static int clear_files(int dir, char **sub)
{
    *sub = NULL;
    int fd = fcntl(dir, F_DUPFD_CLOEXEC, 3);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    rewinddir(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (unlinkat(dir, de->d_name, 0) == 0 || errno == ENOENT)
            continue;
        if (errno == EISDIR && !*sub)
            *sub = xstrdup(de->d_name); /* a file that stays, stays */
    }
    closedir(d);
    return 0;
}

struct rm_level {
    dev_t dev;
    ino_t ino;
    char *name; /* of the directory below, in this one */
};

/* Depth first without recursion: one directory open at a time, however
 * deep the tree (a container can make it deeper than any fd limit). The
 * way back up is checked against the directories it came down through. */
static int rm_rf(int dfd, const char *name, bool onefs);

int rm_rf_at(int dfd, const char *name)
{
    return rm_rf(dfd, name, false);
}

int rm_rf_at_onefs(int dfd, const char *name)
{
    return rm_rf(dfd, name, true);
}

static int rm_rf(int dfd, const char *name, bool onefs)
{
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -1;
    int cur = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (cur < 0)
        return -1;
    struct stat top, here;
    if (onefs && (fstat(dfd, &top) < 0 || fstat(cur, &here) < 0 || here.st_dev != top.st_dev)) {
        close(cur);
        errno = EXDEV; /* a mount point: what is in it is not ours to remove */
        return -1;
    }
    struct rm_level *up = NULL;
    size_t depth = 0, cap = 0;
    int ret = 0;
    for (;;) {
        char *sub;
        struct stat st;
        if (clear_files(cur, &sub) < 0 || fstat(cur, &st) < 0) {
            free(sub);
            ret = -1;
            break;
        }
        if (sub) { /* down into it */
            int child = openat(cur, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            struct stat cst;
            if (child >= 0 && onefs && (fstat(child, &cst) < 0 || cst.st_dev != st.st_dev)) {
                close(child);
                child = -1;
                errno = EXDEV;
            }
            if (child < 0) {
                free(sub);
                ret = -1; /* a file that cannot be removed, or a mount point */
                break;
            }
            if (depth == cap) {
                cap = cap ? 2 * cap : 64;
                up = xrealloc(up, cap * sizeof(*up));
            }
            up[depth++] = (struct rm_level){st.st_dev, st.st_ino, sub};
            close(cur);
            cur = child;
            continue;
        }
        if (depth == 0)
            break;
        /* empty: up again, to the very directory we came from, and remove it */
        int parent = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat pst;
        struct rm_level *l = &up[depth - 1];
        if (parent < 0 || fstat(parent, &pst) < 0 || pst.st_dev != l->dev || pst.st_ino != l->ino) {
            if (parent >= 0)
                close(parent);
            ret = -1;
            break;
        }
        close(cur);
        cur = parent;
        int r = unlinkat(cur, l->name, AT_REMOVEDIR);
        free(l->name);
        depth--;
        if (r < 0 && errno != ENOENT) {
            ret = -1; /* a mount point, say: the rest stays */
            break;
        }
    }
    close(cur);
    while (depth > 0)
        free(up[--depth].name);
    free(up);
    if (ret < 0)
        return -1;
    return unlinkat(dfd, name, AT_REMOVEDIR);
}

static int copy_file_fd(int in, int out)
{
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write_all(out, buf, (size_t)n) < 0)
            return -1;
    return n < 0 ? -1 : 0;
}

struct chown_walk {
    dev_t dev;
    bool skip_links;
    void (*map)(const struct stat *st, uid_t *uid, gid_t *gid, void *ctx);
    void *ctx;
};

static int chown_one(const struct chown_walk *w, int dir, const char *name, const struct stat *st)
{
    uid_t u = st->st_uid;
    gid_t g = st->st_gid;
    w->map(st, &u, &g, w->ctx);
    if (u == st->st_uid && g == st->st_gid)
        return 0;
    return fchownat(dir, name, u, g, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH));
}

/* The object of an O_PATH fd (a link itself, not followed); -1 (errno
 * EXDEV) for a mount point: a bind mount of the same filesystem has its
 * device too. */
static int entry_stat(int fd, struct stat *st)
{
    struct statx sx;
    if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS,
              &sx) < 0)
        return fstat(fd, st); /* no statx: no mounts told */
    if (sx.stx_attributes_mask & sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) {
        errno = EXDEV;
        return -1;
    }
    memset(st, 0, sizeof(*st));
    st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    st->st_ino = (ino_t)sx.stx_ino;
    st->st_mode = sx.stx_mode;
    st->st_nlink = sx.stx_nlink;
    st->st_uid = sx.stx_uid;
    st->st_gid = sx.stx_gid;
    return 0;
}

static int chown_dir(const struct chown_walk *w, int dir, int depth)
{
    if (depth > 512) {
        errno = ELOOP;
        return -1;
    }
    int rd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = rd >= 0 ? fdopendir(rd) : NULL;
    if (!d) {
        if (rd >= 0)
            close(rd);
        return -1;
    }
    int r = 0;
    struct dirent *de;
    while (r == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        /* named once: what is judged is what is changed and entered */
        int e = openat(dirfd(d), de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (e < 0 || entry_stat(e, &st) < 0 || st.st_dev != w->dev ||
            (w->skip_links && !S_ISDIR(st.st_mode) && st.st_nlink > 1)) {
            if (e >= 0) /* gone, another filesystem, a mount point, or linked */
                close(e);
            continue;
        }
        r = chown_one(w, e, "", &st);
        int sub =
            r == 0 && S_ISDIR(st.st_mode) ? openat(e, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        close(e);
        if (sub >= 0) {
            r = chown_dir(w, sub, depth + 1);
            close(sub);
        }
    }
    closedir(d);
    return r;
}

int chown_tree(int fd, bool skip_links,
               void (*map)(const struct stat *st, uid_t *uid, gid_t *gid, void *ctx), void *ctx)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    struct chown_walk w = {st.st_dev, skip_links, map, ctx};
    if (chown_one(&w, fd, "", &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return 0;
    int dir = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return -1;
    int r = chown_dir(&w, dir, 0);
    int e = errno;
    close(dir);
    errno = e;
    return r;
}

int copy_tree_at(int src, int dst)
{
    int sfd = dup(src);
    DIR *d = sfd >= 0 ? fdopendir(sfd) : NULL;
    if (!d) {
        if (sfd >= 0)
            close(sfd);
        return -1;
    }
    int ret = 0;
    struct dirent *de;
    while (ret == 0 && (de = readdir(d))) {
        const char *n = de->d_name;
        struct stat st;
        if (!strcmp(n, ".") || !strcmp(n, ".."))
            continue;
        if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            ret = -1;
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            if (mkdirat(dst, n, st.st_mode & 07777) < 0 && errno != EEXIST) {
                ret = -1;
                break;
            }
            int a = openat(dirfd(d), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int b = openat(dst, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (a < 0 || b < 0 || copy_tree_at(a, b) < 0)
                ret = -1;
            if (a >= 0)
                close(a);
            if (b >= 0)
                close(b);
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t tl = readlinkat(dirfd(d), n, target, sizeof(target) - 1);
            if (tl < 0)
                ret = -1;
            else {
                target[tl] = 0;
                if (symlinkat(target, dst, n) < 0 && errno != EEXIST)
                    ret = -1;
            }
        } else if (S_ISREG(st.st_mode)) {
            int a = openat(dirfd(d), n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            int b = openat(dst, n, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                           st.st_mode & 07777);
            if (a < 0 || b < 0 || copy_file_fd(a, b) < 0)
                ret = -1;
            if (a >= 0)
                close(a);
            if (b >= 0)
                close(b);
        } else {
            continue; /* devices, fifos, sockets: not copied */
        }
        if (ret == 0) {
            (void)fchownat(dst, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
            if (!S_ISLNK(st.st_mode))
                (void)fchmodat(dst, n, st.st_mode & 07777, 0);
        }
    }
    closedir(d);
    return ret;
}

char **dir_collect(int dirfd, const char *rel, char *(*keep)(const char *name, void *ctx),
                   void *ctx)
{
    size_t n = 0, cap = 8;
    char **v = xzalloc(cap * sizeof(char *));
    int d = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = d >= 0 ? fdopendir(d) : NULL;
    if (!dir) {
        if (d >= 0)
            close(d);
        return v;
    }
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *k = keep(de->d_name, ctx);
        if (!k)
            continue;
        if (n + 2 > cap)
            v = xrealloc(v, (cap *= 2) * sizeof(char *));
        v[n++] = k;
        v[n] = NULL;
    }
    closedir(dir);
    return v;
}

int write_pid_file(const char *path, pid_t pid, merr_t *err)
{
    cleanup_free char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    const char *name = path;
    if (slash) {
        *slash = 0;
        name = slash + 1;
    }
    cleanup_close int dfd =
        open(slash ? (*dir ? dir : "/") : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return err_sys(err, "--pid-file: open the directory of \"%s\"", path);
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
    if (atomic_write_at(dfd, name, buf, (size_t)n, 0644, err) < 0)
        return err_wrap(err, "--pid-file");
    return 0;
}
