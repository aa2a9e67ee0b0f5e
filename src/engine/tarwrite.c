/* tarwrite.c: see tarwrite.h. */
#include "tarwrite.h"
#include "ctr_root.h"
#include "rwlayer.h"
#include "tarfmt.h"
#include "treewalk.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define TARW_CHUNK 65536

int tarw_open(struct tarw *w, int fd, uint32_t base, bool layer, merr_t *err)
{
    (void)err;
    memset(w, 0, sizeof(*w));
    w->fd = fd;
    w->base = base;
    w->layer = layer;
    w->buf = xmalloc(TARW_CHUNK);
    w->links = json_object();
    return 0;
}

static int put(struct tarw *w, const void *b, size_t n, const char *path, merr_t *err)
{
    if (write_all(w->fd, b, n) < 0)
        return err_sys(err, "write \"%s\" to the archive", path);
    return 0;
}

/* the header of path, as st says (ids as the container sees them) */
static int header(struct tarw *w, const char *path, const struct stat *st, char type,
                  const char *link, merr_t *err)
{
    struct tar_hdr h = {
        .name = path,
        .link = link,
        .type = type,
        .mode = st->st_mode & 07777,
        .uid = ctr_id_in(w->base, st->st_uid),
        .gid = ctr_id_in(w->base, st->st_gid),
        .size = type == TAR_REG ? (uint64_t)st->st_size : 0, /* a hard link: none */
        .mtime = st->st_mtim.tv_sec,
        .devmajor = major(st->st_rdev),
        .devminor = minor(st->st_rdev),
    };
    cleanup_free unsigned char *b = NULL;
    size_t n;
    tar_header(&h, &b, &n);
    return put(w, b, n, path, err);
}

/* an empty regular file called path (a whiteout) */
static int add_marker(struct tarw *w, const char *path, const struct stat *like, merr_t *err)
{
    struct stat st = *like;
    st.st_mode = S_IFREG | 0;
    st.st_size = 0;
    return header(w, path, &st, TAR_REG, NULL, err);
}

/* a whiteout of the upper dir: ".wh.NAME" beside it */
static int add_whiteout(struct tarw *w, const char *path, const struct stat *st, merr_t *err)
{
    const char *slash = strrchr(path, '/');
    cleanup_free char *wh = slash ? xasprintf("%.*s/.wh.%s", (int)(slash - path), path, slash + 1)
                                  : xasprintf(".wh.%s", path);
    return add_marker(w, wh, st, err);
}

static int add_file(struct tarw *w, int dirfd, const char *name, const char *path,
                    const struct stat *st, merr_t *err)
{
    cleanup_close int fd =
        openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat cur;
    if (fd < 0 || fstat(fd, &cur) < 0)
        return errno == ENOENT ? 0 : err_sys(err, "open \"%s\"", path);
    if (!S_ISREG(cur.st_mode) || cur.st_ino != st->st_ino || cur.st_dev != st->st_dev)
        return 0; /* swapped meanwhile: not what was walked */
    if (cur.st_nlink > 1) {
        char key[48];
        snprintf(key, sizeof(key), "%llu:%llu", (unsigned long long)cur.st_dev,
                 (unsigned long long)cur.st_ino);
        const char *first = json_string_value(json_object_get(w->links, key));
        if (first)
            return header(w, path, &cur, TAR_HARDLINK, first, err);
        if (json_object_size(w->links) < TARW_MAX_LINKS)
            json_object_set_new(w->links, key, json_string(path));
    }
    if (header(w, path, &cur, TAR_REG, NULL, err) < 0)
        return -1;
    uint64_t left = (uint64_t)cur.st_size;
    bool eof = false;
    while (left) {
        size_t want = left < TARW_CHUNK ? (size_t)left : TARW_CHUNK;
        ssize_t n = 0;
        if (!eof) {
            n = read(fd, w->buf, want);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return err_sys(err, "read \"%s\"", path);
        }
        if (n == 0) { /* it shrank: zeros up to the size in the header */
            eof = true;
            memset(w->buf, 0, want);
            n = (ssize_t)want;
        }
        if (put(w, w->buf, (size_t)n, path, err) < 0)
            return -1;
        left -= (uint64_t)n;
    }
    size_t pad = (size_t)((512 - (uint64_t)cur.st_size % 512) % 512);
    memset(w->buf, 0, 512);
    return pad ? put(w, w->buf, pad, path, err) : 0;
}

int tarw_add(struct tarw *w, int dirfd, const char *name, const char *path, const struct stat *st,
             merr_t *err)
{
    mode_t t = st->st_mode & S_IFMT;
    if (t == S_IFREG)
        return add_file(w, dirfd, name, path, st, err);
    if (t == S_IFSOCK)
        return 0;
    if (w->layer && t == S_IFCHR && st->st_rdev == makedev(0, 0))
        return add_whiteout(w, path, st, err);
    cleanup_free char *target = NULL;
    char type = TAR_DIR;
    if (t == S_IFLNK) {
        target = xmalloc(PATH_MAX);
        ssize_t n = readlinkat(dirfd, name, target, PATH_MAX - 1);
        if (n < 0)
            return errno == ENOENT || errno == EINVAL ? 0 : err_sys(err, "readlink \"%s\"", path);
        target[n] = 0;
        type = TAR_SYMLINK;
    } else if (t == S_IFCHR) {
        type = TAR_CHR;
    } else if (t == S_IFBLK) {
        type = TAR_BLK;
    } else if (t == S_IFIFO) {
        type = TAR_FIFO;
    } else if (t != S_IFDIR) {
        return 0;
    }
    if (header(w, path, st, type, target, err) < 0)
        return -1;
    if (w->layer && t == S_IFDIR && rwl_opaque(dirfd, name)) {
        cleanup_free char *opq = xasprintf("%s/.wh..wh..opq", path);
        return add_marker(w, opq, st, err);
    }
    return 0;
}

struct walk_ctx {
    struct tarw *w;
    const char *prefix;
};

static int one(const struct tw_entry *e, void *ctx, merr_t *err)
{
    struct walk_ctx *c = ctx;
    for (const char *const *p = c->w->skip_empty; p && *p; p++)
        if (S_ISREG(e->st->st_mode) && e->st->st_size == 0 && !strcmp(e->path, *p))
            return TW_SKIP;
    cleanup_free char *path = *c->prefix ? xasprintf("%s/%s", c->prefix, e->path) : NULL;
    if (tarw_add(c->w, e->dirfd, e->name, path ? path : e->path, e->st, err) < 0)
        return -1;
    return TW_ENTER;
}

int tarw_tree(struct tarw *w, int topfd, const char *prefix, merr_t *err)
{
    struct walk_ctx c = {w, prefix};
    return tree_walk(topfd, one, &c, err);
}

int tarw_close(struct tarw *w, bool ok, merr_t *err)
{
    int ret = 0;
    /* no end after a failure: a cut archive stays cut */
    if (ok && w->buf) {
        memset(w->buf, 0, TAR_END_LEN);
        ret = put(w, w->buf, TAR_END_LEN, "the end", err);
    }
    free(w->buf);
    json_decref(w->links);
    memset(w, 0, sizeof(*w));
    return ret;
}
