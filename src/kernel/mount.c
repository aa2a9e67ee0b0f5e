#include "mount.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#define MAX_SYMLINKS 40

int mnt_openat_in_root(int rootfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    int fd;
    do
        fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN);
    return fd;
}

int mnt_openat_beneath_plain(int dirfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    int fd;
    do
        fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN);
    return fd;
}

/* Split off the first `n` components of path into a new string. */
static char *prefix_components(const char *path, size_t n, const char **rest)
{
    const char *p = path;
    size_t k = 0;
    while (*p == '/')
        p++;
    while (*p && k < n) {
        while (*p && *p != '/')
            p++;
        k++;
        while (*p == '/')
            p++;
    }
    *rest = p;
    size_t len = (size_t)(p - path);
    char *r = xmalloc(len + 2);
    memcpy(r, path, len);
    r[len] = 0;
    return r;
}

int mnt_open_in_root(int rootfd, const char *path, enum mnt_create create, merr_t *err)
{
    cleanup_free char *cur = xstrdup(path);
    for (int loops = 0; loops < MAX_SYMLINKS * 4; loops++) {
        int fd = mnt_openat_in_root(rootfd, cur, O_PATH);
        if (fd >= 0)
            return fd;
        if (errno != ENOENT || create == MNT_NOCREATE)
            return err_sys(err, "resolve \"%s\" in the container root", path);
        /* find the deepest existing ancestor of cur */
        size_t n = 0;
        int parent = -1;
        const char *rest = cur;
        for (;;) {
            const char *r2;
            cleanup_free char *pre = prefix_components(cur, n + 1, &r2);
            int f = mnt_openat_in_root(rootfd, *pre ? pre : "/", O_PATH | O_DIRECTORY);
            if (f < 0)
                break;
            if (parent >= 0)
                close(parent);
            parent = f;
            n++;
            rest = r2;
            if (!*r2)
                break;
        }
        if (parent < 0) {
            parent = mnt_openat_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
            if (parent < 0)
                return err_sys(err, "open the container root");
            rest = cur;
            while (*rest == '/')
                rest++;
        }
        /* rest = "name[/more]" : the first missing component */
        const char *slash = strchr(rest, '/');
        size_t nlen = slash ? (size_t)(slash - rest) : strlen(rest);
        cleanup_free char *name = xmalloc(nlen + 1);
        memcpy(name, rest, nlen);
        name[nlen] = 0;
        const char *more = slash ? slash : "";
        while (*more == '/')
            more++;
        bool last = *more == 0;
        /* create it; EEXIST means a dangling symlink (anything else would
         * have resolved above) */
        int r;
        bool file = last && create == MNT_CREATE_FILE;
        if (file) {
            r = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (r >= 0)
                close(r);
        } else {
            r = mkdirat(parent, name, 0755);
        }
        struct stat st;
        if (r < 0 && errno == EEXIST && fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            if (!S_ISLNK(st.st_mode)) {
                close(parent);
                return err_set(err, ENOTDIR, "resolve \"%s\": \"%s\" is not a directory", path,
                               name);
            }
            /* a dangling symlink: continue at its target, still in root */
            char target[4096];
            ssize_t tl = readlinkat(parent, name, target, sizeof(target) - 1);
            if (tl <= 0) {
                close(parent);
                return err_sys(err, "readlink \"%s\"", name);
            }
            target[tl] = 0;
            const char *r2;
            cleanup_free char *pre = prefix_components(cur, n, &r2);
            char *next;
            if (target[0] == '/')
                next = xasprintf("%s%s%s", target, *more ? "/" : "", more);
            else
                next = xasprintf("/%s/%s%s%s", pre, target, *more ? "/" : "", more);
            free(cur);
            cur = next;
            close(parent);
            continue;
        }
        if (r < 0 && errno != EEXIST) {
            err_sys(err, "create \"%s\" in the container root (for \"%s\")", name, path);
            close(parent);
            return -1;
        }
        if (r >= 0 && last) {
            /* what we just made, under a parent resolved in the root: open
             * it there, refusing a symlink put in its place */
            int made =
                openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (file ? 0 : O_DIRECTORY));
            if (made >= 0 && file && (fstat(made, &st) < 0 || !S_ISREG(st.st_mode))) {
                close(made);
                made = -1;
            }
            if (made >= 0) {
                close(parent);
                return made;
            }
        }
        close(parent);
    }
    return err_set(err, ELOOP, "resolve \"%s\" in the container root", path);
}

int mnt_clone_tree(int dirfd, const char *path, bool recursive, merr_t *err)
{
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
    if (recursive)
        flags |= AT_RECURSIVE;
    if (!path || !*path)
        flags |= AT_EMPTY_PATH;
    int fd = open_tree(dirfd, path ? path : "", flags);
    if (fd < 0)
        return err_sys(err, "bind \"%s\"", path && *path ? path : "(fd)");
    return fd;
}

