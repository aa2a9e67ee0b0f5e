/* unpack.c: safe layer extraction with libarchive (see unpack.h). */
#include "unpack.h"
#include "../util/fs.h"
#include "../util/sha256.h"
#include "../util/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define BLOCK (64 * 1024)

void unpack_defaults(struct unpack_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->max_bytes = 16ULL << 30;
    o->max_entries = 1000000;
    o->whiteouts = true;
    uint64_t v;
    const char *s = getenv("MOAT_LAYER_MAX_BYTES");
    if (s && parse_u64(s, &v) == 0)
        o->max_bytes = v;
    s = getenv("MOAT_LAYER_MAX_ENTRIES");
    if (s && parse_u64(s, &v) == 0)
        o->max_entries = v;
}

static struct archive *reader(int fd, bool raw, merr_t *err)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    if (raw)
        archive_read_support_format_raw(a);
    else
        archive_read_support_format_tar(a);
    if (archive_read_open_fd(a, fd, BLOCK) != ARCHIVE_OK) {
        err_set(err, 0, "not a tar archive (plain, gzip or zstd): %s", archive_error_string(a));
        archive_read_free(a);
        return NULL;
    }
    return a;
}

int unpack_stream_digest(int fd, uint64_t limit, char out[72], merr_t *err)
{
    struct archive *a = reader(fd, true, err);
    if (!a)
        return -1;
    struct archive_entry *e;
    int ret = -1;
    cleanup_free char *buf = xmalloc(BLOCK);
    if (archive_read_next_header(a, &e) != ARCHIVE_OK) {
        err_set(err, 0, "cannot read the archive: %s", archive_error_string(a));
        goto out;
    }
    struct sha256 h;
    sha256_init(&h);
    uint64_t total = 0;
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, BLOCK);
        if (n < 0) {
            err_set(err, 0, "cannot decompress the archive: %s", archive_error_string(a));
            goto out;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > limit) {
            err_set(err, 0, "decompresses to more than %llu bytes", (unsigned long long)limit);
            goto out;
        }
        sha256_update(&h, buf, (size_t)n);
    }
    sha256_digest(&h, out);
    ret = 0;
out:
    archive_read_free(a);
    return ret;
}

/* A member name made relative and checked: no "..", not absolute, no
 * empty result unless the name is the root itself ("" then). Returns NULL
 * and sets *why when the name is refused. */
char *unpack_clean_path(const char *in, const char **why)
{
    if (!in) {
        *why = "entry without a name";
        return NULL;
    }
    if (in[0] == '/') {
        *why = "absolute path";
        return NULL;
    }
    if (strlen(in) >= 4096) {
        *why = "path longer than 4095 bytes";
        return NULL;
    }
    struct sbuf b = {0};
    const char *p = in;
    while (*p) {
        const char *q = strchr(p, '/');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            free(b.buf);
            *why = "path contains \"..\"";
            return NULL;
        }
        if (n > 255) {
            free(b.buf);
            *why = "name longer than 255 bytes";
            return NULL;
        }
        if (n && !(n == 1 && p[0] == '.')) {
            if (b.len)
                sbuf_add(&b, "/", 1);
            sbuf_add(&b, p, n);
        }
        p += n;
        while (*p == '/')
            p++;
    }
    if (!b.buf)
        return xstrdup("");
    return sbuf_steal(&b);
}

static int openat2_in(int root, const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    int fd;
    do
        fd = (int)syscall(SYS_openat2, root, *path ? path : ".", &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN);
    return fd;
}

/* The directory that will hold `path`'s last component, created (0755,
 * root) where it is missing; every step is resolved inside root. */
