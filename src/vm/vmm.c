/* vmm.c: moat-vmm: start virtiofsd and QEMU, relay, end (see vmm.h). */
#include "vmm.h"
#include "vmm_int.h"

#include "../util/fs.h"
#include "../util/util.h"
#include "../util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* the vm spec is small; a larger one is a mistake */
#define SPEC_MAX (1u << 20)
/* after EXIT, how long the guest has to power off before QEMU is killed:
 * no time, the guest sent EXIT after its sync(), there is nothing left to
 * lose, and the power-off costs tens of milliseconds under TCG */
#define STOP_GRACE_MS 0
/* the status of a supervisor failure (Docker's for its own errors) */
#define VMM_FAIL 125

static int read_spec(int argc, char **argv, char **text, size_t *len, merr_t *err)
{
    int fd = -1;
    const char *what = NULL, *env = getenv(VMM_SPEC_ENV);
    if (argc == 1 && env) { /* the runtime's vm handler (its environment is its own) */
        *len = strlen(env);
        if (*len > SPEC_MAX)
            return err_set(err, EINVAL, "vm spec (%s): longer than %d bytes", VMM_SPEC_ENV,
                           SPEC_MAX);
        *text = xstrdup(env);
        unsetenv(VMM_SPEC_ENV);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--spec-fd") == 0) {
        uint64_t n;
        if (parse_u64(argv[2], &n) < 0 || n < 3 || n > 65535)
            return err_set(err, EINVAL, "--spec-fd %s: not an fd", argv[2]);
        fd = (int)n;
        what = "--spec-fd";
    } else if (argc == 2 && argv[1][0] != '-') {
        fd = open(argv[1], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            return err_sys(err, "vm spec \"%s\"", argv[1]);
        what = argv[1];
    } else {
        return err_set(err, 0, "usage: %s SPEC.json | --spec-fd N (or %s in the environment)",
                       VMM_NAME, VMM_SPEC_ENV);
    }
    fcntl(fd, F_SETFL, 0);
    struct sbuf b = {0};
    char buf[8192];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0 && b.len + (size_t)n <= SPEC_MAX)
        sbuf_add(&b, buf, (size_t)n);
    int e = errno;
    close(fd);
    if (n != 0) {
        free(b.buf);
        return n < 0 ? err_set(err, e, "vm spec %s: read", what)
                     : err_set(err, EFBIG, "vm spec %s: larger than %u bytes", what, SPEC_MAX);
    }
    *len = b.len;
    *text = b.buf ? sbuf_steal(&b) : xstrdup("");
    return 0;
}

