/* attach.c: the client side of the monitor's attach socket. */
#include "attach.h"
#include "ctr.h"
#include "ctr_rec.h"
#include "monframe.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define CHUNK 16384

int monitor_connect(struct store *s, const char *id, merr_t *err)
{
    cleanup_close int d = ctr_dirfd(s, id, err);
    if (d < 0)
        return -1;
    struct sockaddr_un a;
    mon_sock_path(d, &a);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        if (fd >= 0)
            close(fd);
        return err_sys(err, "container %.12s: attach", id);
    }
    return fd;
}

/* the terminal's size as the 'w' frame says it (0 x 0 without one: said
 * anyway, the monitor waits for it) */
static void winsize_bytes(unsigned char b[4])
{
    struct winsize ws = {0};
    if (ioctl(0, TIOCGWINSZ, &ws) < 0)
        ws.ws_row = ws.ws_col = 0;
    b[0] = (unsigned char)(ws.ws_row >> 8);
    b[1] = (unsigned char)ws.ws_row;
    b[2] = (unsigned char)(ws.ws_col >> 8);
    b[3] = (unsigned char)ws.ws_col;
}

void monitor_send_winsize(int sock)
{
    unsigned char b[4];
    winsize_bytes(b);
    mon_frame(sock, 'w', b, 4, 0);
}

/* Frames to the monitor, queued and sent as the socket takes them: the
 * container's output is read while input waits. The monitor reads no
 * more of a client's input while the container does not take it, so a
 * send that blocked here would wait for a monitor that waits for this
 * client to read. */
struct outq {
    struct sbuf b;
    size_t off;
};

static void q_frame(struct outq *q, char type, const void *data, size_t len)
{
    unsigned char h[MON_FRAME_HDR];
    mon_frame_header(h, type, len);
    if (q->off == q->b.len)
        q->off = q->b.len = 0;
    sbuf_add(&q->b, (const char *)h, sizeof(h));
    if (len)
        sbuf_add(&q->b, data, len);
}

static void q_send(struct outq *q, int sock)
{
    while (q->off < q->b.len) {
        ssize_t n = send(sock, q->b.buf + q->off, q->b.len - q->off, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0) { /* the monitor is gone: its end is read */
            q->off = q->b.len;
            return;
        }
        q->off += (size_t)n;
    }
}

/* what waits, sent before a detach: for at most ms, should the monitor
 * take no input meanwhile */
static void q_drain(struct outq *q, int sock, int ms)
{
    for (q_send(q, sock); q->off < q->b.len; q_send(q, sock)) {
        struct pollfd p = {sock, POLLOUT, 0};
        if (poll(&p, 1, ms) <= 0)
            break;
    }
}

static void q_winsize(struct outq *q)
{
    unsigned char b[4];
    winsize_bytes(b);
    q_frame(q, 'w', b, 4);
}

int attach_relay(struct store *s, const char *id, int sock, const struct attach_opts *o, int *code,
                 merr_t *err)
{
    bool tty = o->tty, in = o->in, sig_proxy = o->sig_proxy && !o->tty;
    struct keyseq keys = o->keys;
    bool detached = false;
    sigset_t all, old;
    sigemptyset(&all);
    sigaddset(&all, SIGINT);
    sigaddset(&all, SIGTERM);
    sigaddset(&all, SIGHUP);
    sigaddset(&all, SIGQUIT);
    sigaddset(&all, SIGWINCH);
    sigprocmask(SIG_BLOCK, &all, &old);
    int sfd = signalfd(-1, &all, SFD_CLOEXEC);
    struct termios saved;
    bool raw = tty && isatty(0) && tcgetattr(0, &saved) == 0;
    if (raw) {
        struct termios t = saved;
        cfmakeraw(&t);
        tcsetattr(0, TCSANOW, &t);
    }
    struct outq q = {0};
    if (tty)
        q_winsize(&q);
    *code = -1;
    bool in_open = in;
    while (*code < 0 && !detached) {
        q_send(&q, sock);
        bool waiting = q.off < q.b.len; /* input waits: no more is read meanwhile */
        struct pollfd p[3] = {{sock, POLLIN | (waiting ? POLLOUT : 0), 0},
                              {sfd, POLLIN, 0},
                              {0, in_open && !waiting ? POLLIN : 0, 0}};
        int r = poll(p, in_open ? 3 : 2, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            char type;
            char *data;
            size_t len;
            if (mon_read_frame(sock, &type, &data, &len) < 0)
                break;
            if (type == 'o' && o->out)
                (void)write_all(1, data, len);
            else if (type == 'e' && o->err)
                (void)write_all(2, data, len);
            else if (type == 'x')
                *code = atoi(data);
            free(data);
        }
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGWINCH && tty) {
                    q_winsize(&q);
                } else if (sig_proxy && si.ssi_signo != SIGWINCH) {
                    merr_t e = MERR_INIT;
                    int rootfd = ctr_runtime_rootfd(s, &e);
                    if (rootfd >= 0) {
                        op_kill(rootfd, id, (int)si.ssi_signo, false, &e);
                        close(rootfd);
                    }
                    err_clear(&e);
                }
            }
        }
        /* a pipe whose writer is done says POLLHUP even unasked: while
         * input waits, none is read */
        if (in_open && !waiting && p[2].revents) {
            unsigned char buf[CHUNK], pass[CHUNK + KEYSEQ_MAX];
            ssize_t n = read(0, buf, sizeof(buf));
            if (n > 0) {
                size_t len = keyseq_filter(&keys, buf, (size_t)n, pass, &detached);
                if (len)
                    q_frame(&q, 'i', pass, len);
            } else if (n == 0 || errno != EINTR) {
                in_open = false;
                size_t len = keyseq_flush(&keys, pass); /* input after all */
                if (len)
                    q_frame(&q, 'i', pass, len);
                q_frame(&q, 'c', "", 0);
            }
        }
    }
    if (detached)
        q_drain(&q, sock, 5000);
    free(q.b.buf);
    if (raw)
        tcsetattr(0, TCSANOW, &saved);
    close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (detached)
        return ATTACH_DETACHED;
    if (*code < 0) {
        /* the monitor went away without a word: the record has the end,
         * once the monitor is done with it (it holds its lock until then) */
        int lk = ctr_lock_open(s, id, false);
        if (lk >= 0) {
            while (flock(lk, LOCK_SH) < 0 && errno == EINTR)
                ;
            close(lk);
        }
        struct ctr_rec r;
        if (ctr_rec_load(s, id, true, &r, err) < 0)
            return -1;
        *code = (int)r.state.exit_code;
        ctr_rec_free(&r);
    }
    return ATTACH_EXITED;
}

int ctr_resize(struct store *s, const char *id, unsigned rows, unsigned cols, merr_t *err)
{
    int sock = monitor_connect(s, id, err);
    if (sock < 0)
        return -1;
    unsigned char ws[4] = {(unsigned char)(rows >> 8), (unsigned char)rows,
                           (unsigned char)(cols >> 8), (unsigned char)cols};
    int r = mon_frame(sock, 'w', (const char *)ws, sizeof(ws), 0);
    close(sock);
    return r < 0 ? err_sys(err, "container %.12s: resize", id) : 0;
}
