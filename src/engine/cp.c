/* cp.c: copies between a container's root and the host (see cp.h). */
#include "cp.h"
#include "ctr.h"
#include "ctr_root.h"
#include "../kernel/caps.h"
#include "../kernel/mount.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 256

struct owner {
    bool set; /* chown new files to uid:gid (copy in) */
    uint32_t uid, gid;
    bool strip_setid; /* copy out */
    /* -a: the source's ids, shifted: into the container (plus base,
     * refused past its range) or out of it (as the container sees them) */
    enum { OWN_FIXED, OWN_SHIFT_IN, OWN_SHIFT_OUT } how;
    uint32_t base;
    /* copy in: only where the container's root could write (an object
     * of its ids, on the destination's filesystem dev: no bind mount or
     * volume below it); as unpack_opts.guard */
    bool guard;
    dev_t dev;
};

/* o->guard: may the copy write in directory dfd, and over dname there? */
static int guard_dst(const struct owner *o, int dfd, const char *dname, merr_t *err)
{
    struct stat st;
    for (int i = 0; o->guard && i < 2; i++) {
        if ((i ? fstatat(dfd, dname, &st, AT_SYMLINK_NOFOLLOW) : fstat(dfd, &st)) < 0) {
            if (i && errno == ENOENT)
                return 0;
            return err_sys(err, "\"%s\"", dname);
        }
        if (st.st_dev != o->dev)
            return err_set(err, 0,
                           "\"%s\"%s is a mount point in the container (a bind mount or "
                           "volume): moat does not copy over it",
                           dname, i ? "" : "'s directory");
        if (st.st_uid < o->base || st.st_uid - o->base >= CTR_USERNS_SIZE)
            return err_set(err, 0,
                           "\"%s\"%s belongs to uid %u, which is not the container's: moat does "
                           "not change it for the container",
                           dname, i ? "" : "'s directory", (unsigned)st.st_uid);
    }
    return 0;
}

/* the owner of the copy of a file that st describes */
static int owner_of(const struct owner *o, const struct stat *st, uid_t *uid, gid_t *gid,
                    merr_t *err)
{
    *uid = o->uid;
    *gid = o->gid;
    if (o->how == OWN_SHIFT_OUT) {
        *uid = ctr_id_in(o->base, st->st_uid);
        *gid = ctr_id_in(o->base, st->st_gid);
    } else if (o->how == OWN_SHIFT_IN) {
        if (st->st_uid >= CTR_USERNS_SIZE || st->st_gid >= CTR_USERNS_SIZE)
            return err_set(err, 0, "owner %u:%u is outside the container's ids (0-%u)",
                           (unsigned)st->st_uid, (unsigned)st->st_gid, CTR_USERNS_SIZE - 1);
        *uid = o->base + st->st_uid;
        *gid = o->base + st->st_gid;
    }
    return 0;
}

static int copy_data(int from, int to, merr_t *err)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(from, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return err_sys(err, "read");
        if (n == 0)
            return 0;
        if (write_all(to, buf, (size_t)n) < 0)
            return err_sys(err, "write");
    }
}

static int finish_node(int fd, const char *name, const struct stat *st, const struct owner *o,
                       bool link, merr_t *err)
{
    mode_t mode = st->st_mode & 07777;
    if (o->strip_setid)
        mode &= ~(mode_t)(S_ISUID | S_ISGID);
    uid_t uid;
    gid_t gid;
    if (owner_of(o, st, &uid, &gid, err) < 0)
        return -1;
    if ((o->set || o->how != OWN_FIXED) &&
        fchownat(fd, name ? name : "", uid, gid, name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH) < 0)
        return err_sys(err, "chown");
    if (!link && fchmod(fd, mode) < 0)
        return err_sys(err, "chmod");
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if (utimensat(fd, name ? name : "", ts, name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH) < 0 &&
        errno != ENOENT)
        return err_sys(err, "set times");
    return 0;
}

