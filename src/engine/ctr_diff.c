/* ctr_diff.c: see ctr_diff.h. */
#include "ctr_diff.h"
#include "ctr.h"
#include "rwlayer.h"
#include "treewalk.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct diff {
    int *lower; /* the image's layers, top first */
    size_t nlower;
    json_t *changed; /* directories reported as changed (or added, deleted) */
    uint32_t base;   /* the container's ids start here on the host (0: none of its own) */
    void (*emit)(int, const char *, void *);
    void *ctx;
};

/* lstat of path in the image's layers (the top one that has it); no
 * symlink is followed on the way */
static bool in_image(const struct diff *d, const char *path, struct stat *st)
{
    const char *slash = strrchr(path, '/');
    cleanup_free char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    const char *base = slash ? slash + 1 : path;
    struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                           .resolve =
                               RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    for (size_t i = 0; i < d->nlower; i++) {
        int fd;
        do
            fd = (int)syscall(SYS_openat2, d->lower[i], dir, &how, sizeof(how));
        while (fd < 0 && errno == EAGAIN);
        if (fd < 0)
            continue;
        int r = fstatat(fd, base, st, AT_SYMLINK_NOFOLLOW);
        close(fd);
        if (r == 0)
            return true;
    }
    return false;
}

/* path's directories, from the top, reported as changed (once each): a
 * change below a directory changes it, as Docker lists them */
static void report_parents(struct diff *d, const char *path)
{
    size_t n = 0;
    for (const char *p = path; *p; p++)
        n += *p == '/';
    for (size_t depth = 1; depth <= n; depth++) {
        const char *end = path;
        for (size_t k = 0; k < depth; k++)
            end = strchr(end, '/') + 1;
        cleanup_free char *dir = xasprintf("/%.*s", (int)(end - 1 - path), path);
        if (!json_object_get(d->changed, dir)) {
            json_object_set_new(d->changed, dir, json_true());
            d->emit(CTR_CHANGE_MODIFY, dir, d->ctx);
        }
    }
}

static void report(struct diff *d, int kind, const char *path, bool dir)
{
    cleanup_free char *abs = xasprintf("/%s", path);
    report_parents(d, path);
    if (dir)
        json_object_set_new(d->changed, abs, json_true());
    d->emit(kind, abs, d->ctx);
}

static int one(const struct tw_entry *e, void *ctx, merr_t *err)
{
    (void)err;
    struct diff *d = ctx;
    const struct stat *st = e->st;
    bool dir = S_ISDIR(st->st_mode);
    struct stat lo;
    bool had = in_image(d, e->path, &lo);
    if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0)) {
        report(d, CTR_CHANGE_DELETE, e->path, false);
        return TW_SKIP;
    }
    if (dir && had && rwl_opaque(e->dirfd, e->name)) {
        report(d, CTR_CHANGE_DELETE, e->path, true);
        return TW_ENTER;
    }
    if (!had && rwl_mount_point(e->path, st))
        return TW_SKIP; /* the mount point of one of the container's own files */
    if (!had) {
        report(d, CTR_CHANGE_ADD, e->path, dir);
        return TW_ENTER;
    }
    /* a directory copied up because something in it changed: that change
     * reports it (its times alone would show the mount points above); its
     * own mode or owner (as the container sees it) is a change */
    if (dir && S_ISDIR(lo.st_mode) && lo.st_mode == st->st_mode &&
        st->st_uid - d->base == lo.st_uid && st->st_gid - d->base == lo.st_gid)
        return TW_ENTER;
    report(d, CTR_CHANGE_MODIFY, e->path, dir);
    return TW_ENTER;
}

int ctr_diff(struct store *s, const char *id, void (*emit)(int kind, const char *path, void *ctx),
             void *ctx, merr_t *err)
{
    json_t *rec = ctr_load(s, id, err);
    if (!rec)
        return -1;
    json_t *layers = json_object_get(rec, "Layers");
    struct diff d = {.lower = xzalloc((json_array_size(layers) + 1) * sizeof(int)),
                     .changed = json_object(),
                     .base = (uint32_t)json_integer_value(json_object_get(rec, "UsernsBase")),
                     .emit = emit,
                     .ctx = ctx};
    int ret = -1, ufd = -1;
    cleanup_free char *up = xasprintf("containers/%s/%supper", id, rwl_prefix(rec));
    for (size_t i = json_array_size(layers); i-- > 0;) {
        cleanup_free char *p =
            store_layer_path(s, json_string_value(json_array_get(layers, i)) ?: "");
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            err_sys(err, "layer %s", p);
            goto out;
        }
        d.lower[d.nlower++] = fd;
    }
    ufd = openat(s->fd, up, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ufd < 0) {
        err_sys(err, "container %.12s: its writable layer", id);
        goto out;
    }
    ret = tree_walk(ufd, one, &d, err);
out:
    if (ufd >= 0)
        close(ufd);
    for (size_t i = 0; i < d.nlower; i++)
        close(d.lower[i]);
    free(d.lower);
    json_decref(d.changed);
    json_decref(rec);
    return ret;
}