uint64_t mnt_ms_to_attr(unsigned long ms)
{
    uint64_t a = 0;
    if (ms & MS_RDONLY)
        a |= MOUNT_ATTR_RDONLY;
    if (ms & MS_NOSUID)
        a |= MOUNT_ATTR_NOSUID;
    if (ms & MS_NODEV)
        a |= MOUNT_ATTR_NODEV;
    if (ms & MS_NOEXEC)
        a |= MOUNT_ATTR_NOEXEC;
    if (ms & MS_NODIRATIME)
        a |= MOUNT_ATTR_NODIRATIME;
    if (ms & MS_NOSYMFOLLOW)
        a |= MOUNT_ATTR_NOSYMFOLLOW;
    if (ms & MS_NOATIME)
        a |= MOUNT_ATTR_NOATIME;
    else if (ms & MS_STRICTATIME)
        a |= MOUNT_ATTR_STRICTATIME;
    return a;
}

#define ATIME_FLAGS (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)

int mnt_setattr(int mntfd, unsigned long set, unsigned long clr, bool recursive,
                unsigned long propagation, int userns_fd, merr_t *err)
{
    struct mount_attr a = {0};
    a.attr_set = mnt_ms_to_attr(set);
    a.attr_clr = mnt_ms_to_attr(clr & ~ATIME_FLAGS);
    if (set & ATIME_FLAGS) {
        a.attr_clr |= MOUNT_ATTR__ATIME;
    } else if (clr & ATIME_FLAGS) {
        /* "atime", "nostrictatime", "norelatime": back to the default */
        a.attr_clr |= MOUNT_ATTR__ATIME;
        a.attr_set |= MOUNT_ATTR_RELATIME;
    }
    a.propagation = propagation & ~(unsigned long)MS_REC;
    if (userns_fd >= 0) {
        a.attr_set |= MOUNT_ATTR_IDMAP;
        a.userns_fd = (uint64_t)userns_fd;
    }
    if (!a.attr_set && !a.attr_clr && !a.propagation)
        return 0;
    unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
    if (mount_setattr(mntfd, "", flags, &a, sizeof(a)) < 0)
        return err_sys(err, "set mount attributes");
    return 0;
}

/* Append the filesystem's own explanation (read from the fs context). */
static int fs_fail(int fsfd, merr_t *err, const char *type, const char *what, const char *opt)
{
    int e = errno;
    char log[512];
    struct sbuf b = {0};
    ssize_t n;
    while ((n = read(fsfd, log, sizeof(log) - 1)) > 0) {
        log[n] = 0;
        if (log[n - 1] == '\n')
            log[n - 1] = 0;
        /* lines are "e message" / "w message" / "i message" */
        if (b.len)
            sbuf_puts(&b, "; ");
        sbuf_puts(&b, n > 2 && log[1] == ' ' ? log + 2 : log);
    }
    char *ctx =
        opt ? xasprintf("mount %s: %s \"%s\"", type, what, opt) : xasprintf("mount %s", type);
    if (b.len)
        err_set(err, e, "%s (%s)", ctx, b.buf);
    else
        err_set(err, e, "%s", ctx);
    free(ctx);
    free(b.buf);
    return -1;
}

static const struct {
    unsigned long flag;
    const char *on;
} sb_flags[] = {
    {MS_SYNCHRONOUS, "sync"},
    {MS_DIRSYNC, "dirsync"},
    {MS_LAZYTIME, "lazytime"},
    {MS_MANDLOCK, "mand"},
};

int mnt_new_fs(const char *type, const char *source, const char *data, unsigned long flags,
               merr_t *err)
{
    int fsfd = fsopen(type, FSOPEN_CLOEXEC);
    if (fsfd < 0) {
        if (errno == ENODEV)
            return err_set(err, ENODEV, "mount %s: the kernel has no such filesystem", type);
        return err_sys(err, "mount %s: fsopen", type);
    }
    if (source && *source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0) {
        /* some filesystems take no source: not an error */
        char drain[256];
        while (read(fsfd, drain, sizeof(drain)) > 0)
            ;
    }
    for (size_t i = 0; i < ARRAY_SIZE(sb_flags); i++)
        if ((flags & sb_flags[i].flag) &&
            fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flags[i].on, NULL, 0) < 0) {
            fs_fail(fsfd, err, type, "option", sb_flags[i].on);
            close(fsfd);
            return -1;
        }
    if (data && *data) {
        cleanup_free char *copy = xstrdup(data);
        char *save = NULL;
        for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(opt, '=');
            int r;
            if (eq) {
                *eq = 0;
                r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
                *eq = '=';
            } else {
                r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
            }
            if (r < 0) {
                fs_fail(fsfd, err, type, "option", opt);
                close(fsfd);
                return -1;
            }
        }
    }
    if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
        fs_fail(fsfd, err, type, NULL, NULL);
        close(fsfd);
        return -1;
    }
    int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned)mnt_ms_to_attr(flags));
    if (mfd < 0)
        fs_fail(fsfd, err, type, NULL, NULL);
    close(fsfd);
    return mfd;
}

int mnt_attach(int mntfd, int target_fd, merr_t *err)
{
    if (move_mount(mntfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return err_sys(err, "attach mount");
    return 0;
}

int mnt_readonly_at(int rootfd, const char *path, merr_t *err)
{
    int fd = mnt_openat_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return err_sys(err, "open %s", path);
    }
    int r = -1;
    int tree = mnt_clone_tree(fd, "", true, err);
    if (tree >= 0 && mnt_setattr(tree, MS_RDONLY, 0, true, 0, -1, err) == 0 &&
        mnt_attach(tree, fd, err) == 0)
        r = 0;
    if (tree >= 0)
        close(tree);
    close(fd);
    return r;
}
