/* vminit_relay.c: the guest's side of the channel while processes run
 * (see vminit.h). */
#include "vminit_int.h"

#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* a process's stdin queued past this: the host is asked to hold it
 * (INHOLD); below INQ_RELEASE, to send again. The channel itself is
 * always read, so that the host's HOLDs are never stuck behind stdin. */
#define INQ_HOLD (256u << 10)
#define INQ_RELEASE (64u << 10)
/* processes at once (channel 0 and exec channels) */
#define PROCS_MAX 64

void vminit_send(int ctl, uint8_t type, uint32_t chan, const void *data, size_t len)
{
    struct vmp_out o = {0};
    if (vmp_put(&o, type, chan, data, len) == 0)
        (void)write_all(ctl, o.buf, o.len);
    vmp_out_free(&o);
}

void vminit_send_exit(int ctl, uint32_t chan, int code, int signo)
{
    struct vmp_out o = {0};
    vmp_put_exit(&o, chan, code, signo);
    (void)write_all(ctl, o.buf, o.len);
    vmp_out_free(&o);
}

struct relay {
    int ctl;
    struct vmp_reader *rd;
    struct gproc *p[PROCS_MAX];
    size_t n;
    uint8_t *buf;
};

static struct gproc *find(struct relay *r, uint32_t chan)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->p[i]->chan == chan)
            return r->p[i];
    return NULL;
}

static void write_stdin(int ctl, struct gproc *g)
{
    if (g->in >= 0 && vmp_out_flush(&g->inq, g->in) < 0) {
        /* the process closed its stdin: what is left is dropped */
        g->inq.len = g->inq.off = 0;
        close_fd(&g->in);
    }
    if (g->in >= 0 && g->in_eof && !vmp_out_pending(&g->inq))
        close_fd(&g->in);
    size_t q = g->in >= 0 ? vmp_out_pending(&g->inq) : 0;
    if (!g->in_held && q > INQ_HOLD) {
        vminit_send(ctl, VMP_INHOLD, g->chan, NULL, 0);
        g->in_held = true;
    } else if (g->in_held && q < INQ_RELEASE) {
        vminit_send(ctl, VMP_INRELEASE, g->chan, NULL, 0);
        g->in_held = false;
    }
}

/* the host's reader of the process's stdout (1) or stderr (2) is gone:
 * the process gets EPIPE, as from a pipe whose reader went; a terminal
 * is hung up */
static void out_gone(struct gproc *g, uint8_t stream)
{
    if (g->tty) {
        close_fd(&g->out);
        close_fd(&g->in);
    } else {
        close_fd(stream == 1 ? &g->out : &g->err);
    }
}

static void exec_frame(struct relay *r, const struct vmp_frame *f)
{
    merr_t err = MERR_INIT;
    struct spec_process p = {0};
    json_t *keep = NULL;
    struct gproc *g = xzalloc(sizeof(*g));
    int r1 = -1;
    if (find(r, f->chan))
        err_set(&err, EEXIST, "exec: channel %u is in use", f->chan);
    else if (r->n >= PROCS_MAX)
        err_set(&err, EAGAIN, "exec: %d processes run already", PROCS_MAX);
    else if (spec_parse_process_json((const char *)f->data, f->len, "exec", &p, &keep, &err) == 0)
        r1 = gproc_start(&p, p.terminal, f->chan, NULL, g, &err);
    if (keep) {
        spec_process_free(&p);
        json_decref(keep);
    }
    if (r1 < 0) {
        const char *m = err.msg ? err.msg : "exec failed";
        vminit_send(r->ctl, VMP_ERROR, f->chan, m, strlen(m));
        vminit_send_exit(r->ctl, f->chan, err.errnum == ENOENT ? 127 : 126, 0);
        err_clear(&err);
        free(g);
        return;
    }
    r->p[r->n++] = g;
}

static void host_frame(struct relay *r, const struct vmp_frame *f)
{
    if (f->type == VMP_EXEC) {
        exec_frame(r, f);
        return;
    }
    struct gproc *g = find(r, f->chan);
    if (!g)
        return; /* a channel that has ended */
    switch (f->type) {
    case VMP_STDIN:
        if (g->in >= 0 && !g->in_eof) {
            vmp_out_raw(&g->inq, f->data, f->len);
            write_stdin(r->ctl, g);
        }
        break;
    case VMP_STDIN_EOF:
        g->in_eof = true;
        write_stdin(r->ctl, g);
        break;
    case VMP_SIGNAL:
        if (!g->exited)
            kill(g->pid, (int)vmp_signal_of(f));
        break;
    case VMP_RESIZE:
        if (g->tty && g->out >= 0) {
            unsigned rows, cols;
            vmp_resize_of(f, &rows, &cols);
            struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
            ioctl(g->out, TIOCSWINSZ, &ws);
        }
        break;
    case VMP_HOLD:
    case VMP_RELEASE:
        g->held = f->type == VMP_HOLD;
        break;
    case VMP_OUTGONE:
        out_gone(g, f->data[0]);
        break;
    default:
        break; /* SPEC again: nothing to do */
    }
}