static int pidfd_of(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* virtiofsd listens on a socket that QEMU is connected to already: the
 * path exists only between bind and connect */
static int vfs_sockets(const struct vm_spec *s, int *listen_fd, int *client, merr_t *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char *path = xasprintf("%s/vfs-%d.sock", s->run_dir, (int)getpid());
    int r = -1;
    *listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    *client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (strlen(path) >= sizeof(sa.sun_path)) {
        err_set(err, ENAMETOOLONG, "run_dir \"%s\": path too long", s->run_dir);
        goto out;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    mode_t old = umask(0177);
    int b =
        *listen_fd < 0 || *client < 0 ? -1 : bind(*listen_fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (b < 0 || listen(*listen_fd, 1) < 0 ||
        connect(*client, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        err_sys(err, "virtiofs socket %s", path);
        goto out;
    }
    r = 0;
out:
    unlink(path);
    free(path);
    return r;
}

static int start(struct vmm *m, merr_t *err)
{
    const struct vm_spec *s = m->s;
    int ctl[2] = {-1, -1}, con[2] = {-1, -1}, logp[2] = {-1, -1}, vl = -1, vc = -1, r = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, con) < 0 || pipe2(logp, O_CLOEXEC) < 0) {
        err_sys(err, "socketpair");
        goto out;
    }
    if (vfs_sockets(s, &vl, &vc, err) < 0)
        goto out;
    char **va = vmm_virtiofsd_argv(s), **qa = vmm_qemu_argv(s);
    int qfds[3] = {ctl[1], con[1], vc};
    if (vmm_spawn(va, &vl, 1, logp[1], VMM_ALL_CAPS, &m->vfsd, err) == 0 &&
        (m->vfsd_fd = pidfd_of(m->vfsd)) >= 0 &&
        /* QEMU: only to listen on the container's low ports (forwards) */
        vmm_spawn(qa, qfds, 3, logp[1], 1ULL << CAP_NET_BIND_SERVICE, &m->qemu, err) == 0 &&
        (m->qemu_fd = pidfd_of(m->qemu)) >= 0)
        r = 0;
    else if (!err->msg)
        err_sys(err, "pidfd_open");
    strv_free(va);
    strv_free(qa);
    m->ctl = ctl[0];
    m->con = con[0];
    m->log = logp[0];
    ctl[0] = con[0] = logp[0] = -1;
    fcntl(m->ctl, F_SETFL, O_NONBLOCK);
    fcntl(m->con, F_SETFL, O_NONBLOCK);
    fcntl(m->log, F_SETFL, O_NONBLOCK);
out:
    for (int i = 0; i < 2; i++) {
        close_fd(&ctl[i]);
        close_fd(&con[i]);
        close_fd(&logp[i]);
    }
    close_fd(&vl);
    close_fd(&vc);
    return r;
}

/* wait for a child up to ms, then kill it; reap it */
static void stop_child(pid_t *pid, int *pidfd, int ms)
{
    if (*pid <= 0) {
        close_fd(pidfd);
        return;
    }
    struct pollfd p = {*pidfd, POLLIN, 0};
    if (*pidfd < 0 || poll(&p, 1, ms) <= 0)
        kill(*pid, SIGKILL);
    while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
        ;
    *pid = -1;
    close_fd(pidfd);
}

static void print_tail(const char *what, const struct tail *t)
{
    if (!t->len)
        return;
    struct sbuf b = {0};
    vmp_text_clean(&b, t->buf, t->len, TAIL_MAX);
    fprintf(stderr, "%s: %s, last lines:\n%s%s", VMM_NAME, what, b.buf,
            b.buf[b.len - 1] == '\n' ? "" : "\n");
    free(b.buf);
}

static void finish(struct vmm *m, bool failed, const char *msg)
{
    stop_child(&m->qemu, &m->qemu_fd, failed ? 0 : STOP_GRACE_MS);
    stop_child(&m->vfsd, &m->vfsd_fd, failed ? 0 : STOP_GRACE_MS);
    if (failed) {
        /* what was still on its way */
        struct pollfd p[2] = {{m->con, POLLIN, 0}, {m->log, POLLIN, 0}};
        uint8_t buf[4096];
        for (int i = 0; i < 2; i++)
            while (p[i].fd >= 0 && poll(&p[i], 1, 0) > 0) {
                ssize_t n = read(p[i].fd, buf, sizeof(buf));
                if (n <= 0)
                    break;
                tail_add(i ? &m->log_tail : &m->con_tail, buf, (size_t)n);
            }
        fprintf(stderr, "%s: %s\n", VMM_NAME, msg);
        print_tail("the guest's console", &m->con_tail);
        print_tail("QEMU and virtiofsd", &m->log_tail);
    }
    vmm_exec_end_all(m, failed ? VMM_FAIL : 137,
                     failed ? "the VM failed" : "the container's process ended");
    close_fd(&m->ctl);
    close_fd(&m->con);
    close_fd(&m->log);
    close_fd(&m->sfd);
}

/* With a terminal, the guest's pty is the one that echoes and edits: the
 * supervisor's own (the runtime's console, a user's terminal) passes
 * bytes through unchanged. Restored at the end. */
static int raw_fd = -1;
static struct termios raw_saved;

static void tty_raw(void)
{
    for (int fd = 0; fd < 2 && raw_fd < 0; fd++) {
        struct termios t;
        if (!isatty(fd) || tcgetattr(fd, &raw_saved) < 0)
            continue;
        t = raw_saved;
        cfmakeraw(&t);
        if (tcsetattr(fd, TCSANOW, &t) == 0)
            raw_fd = fd;
    }
}

static void tty_restore(void)
{
    if (raw_fd >= 0)
        tcsetattr(raw_fd, TCSANOW, &raw_saved);
    raw_fd = -1;
}

static int run(struct vmm *m, merr_t *err)
{
    sigset_t all;
    sigfillset(&all);
    int sync_sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT};
    for (size_t i = 0; i < ARRAY_SIZE(sync_sigs); i++)
        sigdelset(&all, sync_sigs[i]);
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_BLOCK, &all, NULL);
    m->sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
    if (m->sfd < 0)
        return err_sys(err, "signalfd");
    if (mkdir(m->s->run_dir, 0700) < 0 && errno != EEXIST)
        return err_sys(err, "run_dir \"%s\"", m->s->run_dir);
    if (vmm_exec_listen(m, err) < 0)
        return -1;
    if (m->s->terminal)
        tty_raw();
    m->deadline = clock_mono_ms() + m->s->boot_timeout_ms;
    if (start(m, err) < 0)
        return -1;
    vmp_put(&m->out, VMP_SPEC, 0, m->s->guest, m->s->guest_len);
    return vmm_relay(m, err);
}

