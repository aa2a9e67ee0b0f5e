/* run.c: `run` in the foreground: forward signals to the container, proxy
 * its terminal, wait for it and delete it. */
#include "container.h"
#include "ops.h"
#include "../kernel/terminal.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int run_block_signals(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    return sigprocmask(SIG_BLOCK, &all, old);
}

static int status_code(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return 1;
}

/* One direction of a relay: from -> to, until from ends. close_to: the
 * write end is ours alone (a pipe to the process' stdin), closed at the
 * end so the process sees it. A write end that is ours is non-blocking:
 * what it cannot take waits in buf while the other directions go on, so a
 * process that writes before it reads never stalls the relay. */
struct relay {
    int from, to;
    bool open, close_to;
    struct keyseq *keys; /* stdin: the detach keys, kept back */
    bool detached;       /* they were read */
    size_t off, len;
    char buf[16384];
};

static void relay_end(struct relay *r)
{
    r->open = false;
    if (r->close_to)
        close_fd(&r->to);
}

static void relay_flush(struct relay *r)
{
    while (r->off < r->len) {
        ssize_t n = write(r->to, r->buf + r->off, r->len - r->off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return; /* polled for POLLOUT */
        if (n <= 0) {
            relay_end(r);
            return;
        }
        r->off += (size_t)n;
    }
    r->off = r->len = 0;
}

static void relay_step(struct relay *r)
{
    if (r->len > 0) {
        relay_flush(r);
        return;
    }
    unsigned char in[sizeof(r->buf) - KEYSEQ_MAX];
    ssize_t n = read(r->from, r->keys ? in : (unsigned char *)r->buf,
                     r->keys ? sizeof(in) : sizeof(r->buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        if (r->keys && r->keys->matched) { /* what waited was input after all */
            r->len = keyseq_flush(r->keys, (unsigned char *)r->buf);
            relay_flush(r);
        }
        relay_end(r);
        return;
    }
    r->len = (size_t)n;
    if (r->keys)
        r->len = keyseq_filter(r->keys, in, (size_t)n, (unsigned char *)r->buf, &r->detached);
    relay_flush(r);
}

/* what to wait for: input, or room for what is held; an ended direction
 * is not polled at all (its hung-up end would wake poll at once) */
static struct pollfd relay_poll(const struct relay *r)
{
    if (!r->open)
        return (struct pollfd){-1, 0, 0};
    if (r->len > 0)
        return (struct pollfd){r->to, POLLOUT, 0};
    return (struct pollfd){r->from, POLLIN, 0};
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void relay_set(struct relay *r, int from, int to, bool close_to)
{
    *r = (struct relay){.from = from, .to = to, .open = true, .close_to = close_to};
}

/* The directions to relay: a terminal's master both ways, or the pipes of
 * a process' stdio (exec with relay_stdio). */
static size_t relays(struct container *c, int master, struct relay *r)
{
    size_t n = 0;
    if (master >= 0) {
        set_nonblock(master);
        relay_set(&r[n++], master, 1, false);
        relay_set(&r[n++], 0, master, false);
        r[n - 1].keys = c->detach.n ? &c->detach : NULL;
        return n;
    }
    if (c->relay[1] >= 0)
        relay_set(&r[n++], c->relay[1], 1, false);
    if (c->relay[2] >= 0)
        relay_set(&r[n++], c->relay[2], 2, false);
    if (c->relay[0] >= 0) {
        set_nonblock(c->relay[0]);
        relay_set(&r[n++], 0, c->relay[0], true);
        r[n - 1].keys = c->detach.n ? &c->detach : NULL;
        c->relay[0] = -1; /* closed by the relay */
    }
    return n;
}

static void on_signal(struct container *c, int sfd, int master, bool *done, int *st)
{
    struct signalfd_siginfo si;
    if (read(sfd, &si, sizeof(si)) != sizeof(si))
        return;
    if (si.ssi_signo == SIGCHLD) {
        pid_t w;
        int s2;
        while ((w = waitpid(-1, &s2, WNOHANG)) > 0)
            if (w == c->host_pid) {
                *st = s2;
                *done = true;
            }
    } else if (si.ssi_signo == SIGWINCH && master >= 0) {
        struct winsize ws;
        if (ioctl(0, TIOCGWINSZ, &ws) == 0)
            ioctl(master, TIOCSWINSZ, &ws);
    } else if (si.ssi_signo == SIGPIPE && (pid_t)si.ssi_pid == getpid()) {
        /* ours: a relay's reader went away (the write said EPIPE) */
    } else if (!*done) {
        kill(c->host_pid, (int)si.ssi_signo);
    }
}

/* a caller's new size for the terminal: two uint16_t, rows and cols */
static void on_resize(int fd, int master)
{
    uint16_t m[2];
    struct winsize ws = {0};
    if (recv(fd, m, sizeof(m), MSG_DONTWAIT) != (ssize_t)sizeof(m))
        return; /* a message of another size is dropped whole */
    ws.ws_row = m[0];
    ws.ws_col = m[1];
    ioctl(master, TIOCSWINSZ, &ws);
}

static bool detached(const struct relay *r, size_t nr)
{
    for (size_t i = 0; i < nr; i++)
        if (r[i].detached)
            return true;
    return false;
}

/* The caller detached: a process of its own keeps our ends of the
 * process' stdio (it reads and drops the output, and never writes to its
 * stdin) until the output ends, so that the process runs on as if still
 * attached (as Docker's daemon does for an exec one detaches from). It
 * holds nothing else of ours (no lock, no descriptor of the caller's),
 * and no privilege: it only reads. */
static void drain(const struct relay *r, size_t nr)
{
    int fds[6], n = 0;
    bool out[6];
    for (size_t i = 0; i < nr; i++) { /* stdin's end: held, never written */
        int fd = r[i].from == 0 ? r[i].to : r[i].from;
        if (fd < 0 || !r[i].open)
            continue;
        out[n] = r[i].from != 0;
        fds[n] = fcntl(fd, F_DUPFD_CLOEXEC, 64);
        n += fds[n] >= 0;
    }
    pid_t pid = fork();
    if (pid != 0) {
        for (int i = 0; i < n; i++)
            close(fds[i]);
        return;
    }
    setsid();
    int null = open("/dev/null", O_RDWR);
    for (int k = 0; k < 3 && null >= 0; k++)
        dup2(null, k);
    for (int i = 0; i < n; i++) /* packed from 3 up: nothing else stays open */
        fds[i] = dup2(fds[i], 3 + i);
    syscall(SYS_close_range, 3 + n, ~0U, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct none[2] = {{0}};
    syscall(SYS_capset, &h, none);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    for (;;) {
        struct pollfd p[6];
        int np = 0;
        for (int i = 0; i < n; i++)
            if (out[i] && fds[i] >= 0)
                p[np++] = (struct pollfd){fds[i], POLLIN, 0};
        if (np == 0 || (poll(p, (nfds_t)np, -1) < 0 && errno != EINTR))
            break;
        for (int i = 0; i < np; i++) {
            char buf[4096];
            ssize_t got = p[i].revents ? read(p[i].fd, buf, sizeof(buf)) : 1;
            if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
                for (int k = 0; k < n; k++)
                    fds[k] = fds[k] == p[i].fd ? -1 : fds[k];
        }
    }
    _exit(0);
}

int rt_wait(struct container *c, int *exit_code, merr_t *err)
{
    int master = -1;
    if (c->spec->process.terminal && c->console_peer >= 0) {
        master = unix_recv_fd(c->console_peer, err);
        if (master < 0)
            return -1;
    }
    sigset_t all;
    sigfillset(&all);
    int sfd = signalfd(-1, &all, SFD_CLOEXEC);
    if (sfd < 0)
        return err_sys(err, "signalfd");
    struct termios saved;
    bool raw = master >= 0 && tcgetattr(0, &saved) == 0;
    if (raw) {
        struct termios t = saved;
        struct winsize ws;
        cfmakeraw(&t);
        tcsetattr(0, TCSANOW, &t);
        if (ioctl(0, TIOCGWINSZ, &ws) == 0)
            ioctl(master, TIOCSWINSZ, &ws);
    }
    struct relay r[3];
    size_t nr = relays(c, master, r);
    bool done = false;
    int st = 0;
    for (;;) {
        struct pollfd p[5] = {{sfd, POLLIN, 0}};
        bool out_open = false;
        for (size_t i = 0; i < nr; i++) {
            p[i + 1] = relay_poll(&r[i]);
            out_open = out_open || (r[i].open && r[i].from != 0); /* output left */
        }
        if (done && !out_open)
            break;
        p[nr + 1] = (struct pollfd){master >= 0 ? c->resize_fd : -1, POLLIN, 0};
        int n = poll(p, nr + 2, done ? 100 : -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (done)
                break; /* drained (or a process of the container still holds it) */
            continue;
        }
        if (p[0].revents & POLLIN)
            on_signal(c, sfd, master, &done, &st);
        if (p[nr + 1].revents & POLLIN)
            on_resize(c->resize_fd, master);
        for (size_t i = 0; i < nr; i++)
            if (p[i + 1].revents)
                relay_step(&r[i]);
        if (!done && detached(r, nr)) {
            drain(r, nr);
            break;
        }
    }
    for (size_t i = 0; i < nr; i++)
        if (r[i].close_to)
            close_fd(&r[i].to);
    if (raw)
        tcsetattr(0, TCSANOW, &saved);
    if (master >= 0)
        close(master);
    close(sfd);
    bool left = !done && detached(r, nr);
    *exit_code = left ? 0 : status_code(st);
    c->host_pid = -1;
    return left ? 1 : 0;
}
