/* stores.c: the host's list of moat stores (see stores.h). */
#include "stores.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <unistd.h>

#define LIST_MAX (1 << 20)

static char **parse(const char *text)
{
    char **v = xzalloc(sizeof(char *));
    cleanup_free char *copy = xstrdup(text ? text : "");
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (l[0] == '/' && !strv_contains(v, l))
            strv_push(&v, l);
    return v;
}

bool stores_owner_ok(const struct stat *st)
{
    return S_ISDIR(st->st_mode) && st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

int stores_open(const char *path)
{
    struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                           .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    int fd;
    do
        fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !stores_owner_ok(&st))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

char **stores_list(void)
{
    cleanup_close int fd = open(STORES_LIST, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    cleanup_free char *text = NULL;
    if (fd < 0 || read_regular_fd(fd, LIST_MAX, &text, NULL) < 0)
        return xzalloc(sizeof(char *));
    return parse(text);
}

void stores_register(const char *root)
{
    char real[PATH_MAX];
    if (!realpath(root, real) || strchr(real, '\n'))
        return;
    char **v = stores_list();
    bool known = strv_contains(v, real);
    strv_free(v);
    if (known)
        return;
    merr_t err = MERR_INIT;
    cleanup_free char *dir = xstrdup(STORES_LIST);
    *strrchr(dir, '/') = 0;
    if (mkdir_p(dir, 0700, &err) < 0) {
        err_clear(&err);
        return;
    }
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_close int lock =
        dfd < 0 ? -1 : openat(dfd, "stores.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (lock < 0 || flock(lock, LOCK_EX) < 0)
        return;
    v = stores_list();
    struct sbuf b = {0};
    for (size_t i = 0; v[i]; i++) {
        struct stat st;
        if (strcmp(v[i], real) != 0 && stat(v[i], &st) == 0) /* gone: dropped */
            sbuf_printf(&b, "%s\n", v[i]);
    }
    sbuf_printf(&b, "%s\n", real);
    strv_free(v);
    atomic_write_at(dfd, "stores.list", b.buf, b.len, 0600, &err);
    free(b.buf);
    err_clear(&err);
}

int stores_lock(merr_t *err)
{
    cleanup_free char *dir = xstrdup(STORES_LIST);
    *strrchr(dir, '/') = 0;
    if (mkdir_p(dir, 0700, err) < 0)
        return -1;
    cleanup_free char *path = xasprintf("%s/ids.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_sys(err, "open %s", path);
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) {
            close(fd);
            return err_sys(err, "lock %s", path);
        }
    return fd;
}