/* copy entry `name` of directory sfd to `dname` in directory dfd */
static int copy_entry(int sfd, const char *name, int dfd, const char *dname, const struct owner *o,
                      int depth, merr_t *err)
{
    if (depth > MAX_DEPTH)
        return err_set(err, 0, "\"%s\": directories nested too deep", name);
    if (guard_dst(o, dfd, dname, err) < 0)
        return -1;
    struct stat st;
    if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return err_sys(err, "\"%s\"", name);
    if (S_ISDIR(st.st_mode)) {
        if (mkdirat(dfd, dname, 0700) < 0 && errno != EEXIST)
            return err_sys(err, "mkdir \"%s\"", dname);
        cleanup_close int s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_close int d2 = openat(dfd, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s2 < 0 || d2 < 0)
            return err_sys(err, "open directory \"%s\"", s2 < 0 ? name : dname);
        int dup_fd = dup(s2);
        DIR *dir = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        if (!dir)
            return err_sys(err, "read directory \"%s\"", name);
        struct dirent *de;
        int r = 0;
        while (r == 0 && (de = readdir(dir)))
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                r = copy_entry(s2, de->d_name, d2, de->d_name, o, depth + 1, err);
        closedir(dir);
        return r < 0 ? -1 : finish_node(d2, NULL, &st, o, false, err);
    }
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
        if (n < 0)
            return err_sys(err, "readlink \"%s\"", name);
        target[n] = 0;
        if (unlinkat(dfd, dname, 0) < 0 && errno != ENOENT)
            return err_sys(err, "replace \"%s\"", dname);
        if (symlinkat(target, dfd, dname) < 0)
            return err_sys(err, "symlink \"%s\"", dname);
        return finish_node(dfd, dname, &st, o, true, err);
    }
    if (!S_ISREG(st.st_mode))
        return 0; /* devices, fifos and sockets are not copied */
    /* O_NONBLOCK and a second look: a running container may have put a
     * FIFO there since the fstatat, whose open would wait for a writer */
    cleanup_close int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat cur;
    if (in < 0 || fstat(in, &cur) < 0)
        return err_sys(err, "open \"%s\"", name);
    if (!S_ISREG(cur.st_mode))
        return 0;
    if (unlinkat(dfd, dname, 0) < 0 && errno != ENOENT) {
        if (fstatat(dfd, dname, &cur, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(cur.st_mode))
            return err_set(err, 0, "\"%s\" is a directory", dname);
        return err_sys(err, "replace \"%s\"", dname);
    }
    cleanup_close int out =
        openat(dfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0)
        return err_sys(err, "create \"%s\"", dname);
    if (copy_data(in, out, err) < 0)
        return -1;
    return finish_node(out, NULL, &st, o, false, err);
}

/* split a path into its directory and last name ("." for "/") */
static void split(const char *path, char **dir, char **base)
{
    cleanup_free char *a = xstrdup(path), *b = xstrdup(path);
    size_t l = strlen(b);
    while (l > 1 && b[l - 1] == '/')
        b[--l] = 0;
    *dir = xstrdup(dirname(a));
    char *bn = basename(b);
    *base = xstrdup(strcmp(bn, "/") == 0 ? "." : bn);
}

int cp_resolve(int rootfd, const char *path, bool follow, int *dirfd, char **base, merr_t *err)
{
    cleanup_free char *p = xstrdup(path);
    for (int hops = 0;; hops++) {
        cleanup_free char *dir = NULL;
        split(p, &dir, base);
        *dirfd = mnt_openat_in_root(rootfd, dir, O_RDONLY | O_DIRECTORY);
        struct stat st;
        if (*dirfd < 0 || fstatat(*dirfd, *base, &st, AT_SYMLINK_NOFOLLOW) < 0)
            break;
        if (!follow || !S_ISLNK(st.st_mode))
            return 0;
        if (hops >= 40) {
            errno = ELOOP;
            break;
        }
        /* the link's target, read and resolved in the root again */
        cleanup_free char *t = xmalloc(PATH_MAX);
        ssize_t n = readlinkat(*dirfd, *base, t, PATH_MAX - 1);
        if (n < 0)
            break;
        t[n] = 0;
        char *next = t[0] == '/' ? xstrdup(t) : xasprintf("%s/%s", dir, t);
        free(p);
        p = next;
        close(*dirfd);
        *dirfd = -1;
        free(*base);
        *base = NULL;
    }
    int e = errno;
    if (*dirfd >= 0)
        close(*dirfd);
    *dirfd = -1;
    free(*base);
    *base = NULL;
    return err_set(err, e, "container path \"%s\"", path);
}