static int open_parent(int root, const char *path, const char **base, merr_t *err)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash) {
        int fd = openat2_in(root, "", O_RDONLY | O_DIRECTORY);
        return fd >= 0 ? fd : err_sys(err, "open the layer directory");
    }
    cleanup_free char *dir = xstrndup(path, (size_t)(slash - path));
    int fd = openat2_in(root, dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0 || errno != ENOENT)
        return fd >= 0 ? fd : err_sys(err, "parent directory");
    /* create what is missing, one component at a time */
    for (char *p = dir;; p++) {
        if (*p != '/' && *p)
            continue;
        char keep = *p;
        *p = 0;
        int d = openat2_in(root, dir, O_RDONLY | O_DIRECTORY);
        if (d < 0 && errno == ENOENT) {
            const char *s = strrchr(dir, '/');
            cleanup_free char *up = s ? xstrndup(dir, (size_t)(s - dir)) : xstrdup("");
            cleanup_close int ufd = openat2_in(root, up, O_PATH | O_DIRECTORY);
            if (ufd < 0 || (mkdirat(ufd, s ? s + 1 : dir, 0755) < 0 && errno != EEXIST))
                return err_sys(err, "create parent directory \"%s\"", dir);
            d = openat2_in(root, dir, O_RDONLY | O_DIRECTORY);
        }
        if (d < 0)
            return err_sys(err, "parent directory \"%s\"", dir);
        *p = keep;
        if (!keep)
            return d;
        close(d);
    }
}

/* o->guard: is st an object the container's root may change? */
static int guard_ok(const struct unpack_opts *o, const struct stat *st, dev_t dev, const char *what,
                    merr_t *err)
{
    if (!o->guard)
        return 0;
    uint64_t n = o->id_count ? o->id_count : 65536;
    if (st->st_dev != dev)
        return err_set(err, 0,
                       "%s is a mount point in the container (a bind mount or volume): "
                       "moat does not copy over it",
                       what);
    if (st->st_uid < o->id_base || st->st_uid - o->id_base >= n)
        return err_set(err, 0,
                       "%s belongs to uid %u, which is not the container's: moat does not change "
                       "it for the container",
                       what, (unsigned)st->st_uid);
    return 0;
}

/* Make room for a new entry called `name` in pfd (a later entry replaces
 * an earlier one, as tar does); a directory stays when dir is true. With
 * o->guard, pfd and what it holds must be the container's (guard_ok). */
static int make_room(const struct unpack_opts *o, int pfd, const char *name, bool dir, merr_t *err)
{
    struct stat st, pst;
    if (o->guard &&
        (fstat(pfd, &pst) < 0 || guard_ok(o, &pst, pst.st_dev, "its directory", err) < 0))
        return err->msg ? -1 : err_sys(err, "stat");
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : err_sys(err, "stat");
    if (o->guard && guard_ok(o, &st, pst.st_dev, "what is there", err) < 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        if (dir)
            return 1;
        if ((o->guard ? rm_rf_at_onefs(pfd, name) : rm_rf_at(pfd, name)) < 0)
            return err_sys(err, "replace directory");
        return 0;
    }
    if (unlinkat(pfd, name, 0) < 0)
        return err_sys(err, "replace");
    return 0;
}

static int set_owner_mode(int fd, const char *name, struct archive_entry *e,
                          const struct unpack_opts *o, bool link, merr_t *err)
{
    uid_t uid = (uid_t)archive_entry_uid(e);
    gid_t gid = (gid_t)archive_entry_gid(e);
    if (archive_entry_uid(e) < 0 || archive_entry_uid(e) > 0xfffffffe || archive_entry_gid(e) < 0 ||
        archive_entry_gid(e) > 0xfffffffe)
        return err_set(err, 0, "owner %lld:%lld out of range", (long long)archive_entry_uid(e),
                       (long long)archive_entry_gid(e));
    if (o->owner_base) {
        uid = gid = o->id_base;
    } else if (o->id_count) {
        if (uid >= o->id_count || gid >= o->id_count)
            return err_set(err, 0, "owner %u:%u is outside the container's ids (0-%u)",
                           (unsigned)uid, (unsigned)gid, o->id_count - 1);
        uid += o->id_base;
        gid += o->id_base;
    }
    int flags = name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH;
    if (fchownat(fd, name ? name : "", uid, gid, flags) < 0)
        return err_sys(err, "chown");
    if (!link) {
        mode_t mode = archive_entry_perm(e) & 07777;
        if (o->strip_setid)
            mode &= ~(mode_t)(S_ISUID | S_ISGID);
        if (fchmod(fd, mode) < 0)
            return err_sys(err, "chmod");
    }
    struct timespec ts[2] = {{.tv_sec = archive_entry_mtime(e), .tv_nsec = 0},
                             {.tv_sec = archive_entry_mtime(e), .tv_nsec = 0}};
    ts[0] = ts[1];
    if (utimensat(fd, name ? name : "", ts, flags) < 0)
        return err_sys(err, "set times");
    return 0;
}