/* read what a process wrote and send it; false at its end */
static bool pump(struct relay *r, struct gproc *g, int *fd, uint8_t type)
{
    ssize_t n = read(*fd, r->buf, VMP_MAX);
    if (n > 0) {
        vminit_send(r->ctl, type, g->chan, r->buf, (size_t)n);
        return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return false;
    close_fd(fd); /* EOF, or EIO from a pty whose other side is closed */
    return false;
}

static void reap(struct relay *r)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        for (size_t i = 0; i < r->n; i++)
            if (r->p[i]->pid == pid && !r->p[i]->exited) {
                r->p[i]->exited = true;
                r->p[i]->code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
                r->p[i]->signo = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
            }
}

/* a process that has ended: what it wrote is sent, then its exit */
static void finish(struct relay *r, size_t i)
{
    struct gproc *g = r->p[i];
    while (g->out >= 0 && pump(r, g, &g->out, VMP_STDOUT))
        ;
    while (g->err >= 0 && pump(r, g, &g->err, VMP_STDERR))
        ;
    if (g->chan != 0) {
        vminit_send_exit(r->ctl, g->chan, g->code, g->signo);
        gproc_close(g);
        free(g);
        r->p[i] = r->p[--r->n];
    }
}

/* the whole frames read so far */
static bool host_frames(struct relay *r)
{
    struct vmp_frame f;
    merr_t err = MERR_INIT;
    int k;
    while ((k = vmp_reader_next(r->rd, VMP_FROM_HOST, &f, &err)) == 1)
        host_frame(r, &f);
    if (k < 0) {
        vminit_send(r->ctl, VMP_ERROR, 0, err.msg, strlen(err.msg));
        err_clear(&err);
        return false;
    }
    return true;
}

static bool read_host(struct relay *r)
{
    ssize_t n = vmp_reader_fill(r->rd, r->ctl);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return false; /* the host is gone: end as if killed */
    return host_frames(r);
}

int vminit_relay(int ctl, struct vmp_reader *rd, struct gproc *main_proc, int *code, int *signo)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    struct relay r = {ctl, rd, {main_proc}, 1, xmalloc(VMP_MAX)};
    /* what came with the spec (a signal, stdin) */
    bool host = host_frames(&r);
    if (!host)
        kill(main_proc->pid, SIGKILL);
    while (!main_proc->exited) {
        struct pollfd pf[2 + 3 * PROCS_MAX];
        struct {
            struct gproc *g;
            int which;
        } map[2 + 3 * PROCS_MAX];
        size_t np = 0;
        pf[np++] = (struct pollfd){sfd, POLLIN, 0};
        pf[np++] = (struct pollfd){host ? ctl : -1, POLLIN, 0};
        for (size_t i = 0; i < r.n; i++) {
            struct gproc *g = r.p[i];
            /* held, its writes wait (as a container's for a slow reader) */
            int fds[3] = {g->held ? -1 : g->out, g->held ? -1 : g->err,
                          vmp_out_pending(&g->inq) ? g->in : -1};
            for (int k = 0; k < 3; k++) {
                map[np].g = g;
                map[np].which = k;
                pf[np++] = (struct pollfd){fds[k], (short)(k == 2 ? POLLOUT : POLLIN), 0};
            }
        }
        if (poll(pf, np, -1) < 0 && errno != EINTR)
            break;
        if (pf[1].revents && !read_host(&r)) {
            host = false;
            kill(main_proc->pid, SIGKILL);
        }
        for (size_t i = 2; i < np; i++) {
            struct gproc *g = map[i].g;
            if (!pf[i].revents || !find(&r, g->chan))
                continue;
            if (map[i].which == 0 && g->out >= 0)
                pump(&r, g, &g->out, VMP_STDOUT);
            else if (map[i].which == 1 && g->err >= 0)
                pump(&r, g, &g->err, VMP_STDERR);
            else if (map[i].which == 2)
                write_stdin(r.ctl, g);
        }
        if (pf[0].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) > 0)
                ;
            reap(&r);
            for (size_t i = r.n; i > 0; i--)
                if (r.p[i - 1]->exited)
                    finish(&r, i - 1);
        }
    }
    *code = main_proc->code;
    *signo = main_proc->signo;
    for (size_t i = 1; i < r.n; i++) {
        gproc_close(r.p[i]);
        free(r.p[i]);
    }
    close(sfd);
    free(r.buf);
    return 0;
}