int cp_out(int rootfd, const char *src, const char *dst, uint32_t base, bool follow, bool archive,
           merr_t *err)
{
    struct owner o = {
        .strip_setid = true, .how = archive ? OWN_SHIFT_OUT : OWN_FIXED, .base = base};
    cleanup_free char *sbase = NULL;
    int sfd0;
    if (cp_resolve(rootfd, src, follow, &sfd0, &sbase, err) < 0)
        return -1;
    cleanup_close int sfd = sfd0;
    /* the name it gets: the source's, not the link target's */
    cleanup_free char *sdir_ = NULL;
    cleanup_free char *sname = NULL;
    split(src, &sdir_, &sname);
    /* an existing host directory receives it under its own name */
    struct stat dst_st;
    cleanup_free char *ddir = NULL;
    cleanup_free char *dbase = NULL;
    if (stat(dst, &dst_st) == 0 && S_ISDIR(dst_st.st_mode)) {
        ddir = xstrdup(dst);
        dbase = xstrdup(strcmp(sname, ".") == 0 ? "root" : sname);
    } else {
        split(dst, &ddir, &dbase);
    }
    cleanup_close int dfd = open(ddir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return err_sys(err, "host directory \"%s\"", ddir);
    if (strcmp(sbase, ".") == 0) { /* the root itself */
        cleanup_close int r2 = mnt_openat_in_root(rootfd, "/", O_RDONLY | O_DIRECTORY);
        return r2 < 0 ? err_sys(err, "container root")
                      : copy_entry(r2, ".", dfd, dbase, &o, 0, err);
    }
    return copy_entry(sfd, sbase, dfd, dbase, &o, 0, err);
}

int cp_in(const char *src, int rootfd, const char *dst, uint32_t base, bool follow, bool archive,
          merr_t *err)
{
    uint32_t uid = base, gid = base;
    struct owner o = {.set = true,
                      .uid = uid,
                      .gid = gid,
                      .how = archive ? OWN_SHIFT_IN : OWN_FIXED,
                      .base = base};
    cleanup_free char *real = follow ? realpath(src, NULL) : NULL;
    if (follow && !real)
        return err_sys(err, "host path \"%s\"", src);
    /* -L: the link's target, under the link's name */
    cleanup_free char *ndir = NULL;
    cleanup_free char *name = NULL;
    cleanup_free char *sdir = NULL;
    cleanup_free char *sbase = NULL;
    split(src, &ndir, &name);
    split(real ? real : src, &sdir, &sbase);
    cleanup_close int sfd = open(sdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (sfd < 0 || fstatat(sfd, sbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return err_sys(err, "host path \"%s\"", src);
    /* an existing directory in the container receives it under its name */
    cleanup_free char *ddir = NULL;
    cleanup_free char *dbase = NULL;
    cleanup_close int probe = mnt_openat_in_root(rootfd, dst, O_RDONLY | O_DIRECTORY);
    if (probe >= 0) {
        ddir = xstrdup(dst);
        dbase = xstrdup(name);
    } else {
        split(dst, &ddir, &dbase);
    }
    if (strcmp(dbase, ".") == 0 || strcmp(dbase, "..") == 0)
        return err_set(err, 0, "container path \"%s\": not a name", dst);
    cleanup_close int dfd = mnt_openat_in_root(rootfd, ddir, O_RDONLY | O_DIRECTORY);
    struct stat dirst;
    if (dfd < 0 || fstat(dfd, &dirst) < 0)
        return err_sys(err, "container directory \"%s\"", ddir);
    o.guard = true;
    o.dev = dirst.st_dev;
    cp_become(uid, gid);
    int r = copy_entry(sfd, sbase, dfd, dbase, &o, 0, err);
    cp_become(0, 0);
    return r;
}

void cp_become(uint32_t uid, uint32_t gid)
{
    setfsgid(gid);
    setfsuid(uid);
    struct cap_state cs;
    if (uid && caps_get(&cs) == 0) {
        cs.effective = cs.permitted;
        merr_t e = MERR_INIT;
        caps_apply_sets(&cs, &e);
        err_clear(&e);
    }
}