static int write_data(struct archive *a, int fd, merr_t *err)
{
    const void *buf;
    size_t n;
    la_int64_t off;
    int r;
    off_t end = 0;
    while ((r = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK) {
        if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
            return err_sys(err, "write");
        end = (off_t)off + (off_t)n;
    }
    if (r != ARCHIVE_EOF)
        return err_set(err, 0, "truncated or corrupt data: %s", archive_error_string(a));
    if (ftruncate(fd, end > 0 ? end : 0) < 0) /* a sparse tail */
        return err_sys(err, "truncate");
    return 0;
}

static int whiteout(int pfd, const char *base, merr_t *err)
{
    const char *target = base + 4;
    if (strcmp(target, ".wh..opq") == 0) {
        if (fsetxattr(pfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
            return err_sys(err, "mark directory opaque");
        return 0;
    }
    if (strncmp(target, ".wh.", 4) == 0)
        return 0; /* aufs bookkeeping (.wh..wh.plnk and the like) */
    if (!*target || strcmp(target, ".") == 0 || strcmp(target, "..") == 0)
        return err_set(err, 0, "whiteout without a name");
    static const struct unpack_opts layer = {0}; /* a layer: no guard */
    if (make_room(&layer, pfd, target, false, err) < 0)
        return -1;
    if (mknodat(pfd, target, S_IFCHR | 0, makedev(0, 0)) < 0)
        return err_sys(err, "create whiteout");
    return 0;
}

static int entry(struct archive *a, struct archive_entry *e, int root, const char *path,
                 const struct unpack_opts *o, struct unpack_stats *st, merr_t *err)
{
    mode_t type = archive_entry_filetype(e);
    const char *hl = archive_entry_hardlink(e);
    if (!*path) { /* the layer's root itself */
        if (type != AE_IFDIR)
            return err_set(err, 0, "the root is not a directory");
        return 0;
    }
    const char *base;
    cleanup_close int pfd = open_parent(root, path, &base, err);
    if (pfd < 0)
        return -1;
    struct stat pst;
    if (o->guard && (fstat(pfd, &pst) < 0 || pst.st_dev != o->guard_dev ||
                     guard_ok(o, &pst, o->guard_dev, "its directory", err) < 0))
        return err->msg ? -1
                        : err_set(err, 0,
                                  "its directory is in a bind mount or volume of the "
                                  "container: moat does not copy into it");
    if (o->whiteouts && strncmp(base, ".wh.", 4) == 0)
        return whiteout(pfd, base, err);
    if (hl) {
        const char *why = NULL;
        cleanup_free char *t = unpack_clean_path(hl, &why);
        if (!t)
            return err_set(err, 0, "hard link target \"%s\": %s", hl, why);
        cleanup_close int tfd = openat2_in(root, t, O_PATH | O_NOFOLLOW);
        if (tfd < 0)
            return err_sys(err, "hard link target \"%s\" (it must be in the same layer)", hl);
        struct stat ts;
        if (fstat(tfd, &ts) < 0 || S_ISDIR(ts.st_mode))
            return err_set(err, 0, "hard link target \"%s\" is a directory", hl);
        if (make_room(o, pfd, base, false, err) < 0)
            return -1;
        if (linkat(tfd, "", pfd, base, AT_EMPTY_PATH) < 0)
            return err_sys(err, "hard link to \"%s\"", hl);
        return 0;
    }
    switch (type) {
    case AE_IFDIR: {
        int r = make_room(o, pfd, base, true, err);
        if (r < 0)
            return -1;
        if (!r && mkdirat(pfd, base, 0700) < 0)
            return err_sys(err, "mkdir");
        cleanup_close int fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return err_sys(err, "open directory");
        return set_owner_mode(fd, NULL, e, o, false, err);
    }
    case AE_IFREG: {
        if (make_room(o, pfd, base, false, err) < 0)
            return -1;
        cleanup_close int fd =
            openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return err_sys(err, "create");
        if (write_data(a, fd, err) < 0)
            return -1;
        return set_owner_mode(fd, NULL, e, o, false, err);
    }
    case AE_IFLNK: {
        const char *target = archive_entry_symlink(e);
        if (!target || !*target || strlen(target) >= 4096)
            return err_set(err, 0, "symbolic link without a valid target");
        if (make_room(o, pfd, base, false, err) < 0)
            return -1;
        if (symlinkat(target, pfd, base) < 0)
            return err_sys(err, "symlink");
        return set_owner_mode(pfd, base, e, o, true, err);
    }
    case AE_IFIFO:
        if (make_room(o, pfd, base, false, err) < 0)
            return -1;
        if (mknodat(pfd, base, S_IFIFO | 0600, 0) < 0)
            return err_sys(err, "mkfifo");
        return set_owner_mode(pfd, base, e, o, true, err) < 0
                   ? -1
                   : (fchmodat(pfd, base, archive_entry_perm(e) & 0777, 0) < 0
                          ? err_sys(err, "chmod")
                          : 0);
    case AE_IFCHR:
    case AE_IFBLK:
        if (!o->keep_devices) {
            st->devices_dropped++;
            return 0;
        }
        if (make_room(o, pfd, base, false, err) < 0)
            return -1;
        if (mknodat(pfd, base, type | (archive_entry_perm(e) & 0777), archive_entry_rdev(e)) < 0)
            return err_sys(err, "mknod");
        return set_owner_mode(pfd, base, e, o, true, err);
    default:
        return err_set(err, 0, "unsupported entry type 0%o", (unsigned)type);
    }
}

int unpack_tar(int fd, int dirfd, const struct unpack_opts *opts, struct unpack_stats *st,
               merr_t *err)
{
    struct unpack_opts guarded = *opts;
    const struct unpack_opts *o = &guarded;
    struct stat dst;
    if (opts->guard) {
        if (fstat(dirfd, &dst) < 0)
            return err_sys(err, "the destination");
        guarded.guard_dev = dst.st_dev;
        if (guard_ok(o, &dst, dst.st_dev, "the destination", err) < 0)
            return -1;
    }
    struct unpack_stats local = {0};
    if (!st)
        st = &local;
    memset(st, 0, sizeof(*st));
    struct archive *a = reader(fd, false, err);
    if (!a)
        return -1;
    int ret = -1;
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            err_set(err, 0, "entry %llu: corrupt archive: %s", (unsigned long long)st->entries + 1,
                    archive_error_string(a));
            goto out;
        }
        const char *name = archive_entry_pathname(e);
        if (++st->entries > o->max_entries) {
            err_set(err, 0, "entry \"%s\": more than %llu entries", name ? name : "",
                    (unsigned long long)o->max_entries);
            goto out;
        }
        la_int64_t size = archive_entry_size(e);
        if (size < 0 || (uint64_t)size > o->max_bytes - st->bytes) {
            err_set(err, 0, "entry \"%s\": the layer would exceed %llu bytes", name ? name : "",
                    (unsigned long long)o->max_bytes);
            goto out;
        }
        st->bytes += (uint64_t)size;
        const char *why = NULL;
        cleanup_free char *path = unpack_clean_path(name, &why);
        if (!path) {
            err_set(err, 0, "entry \"%s\": %s", name ? name : "", why);
            goto out;
        }
        merr_t e2 = MERR_INIT;
        if (entry(a, e, dirfd, path, o, st, &e2) < 0) {
            err_set(err, 0, "entry \"%s\": %s", name, e2.msg);
            err->errnum = e2.errnum;
            err_clear(&e2);
            goto out;
        }
    }
    ret = 0;
out:
    archive_read_free(a);
    return ret;
}
