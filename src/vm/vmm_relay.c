/* vmm_relay.c: the supervisor's loop: boot deadline, guest frames, stdio,
 * signals (see vmm.h). Every frame from the guest is checked by
 * vmp_parse; a frame that breaks the protocol ends the VM. */
#include "vmm_int.h"

#include "../util/fs.h"
#include "../util/util.h"
#include "../util/clock.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* stop reading stdin (and exec clients' stdin) while this much waits for
 * the guest */
#define OUT_MAX (1u << 20)
#define CLIENT_POLL_MAX 128

/* the relay's fds in poll order */
enum { P_SIG, P_CTL, P_CON, P_LOG, P_QEMU, P_VFSD, P_STDIN, P_EXEC, P_OUT, P_ERR, P_N };

static void send_size(struct vmm *m)
{
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0 || ioctl(1, TIOCGWINSZ, &ws) == 0)
        vmp_put_resize(&m->out, 0, ws.ws_row, ws.ws_col);
}

/* keep the last bytes of a stream; closed at its end */
static void drain(int *fd, struct tail *t)
{
    uint8_t buf[4096];
    ssize_t n;
    while ((n = read(*fd, buf, sizeof(buf))) > 0)
        tail_add(t, buf, (size_t)n);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        close_fd(fd);
}

static size_t main_pending(const struct vmm *m)
{
    return vmp_out_pending(&m->sink[0].q) + vmp_out_pending(&m->sink[1].q);
}

/* hold or release channel 0; tell the guest of a reader gone */
static void main_flow(struct vmm *m)
{
    vmm_flow(m, 0, &m->held, main_pending(m));
    vmm_sink_tell(m, 0, &m->sink[0], 1);
    vmm_sink_tell(m, 0, &m->sink[1], 2);
}

static int guest_frame(struct vmm *m, const struct vmp_frame *f, merr_t *err)
{
    if (f->chan != 0) {
        int h = vmm_exec_frame(m, f);
        if (h < 0)
            return err_set(err, EPROTO,
                           "the guest sent a %s frame on channel %u past its end or hold",
                           vmp_type_name(f->type), f->chan);
        if (h > 0)
            return 0;
        if (f->chan >= m->next_chan)
            return err_set(err, EPROTO, "the guest sent a %s frame on channel %u, never opened",
                           vmp_type_name(f->type), f->chan);
        return 0; /* a channel the host has closed */
    }
    switch (f->type) {
    case VMP_READY:
        if (!m->ready && m->s->terminal)
            send_size(m);
        m->ready = true;
        break;
    case VMP_STDOUT:
    case VMP_STDERR:
        if (vmm_sink_add(&m->sink[f->type == VMP_STDERR], f->data, f->len) < 0)
            return err_set(err, EPROTO, "the guest's process wrote on after it was held");
        main_flow(m);
        break;
    case VMP_INHOLD:
    case VMP_INRELEASE:
        m->in_held = f->type == VMP_INHOLD;
        break;
    case VMP_EXIT:
        m->status = vmp_exit_status(f);
        break;
    case VMP_ERROR: {
        struct sbuf b = {0};
        vmp_text_clean(&b, f->data, f->len, 1024);
        free(m->guest_err);
        m->guest_err = sbuf_steal(&b);
        break;
    }
    default:
        break;
    }
    return 0;
}

static int read_guest(struct vmm *m, merr_t *err)
{
    ssize_t n = vmp_reader_fill(&m->rd, m->ctl);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n <= 0)
        return 1; /* QEMU closed the channel: it is ending */
    struct vmp_frame f;
    int k;
    while (m->status < 0 && (k = vmp_reader_next(&m->rd, VMP_FROM_GUEST, &f, err)) != 0) {
        if (k < 0 || guest_frame(m, &f, err) < 0)
            return err_wrap(err, "the VM broke the control protocol");
    }
    return 0;
}

/* as the sandbox's pid 1, orphans are the supervisor's to reap; QEMU and
 * virtiofsd are left to their pidfds */
static void reap_others(struct vmm *m)
{
    siginfo_t si;
    for (;;) {
        si.si_pid = 0;
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
            return;
        if (si.si_pid == m->qemu || si.si_pid == m->vfsd)
            return;
        waitpid(si.si_pid, NULL, WNOHANG);
    }
}

static void on_signal(struct vmm *m)
{
    struct signalfd_siginfo si;
    while (read(m->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        int s = (int)si.ssi_signo;
        if (s == SIGCHLD)
            reap_others(m);
        if (s == SIGCHLD || s == SIGPIPE)
            continue;
        if (s == SIGWINCH && m->s->terminal)
            send_size(m);
        else
            vmp_put_signal(&m->out, 0, s);
    }
}

static void read_stdin(struct vmm *m, uint8_t *buf)
{
    ssize_t n = read(0, buf, VMP_MAX);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0) {
        vmp_put(&m->out, VMP_STDIN, 0, buf, (size_t)n);
        return;
    }
    vmp_put(&m->out, VMP_STDIN_EOF, 0, NULL, 0);
    m->stdin_open = false;
}

