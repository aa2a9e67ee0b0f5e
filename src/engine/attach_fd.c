/* attach_fd.c: a client connection handed over to the container's
 * monitor (see attach_fd.h). */
#include "attach_fd.h"
#include "attach.h"
#include "ctr.h"
#include "ctr_rec.h"
#include "events.h"
#include "monclient.h"
#include "monframe.h"
#include "../util/fs.h"
#include "../util/util.h"
#include "../util/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define WAIT_DIR "attach-wait"
#define WAIT_SECS 30
#define TICK_MS 100
/* how long a start waits for a live attach to hand its connection over */
#define HAND_MS 5000

struct attach_fd_wait {
    struct store *s;
    char id[65];
    int dirfd;     /* containers/ID */
    int lfd;       /* our socket in attach-wait/, -1: the monitor is up */
    char name[17]; /* its name there */
};

static void wait_addr(int dirfd, const char *name, struct sockaddr_un *a)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof(a->sun_path), "/proc/self/fd/%d/" WAIT_DIR "/%.16s", dirfd, name);
}

static void unregister(struct attach_fd_wait *w)
{
    if (w->lfd < 0)
        return;
    close_fd(&w->lfd);
    cleanup_free char *p = xasprintf(WAIT_DIR "/%s", w->name);
    unlinkat(w->dirfd, p, 0);
    unlinkat(w->dirfd, WAIT_DIR, AT_REMOVEDIR); /* if it was the last */
}

/* a socket of our own in attach-wait/ for a start to find */
static int register_wait(struct attach_fd_wait *w, merr_t *err)
{
    /* a start or another attach may remove the directory when it is
     * empty, between our mkdir and our bind: again then */
    for (int tries = 0; tries < 10; tries++) {
        if (mkdirat(w->dirfd, WAIT_DIR, 0700) < 0 && errno != EEXIST)
            return err_sys(err, "container %.12s: attach: mkdir " WAIT_DIR, w->id);
        cleanup_free char *name = store_rand_name();
        snprintf(w->name, sizeof(w->name), "%s", name);
        struct sockaddr_un a;
        wait_addr(w->dirfd, w->name, &a);
        w->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (w->lfd < 0)
            return err_sys(err, "socket");
        if (bind(w->lfd, (struct sockaddr *)&a, sizeof(a)) == 0) {
            if (listen(w->lfd, 4) == 0)
                return 0;
            err_sys(err, "container %.12s: attach: listen", w->id);
            unregister(w);
            return -1;
        }
        int e = errno;
        close_fd(&w->lfd);
        if (e != ENOENT) {
            errno = e;
            return err_sys(err, "container %.12s: attach: bind", w->id);
        }
    }
    return err_set(err, 0, "container %.12s: attach: " WAIT_DIR " keeps going away", w->id);
}

static int not_running(merr_t *err, const char *id)
{
    err_set(err, 0, "container %.12s is not running", id);
    err->errnum = ESRCH;
    return -1;
}

/* its record: created (1), other (0), gone (-1, the error filled) */
static int created(struct store *s, const char *id, bool refresh, merr_t *err)
{
    struct ctr_rec r;
    if (ctr_rec_load(s, id, refresh, &r, err) < 0) {
        err_clear(err);
        err_set(err, 0, "no such container: %.12s", id);
        err->errnum = ENOENT;
        return -1;
    }
    int c = strcmp(r.state.status ? r.state.status : "", "created") == 0;
    ctr_rec_free(&r);
    return c;
}

int ctr_attach_fd_begin(struct store *s, const char *id, struct attach_fd_wait **w, merr_t *err)
{
    int c = created(s, id, true, err);
    if (c < 0)
        return -1;
    bool up = ctr_monitor_alive(s, id);
    if (!c && !up)
        return not_running(err, id);
    struct attach_fd_wait *n = xmalloc(sizeof(*n));
    *n = (struct attach_fd_wait){.s = s, .lfd = -1, .dirfd = -1};
    snprintf(n->id, sizeof(n->id), "%s", id);
    n->dirfd = ctr_dirfd(s, id, err);
    if (n->dirfd < 0 || (!up && register_wait(n, err) < 0)) {
        ctr_attach_fd_cancel(n);
        return -1;
    }
    *w = n;
    return 0;
}

void ctr_attach_fd_cancel(struct attach_fd_wait *w)
{
    if (!w)
        return;
    unregister(w);
    close_fd(&w->dirfd);
    free(w);
}

static unsigned fd_flags(const struct attach_fd_opts *o)
{
    return (o->in ? MON_FD_IN : 0) | (o->out ? MON_FD_OUT : 0) | (o->err ? MON_FD_ERR : 0);
}

/* fd over sock (the monitor's, or a start's), until its 'k': 0; -1 if
 * it closed without (the monitor or the start ended first) */
static int hand(int sock, int fd, unsigned flags)
{
    unsigned char f = (unsigned char)flags;
    if (mon_frame_fd(sock, 'f', &f, 1, fd) < 0)
        return -1;
    for (;;) {
        char type;
        char *data;
        size_t len;
        if (mon_read_frame(sock, &type, &data, &len) < 0)
            return -1;
        free(data);
        if (type == 'k')
            return 0;
        if (type == 'x')
            return -1;
        /* output to the moat client this socket was until then: not ours */
    }
}

