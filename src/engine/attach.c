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

void monitor_send_winsize(int sock)
{
    struct winsize ws = {0};
    if (ioctl(0, TIOCGWINSZ, &ws) < 0)
        ws.ws_row = ws.ws_col = 0; /* said anyway: the monitor waits for it */
    unsigned char b[4] = {(unsigned char)(ws.ws_row >> 8), (unsigned char)ws.ws_row,
                          (unsigned char)(ws.ws_col >> 8), (unsigned char)ws.ws_col};
    mon_frame(sock, 'w', b, 4, 0);
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
    if (tty)
        monitor_send_winsize(sock);
    *code = -1;
    bool in_open = in;
    while (*code < 0 && !detached) {
        struct pollfd p[3] = {{sock, POLLIN, 0}, {sfd, POLLIN, 0}, {0, in_open ? POLLIN : 0, 0}};
        int r = poll(p, in_open ? 3 : 2, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (p[0].revents) {
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
                    monitor_send_winsize(sock);
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
        if (in_open && p[2].revents) {
            unsigned char buf[CHUNK], pass[CHUNK + KEYSEQ_MAX];
            ssize_t n = read(0, buf, sizeof(buf));
            if (n > 0) {
                size_t len = keyseq_filter(&keys, buf, (size_t)n, pass, &detached);
                if (len)
                    mon_frame(sock, 'i', pass, len, 0);
            } else if (n == 0 || errno != EINTR) {
                in_open = false;
                size_t len = keyseq_flush(&keys, pass); /* input after all */
                if (len)
                    mon_frame(sock, 'i', pass, len, 0);
                mon_frame(sock, 'c', NULL, 0, 0);
            }
        }
    }
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