/* a child's end: its status as words, and reaped */
static char *child_end(pid_t *pid, int pidfd, int wait_ms)
{
    struct pollfd p = {pidfd, POLLIN, 0};
    int st;
    if (*pid <= 0 || poll(&p, 1, wait_ms) <= 0 || waitpid(*pid, &st, WNOHANG) != *pid)
        return NULL;
    *pid = -1;
    if (WIFSIGNALED(st))
        return xasprintf("was killed by signal %d", WTERMSIG(st));
    return xasprintf("exited with status %d", WEXITSTATUS(st));
}

/* QEMU or virtiofsd ended, or the channel closed, before EXIT: say which
 * (the other follows soon) */
static int fail_ended(struct vmm *m, bool vfsd_first, merr_t *err)
{
    if (m->guest_err)
        return err_set(err, 0, "the VM stopped: %s", m->guest_err);
    char *v = vfsd_first ? child_end(&m->vfsd, m->vfsd_fd, 0) : NULL;
    if (v && !strcmp(v, "exited with status 0")) { /* QEMU went first: it ends with it */
        free(v);
        v = NULL;
    }
    char *q = v ? NULL : child_end(&m->qemu, m->qemu_fd, 1000);
    if (!v && !q)
        v = child_end(&m->vfsd, m->vfsd_fd, 0);
    if (v)
        err_set(err, 0, "virtiofsd %s before the container's process ended", v);
    else if (q)
        err_set(err, 0, "QEMU %s before the container's process ended", q);
    else
        err_set(err, 0, "QEMU closed the control channel before the container's process ended");
    free(q);
    free(v);
    return -1;
}

static int events(struct vmm *m, struct pollfd *pf, size_t n, uint8_t *buf, merr_t *err)
{
    /* which one ended first: virtiofsd alone is its failure, not QEMU's */
    bool vfsd_first = pf[P_VFSD].revents && !pf[P_QEMU].revents;
    if (pf[P_CON].revents)
        drain(&m->con, &m->con_tail);
    if (pf[P_LOG].revents)
        drain(&m->log, &m->log_tail);
    if (pf[P_SIG].revents)
        on_signal(m);
    for (int i = 0; i < 2; i++)
        if (pf[P_OUT + i].revents)
            vmm_sink_flush(&m->sink[i]);
    main_flow(m);
    if ((pf[P_CTL].revents & POLLOUT) && vmp_out_flush(&m->out, m->ctl) < 0)
        return fail_ended(m, vfsd_first, err);
    if (pf[P_CTL].revents & (POLLIN | POLLHUP | POLLERR)) {
        int r = read_guest(m, err);
        if (r < 0)
            return -1;
        if (r == 1 && m->status < 0)
            return fail_ended(m, vfsd_first, err);
    }
    if (m->status >= 0)
        return 0;
    if (pf[P_QEMU].revents || pf[P_VFSD].revents)
        return fail_ended(m, vfsd_first, err);
    if (pf[P_STDIN].revents)
        read_stdin(m, buf);
    vmm_exec_events(m, pf + P_N, n - P_N);
    /* after the clients' events: a new client may get a closed one's fd */
    if (pf[P_EXEC].revents)
        vmm_exec_accept(m);
    return 0;
}

static int boot_timeout(struct vmm *m, merr_t *err)
{
    return err_set(err, 0,
                   "the VM did not boot within %u ms (boot_timeout_ms; %s, %u MiB, kernel %s)",
                   m->s->boot_timeout_ms, m->s->accel, m->s->memory_mib, m->s->kernel);
}

int vmm_relay(struct vmm *m, merr_t *err)
{
    uint8_t *buf = xmalloc(VMP_MAX);
    int r = 0;
    while (m->status < 0 && r == 0) {
        int64_t left = m->deadline - clock_mono_ms();
        if (!m->ready && left <= 0) {
            r = boot_timeout(m, err);
            break;
        }
        bool room = vmp_out_pending(&m->out) < OUT_MAX;
        struct pollfd pf[P_N + CLIENT_POLL_MAX];
        pf[P_SIG] = (struct pollfd){m->sfd, POLLIN, 0};
        pf[P_CTL] =
            (struct pollfd){m->ctl, (short)(POLLIN | (vmp_out_pending(&m->out) ? POLLOUT : 0)), 0};
        pf[P_CON] = (struct pollfd){m->con, POLLIN, 0};
        pf[P_LOG] = (struct pollfd){m->log, POLLIN, 0};
        pf[P_QEMU] = (struct pollfd){m->qemu_fd, POLLIN, 0};
        pf[P_VFSD] = (struct pollfd){m->vfsd_fd, POLLIN, 0};
        pf[P_STDIN] =
            (struct pollfd){m->ready && m->stdin_open && room && !m->in_held ? 0 : -1, POLLIN, 0};
        pf[P_EXEC] = (struct pollfd){m->ready ? m->exec_listen : -1, POLLIN, 0};
        for (int i = 0; i < 2; i++) /* only while bytes wait: a closed reader's POLLERR stays */
            pf[P_OUT + i] =
                (struct pollfd){vmm_sink_events(&m->sink[i]) ? m->sink[i].fd : -1, POLLOUT, 0};
        size_t n = P_N + vmm_exec_pollfds(m, pf + P_N, CLIENT_POLL_MAX, room);
        int k = poll(pf, n, m->ready ? -1 : (int)(left > 1000 ? 1000 : left));
        if (k < 0 && errno != EINTR) {
            r = err_sys(err, "poll");
            break;
        }
        if (k > 0)
            r = events(m, pf, n, buf, err);
    }
    free(buf);
    return r;
}