/* the monitor is up: hand fd to it now */
static int direct(struct attach_fd_wait *w, int fd, unsigned flags, merr_t *err)
{
    int sock = monitor_connect(w->s, w->id, err);
    if (sock < 0) {
        err_clear(err);
        return not_running(err, w->id);
    }
    int r = hand(sock, fd, flags);
    close(sock);
    return r < 0 ? not_running(err, w->id) : 0;
}

/* created: wait for a start to take fd (it connects to our socket before
 * it forks the monitor; so once the monitor is up and no start is at our
 * socket, none will come: hand it to the monitor then) */
static int await_start(struct attach_fd_wait *w, int fd, unsigned flags, merr_t *err)
{
    long end = clock_mono_ms() + WAIT_SECS * 1000L;
    for (int wait = 0;; wait = TICK_MS) {
        struct pollfd p = {w->lfd, POLLIN, 0};
        if (poll(&p, 1, wait) == 1) {
            int c = accept4(w->lfd, NULL, NULL, SOCK_CLOEXEC);
            int r = c < 0 ? -1 : hand(c, fd, flags);
            if (c >= 0)
                close(c);
            if (r == 0)
                return 0;
            continue; /* that start failed: see what is now */
        }
        if (ctr_monitor_alive(w->s, w->id)) {
            unregister(w);
            return direct(w, fd, flags, err);
        }
        int c = created(w->s, w->id, false, err);
        if (c < 0)
            return -1;
        if (!c)
            return not_running(err, w->id);
        if (clock_mono_ms() > end) {
            err_set(err, 0, "container %.12s was not started within %d s of the attach", w->id,
                    WAIT_SECS);
            err->errnum = ETIMEDOUT;
            return -1;
        }
    }
}

int ctr_attach_fd_end(struct attach_fd_wait *w, int fd, const struct attach_fd_opts *o, merr_t *err)
{
    events_container(w->s, w->id, NULL, "attach", NULL);
    int r = w->lfd < 0 ? direct(w, fd, fd_flags(o), err) : await_start(w, fd, fd_flags(o), err);
    ctr_attach_fd_cancel(w);
    return r;
}

int ctr_attach_fd(struct store *s, const char *id, int fd, const struct attach_fd_opts *o,
                  merr_t *err)
{
    struct attach_fd_wait *w;
    if (ctr_attach_fd_begin(s, id, &w, err) < 0)
        return -1;
    return ctr_attach_fd_end(w, fd, o, err);
}

/* ---- the start's side ---- */

/* the connection of the attach waiting at name (in attach-wait/ of the
 * container's directory cd), with its streams; 0 if one came */
static int ask(int cd, const char *name, struct mon_handover *h, int *conn)
{
    struct sockaddr_un a;
    wait_addr(cd, name, &a);
    int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0)
        return -1;
    if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0) {
        if (errno == ECONNREFUSED) { /* its attach died: nobody listens */
            cleanup_free char *p = xasprintf(WAIT_DIR "/%s", name);
            unlinkat(cd, p, 0);
        }
        close(c);
        return -1;
    }
    struct pollfd p = {c, POLLIN, 0};
    char type;
    char *data = NULL;
    size_t len;
    int fd = -1;
    if (poll(&p, 1, HAND_MS) != 1 || mon_read_frame_fd(c, &type, &data, &len, &fd) < 0 ||
        type != 'f' || len != 1 || fd < 0) {
        if (fd >= 0)
            close(fd);
        free(data);
        close(c);
        return -1;
    }
    *h = (struct mon_handover){.fd = fd, .flags = (unsigned char)data[0]};
    *conn = c;
    free(data);
    return 0;
}

void attach_pending_take(struct store *s, const char *id, struct attach_pending *p)
{
    *p = (struct attach_pending){0};
    cleanup_free char *rel = xasprintf("containers/%s/" WAIT_DIR, id);
    int d = openat(s->fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (d < 0)
        return; /* none: the usual start */
    merr_t err = MERR_INIT;
    cleanup_close int cd = ctr_dirfd(s, id, &err);
    err_clear(&err);
    DIR *dir = cd < 0 ? NULL : fdopendir(d);
    if (!dir) {
        close(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        /* ours only: 16 hex digits (store_rand_name) */
        if (strlen(e->d_name) != 16 || p->n >= MON_MAX_CLIENTS)
            continue;
        p->h = xrealloc(p->h, (p->n + 1) * sizeof(*p->h));
        p->conn = xrealloc(p->conn, (p->n + 1) * sizeof(*p->conn));
        if (ask(cd, e->d_name, &p->h[p->n], &p->conn[p->n]) == 0)
            p->n++;
    }
    closedir(dir);
}

void attach_pending_done(struct attach_pending *p, bool ok)
{
    for (size_t i = 0; i < p->n; i++) {
        if (ok)
            mon_frame(p->conn[i], 'k', NULL, 0, 0);
        close(p->conn[i]);
        close(p->h[i].fd);
    }
    free(p->h);
    free(p->conn);
    *p = (struct attach_pending){0};
}