int vmm_main(int argc, char **argv)
{
    /* stdio must be open: fds 0-2 are never handed out by accident */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
            return VMM_FAIL;
    merr_t err = MERR_INIT;
    char *text = NULL;
    size_t len = 0;
    struct vm_spec s;
    if (read_spec(argc, argv, &text, &len, &err) < 0 ||
        vm_spec_parse(text, len, "vm spec", &s, &err) < 0) {
        fprintf(stderr, "%s: %s\n", VMM_NAME, err.msg);
        err_clear(&err);
        free(text);
        return VMM_FAIL;
    }
    free(text);
    /* nothing inherited reaches QEMU or virtiofsd (vmm_spawn closes the
     * rest too) */
    syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    /* QEMU runs as the same uid: one that a guest took over does not get
     * to ptrace the supervisor or open its /proc files (exec_socket's fd,
     * the terminal) */
    prctl(PR_SET_DUMPABLE, 0);
    struct vmm m = {.s = &s,
                    .ctl = -1,
                    .con = -1,
                    .log = -1,
                    .sfd = -1,
                    .exec_listen = -1,
                    .qemu = -1,
                    .vfsd = -1,
                    .qemu_fd = -1,
                    .vfsd_fd = -1,
                    .stdin_open = true,
                    .status = -1,
                    .next_chan = 1};
    vmp_reader_init(&m.rd);
    vmm_sink_init(&m.sink[0], 1);
    vmm_sink_init(&m.sink[1], 2);
    int r = run(&m, &err);
    if (r < 0) /* the messages that follow are lines */
        tty_restore();
    finish(&m, r < 0, err.msg);
    /* with the VM gone: what the process wrote, all of it, before its
     * status (a failed VM's is dropped) */
    for (int i = 0; i < 2; i++) {
        if (r == 0)
            vmm_sink_finish(&m.sink[i]);
        vmm_sink_free(&m.sink[i]);
    }
    tty_restore();
    if (r == 0 && m.guest_err)
        fprintf(stderr, "%s: %s\n", VMM_NAME, m.guest_err);
    int status = r < 0 ? VMM_FAIL : m.status;
    free(m.guest_err);
    vmp_reader_free(&m.rd);
    vmp_out_free(&m.out);
    vm_spec_free(&s);
    err_clear(&err);
    return status;
}
