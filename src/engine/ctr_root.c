/* ctr_root.c: see ctr_root.h. */
#include "ctr_root.h"
#include "ctr.h"
#include "../runtime/runtime.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

uint32_t ctr_id_in(uint32_t base, uint32_t host)
{
    if (host < base || host - base >= CTR_USERNS_SIZE)
        return 65534;
    return host - base;
}

/* /proc/PID/root of its init, whose identity is checked with a pidfd
 * against the runtime's record before and after the open */
static int proc_root(struct store *s, const char *id, merr_t *err)
{
    cleanup_close int rootfd = ctr_runtime_rootfd(s, err);
    if (rootfd < 0)
        return -1;
    pid_t pid = 0;
    int pfd = rt_pidfd(rootfd, id, &pid, err);
    int fd = -1;
    if (pfd >= 0) {
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
        fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            err_sys(err, "open %s", p);
        else if (syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0) < 0) {
            close(fd);
            fd = err_set(err, 0, "container %.12s stopped meanwhile; try again", id);
        }
        close(pfd);
    }
    return fd;
}

/* containers/ID/rootfs, if it is the overlay (a mount) */
static int overlay_root(struct store *s, const char *id, merr_t *err)
{
    cleanup_free char *dir = xasprintf("containers/%s", id);
    cleanup_free char *root = xasprintf("containers/%s/rootfs", id);
    int fd = openat(s->fd, root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat a, b;
    if (fd < 0 || fstat(fd, &a) < 0 || fstatat(s->fd, dir, &b, AT_SYMLINK_NOFOLLOW) < 0) {
        if (fd >= 0)
            close(fd);
        return err_sys(err, "container %.12s: its root", id);
    }
    if (a.st_dev == b.st_dev) {
        close(fd);
        return err_set(err, 0, "container %.12s stopped meanwhile; try again", id);
    }
    return fd;
}

static int stopped_root(struct store *s, struct ctr_root *r, const char *what, merr_t *err)
{
    r->lock = ctr_lock_open(s, r->id, true);
    if (r->lock < 0 || flock(r->lock, LOCK_EX | LOCK_NB) < 0)
        return err_set(err, 0, "container %s is starting; try again", what);
    /* started between the refresh and the lock: its monitor is gone now */
    json_t *again = ctr_load(s, r->id, err);
    if (!again)
        return -1;
    json_decref(r->rec);
    r->rec = again;
    if (json_is_true(json_object_get(json_object_get(again, "State"), "Running")))
        return err_set(err, 0, "container %s is starting; try again", what);
    r->mnt = ctr_rootfs_detached(s, r->id, r->rec, err);
    if (r->mnt < 0)
        return -1;
    r->fd = openat(r->mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return r->fd < 0 ? err_sys(err, "container %.12s: open its root", r->id) : 0;
}

int ctr_root_open(struct store *s, const char *what, enum ctr_root_view v, struct ctr_root *r,
                  merr_t *err)
{
    memset(r, 0, sizeof(*r));
    r->fd = r->lock = r->mnt = -1;
    if (ctr_find(s, what, r->id, err) < 0 || !(r->rec = ctr_refresh(s, r->id, err)))
        return -1;
    r->base = (uint32_t)json_integer_value(json_object_get(r->rec, "UsernsBase"));
    r->running = json_is_true(json_object_get(json_object_get(r->rec, "State"), "Running"));
    int ret;
    if (!r->running)
        ret = stopped_root(s, r, what, err);
    else
        ret = r->fd = v == CTR_ROOT_PROC ? proc_root(s, r->id, err) : overlay_root(s, r->id, err);
    if (ret < 0) {
        ctr_root_close(r);
        return -1;
    }
    return 0;
}

void ctr_root_close(struct ctr_root *r)
{
    if (r->fd >= 0)
        close(r->fd);
    if (r->mnt >= 0)
        close(r->mnt);
    if (r->lock >= 0)
        close(r->lock);
    json_decref(r->rec);
    r->rec = NULL;
    r->fd = r->mnt = r->lock = -1;
}
