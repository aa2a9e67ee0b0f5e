/* treewalk.c: see treewalk.h. */
#include "treewalk.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names in directory fd, sorted; NULL with err */
static char **names_of(int fd, size_t *n, merr_t *err)
{
    int d = dup(fd);
    DIR *dir = d >= 0 ? fdopendir(d) : NULL;
    if (!dir) {
        if (d >= 0)
            close(d);
        err_sys(err, "read directory");
        return NULL;
    }
    char **v = NULL;
    size_t len = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (len >= TW_MAX_ENTRIES) {
            closedir(dir);
            for (size_t i = 0; i < len; i++)
                free(v[i]);
            free(v);
            err_set(err, 0, "more than %d entries in one directory", TW_MAX_ENTRIES);
            return NULL;
        }
        if (len == cap) {
            cap = cap ? cap * 2 : 64;
            v = xrealloc(v, cap * sizeof(*v));
        }
        v[len++] = xstrdup(de->d_name);
    }
    closedir(dir);
    if (len)
        qsort(v, len, sizeof(*v), by_name);
    *n = len;
    return v ? v : xzalloc(sizeof(*v));
}

static int walk(int fd, dev_t dev, struct sbuf *path, int depth,
                int (*fn)(const struct tw_entry *, void *, merr_t *), void *ctx, merr_t *err)
{
    if (depth > TW_MAX_DEPTH)
        return err_set(err, 0, "%s: directories nested deeper than %d", path->buf, TW_MAX_DEPTH);
    size_t n = 0;
    char **names = names_of(fd, &n, err);
    if (!names)
        return err_wrap(err, "%s", path->len ? path->buf : ".");
    int ret = 0;
    size_t base = path->len;
    for (size_t i = 0; i < n && ret == 0; i++) {
        struct stat st;
        if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* gone meanwhile */
        path->len = base;
        if (path->buf)
            path->buf[base] = 0;
        sbuf_printf(path, "%s%s", base ? "/" : "", names[i]);
        struct tw_entry e = {fd, names[i], path->buf, &st};
        int r = fn(&e, ctx, err);
        if (r < 0) {
            ret = -1;
        } else if (r == TW_ENTER && S_ISDIR(st.st_mode) && st.st_dev == dev) {
            int sub = openat(fd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            struct stat now;
            if (sub >= 0 && fstat(sub, &now) == 0 && now.st_ino == st.st_ino &&
                now.st_dev == st.st_dev)
                ret = walk(sub, dev, path, depth + 1, fn, ctx, err);
            if (sub >= 0)
                close(sub);
        }
    }
    path->len = base;
    if (path->buf)
        path->buf[base] = 0;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return ret;
}

int tree_walk(int topfd, int (*fn)(const struct tw_entry *e, void *ctx, merr_t *err), void *ctx,
              merr_t *err)
{
    struct stat st;
    if (fstat(topfd, &st) < 0)
        return err_sys(err, "stat");
    struct sbuf path = {0};
    sbuf_puts(&path, "");
    int r = walk(topfd, st.st_dev, &path, 0, fn, ctx, err);
    free(path.buf);
    return r;
}

static int add_size(const struct tw_entry *e, void *ctx, merr_t *err)
{
    (void)err;
    if (S_ISREG(e->st->st_mode) || S_ISLNK(e->st->st_mode))
        *(uint64_t *)ctx += (uint64_t)e->st->st_size;
    return TW_ENTER;
}

uint64_t tree_size(int topfd)
{
    uint64_t total = 0;
    merr_t e = MERR_INIT;
    tree_walk(topfd, add_size, &total, &e);
    err_clear(&e);
    return total;
}
