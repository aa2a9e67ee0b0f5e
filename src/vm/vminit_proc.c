/* vminit_proc.c: start a process of the guest as an OCI process object
 * says (see vminit.h). */
#include "vminit_int.h"

#include "../kernel/caps.h"
#include "../kernel/process.h"
#include "../kernel/seccomp.h"
#include "../kernel/terminal.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* the container's seccomp filter, compiled by the host (see vminit.c):
 * every process of the guest's container gets it, as exec's do */
static struct seccomp_prog filter;

void gproc_set_seccomp(struct sock_filter *insns, unsigned short len, unsigned flags)
{
    filter = (struct seccomp_prog){.filter = insns, .len = len, .flags = flags};
}

/* in the child: tell the parent why it failed (errno, then the text) */
static __attribute__((noreturn)) void child_fail(int rep, merr_t *err)
{
    int e = err->errnum;
    const char *m = err->msg ? err->msg : "failed";
    if (write_all(rep, &e, sizeof(e)) == 0)
        (void)write_all(rep, m, strlen(m));
    _exit(e == ENOENT ? 127 : 126);
}

static int child_identity(const struct spec_process *p, merr_t *err)
{
    const struct spec_caps *sc = &p->caps;
    if (caps_apply_bounding(p->has_caps && sc->has[CAPSET_BOUNDING] ? sc->set[CAPSET_BOUNDING] : 0,
                            err) < 0)
        return err_wrap(err, "process.capabilities.bounding");
    if (prctl(PR_SET_KEEPCAPS, 1) < 0)
        return err_sys(err, "keep capabilities");
    if (setgroups(p->user.ngids, p->user.gids) < 0)
        return err_sys(err, "process.user.additionalGids: setgroups");
    if (setresgid(p->user.gid, p->user.gid, p->user.gid) < 0)
        return err_sys(err, "process.user.gid: setgid %u", p->user.gid);
    if (setresuid(p->user.uid, p->user.uid, p->user.uid) < 0)
        return err_sys(err, "process.user.uid: setuid %u", p->user.uid);
    if (prctl(PR_SET_KEEPCAPS, 0) < 0)
        return err_sys(err, "clear keepcaps");
    struct cap_state cs = {0};
    if (p->has_caps) {
        cs.effective = sc->set[CAPSET_EFFECTIVE];
        cs.permitted = sc->set[CAPSET_PERMITTED];
        cs.inheritable = sc->set[CAPSET_INHERITABLE];
        cs.ambient = sc->set[CAPSET_AMBIENT];
    }
    if (caps_apply_sets(&cs, err) < 0)
        return err_wrap(err, "process.capabilities");
    return 0;
}

static __attribute__((noreturn)) void child(const struct spec_process *p, bool tty,
                                            const struct gprep *prep, const int fds[3], int rep)
{
    merr_t err = MERR_INIT;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (prep && prep->fn(prep->ctx, &err) < 0)
        child_fail(rep, &err);
    if (setsid() < 0) {
        err_sys(&err, "setsid");
        child_fail(rep, &err);
    }
    if (tty && ioctl(fds[0], TIOCSCTTY, 0) < 0) {
        err_sys(&err, "set the controlling terminal");
        child_fail(rep, &err);
    }
    for (int i = 0; i < 3; i++)
        if (dup2(fds[i], i) < 0) {
            err_sys(&err, "stdio");
            child_fail(rep, &err);
        }
    if (p->cwd && chdir(p->cwd) < 0) {
        err_sys(&err, "process.cwd: chdir \"%s\"", p->cwd);
        child_fail(rep, &err);
    }
    umask(p->user.umask.has ? p->user.umask.v : 022);
    if (proc_set_rlimits(p->rlimits, p->nrlimits, &err) < 0)
        child_fail(rep, &err);
    /* as the runtime: without no_new_privs the filter is loaded while
     * still privileged, with it as late as possible */
    if (!p->no_new_privileges && filter.len && seccomp_install(&filter, &err) < 0)
        child_fail(rep, &err);
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        err_sys(&err, "no_new_privs");
        child_fail(rep, &err);
    }
    if (child_identity(p, &err) < 0)
        child_fail(rep, &err);
    environ = p->env;
    if (p->no_new_privileges && filter.len && seccomp_install(&filter, &err) < 0)
        child_fail(rep, &err);
    execvp(p->args[0], p->args);
    err_sys(&err, "exec \"%s\"", p->args[0]);
    child_fail(rep, &err);
}

static int make_stdio(const struct spec_process *p, bool tty, int mine[3], int theirs[3],
                      merr_t *err)
{
    if (tty) {
        int m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
            m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
            return err_sys(err, "open /dev/ptmx");
        int s;
        if (term_open_pair(m, &s, err) < 0) {
            close(m);
            return -1;
        }
        if (p->console_size.has)
            term_set_size(m, p->console_size.v.height, p->console_size.v.width);
        mine[0] = fcntl(m, F_DUPFD_CLOEXEC, 3);
        mine[1] = m;
        mine[2] = -1;
        theirs[0] = theirs[1] = theirs[2] = s;
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        int pp[2];
        if (pipe2(pp, O_CLOEXEC) < 0)
            return err_sys(err, "pipe");
        mine[i] = i == 0 ? pp[1] : pp[0];
        theirs[i] = i == 0 ? pp[0] : pp[1];
    }
    return 0;
}

static void close3(int f[3])
{
    for (int i = 0; i < 3; i++)
        if (f[i] >= 0 && (i == 0 || f[i] != f[i - 1]))
            close(f[i]);
    f[0] = f[1] = f[2] = -1;
}

/* wait for the child's exec: 0, or -1 with what it wrote */
static int wait_exec(int rep, pid_t pid, merr_t *err)
{
    int e = 0;
    ssize_t n = read_all(rep, &e, sizeof(e));
    if (n <= 0)
        return 0; /* closed on exec */
    char msg[512];
    ssize_t m = read_all(rep, msg, sizeof(msg) - 1);
    msg[m > 0 ? m : 0] = '\0';
    waitpid(pid, NULL, 0);
    err_set(err, 0, "%s", msg[0] ? msg : "start the process");
    err->errnum = e; /* the text has its strerror already */
    return -1;
}

int gproc_start(const struct spec_process *p, bool terminal, uint32_t chan,
                const struct gprep *prep, struct gproc *g, merr_t *err)
{
    int mine[3] = {-1, -1, -1}, theirs[3] = {-1, -1, -1}, rep[2];
    *g = (struct gproc){.chan = chan, .in = -1, .out = -1, .err = -1, .tty = terminal};
    if (!p->args || !p->args[0])
        return err_set(err, EINVAL, "process.args: empty");
    if (make_stdio(p, terminal, mine, theirs, err) < 0) {
        close3(mine);
        close3(theirs);
        return -1;
    }
    if (pipe2(rep, O_CLOEXEC) < 0) {
        close3(mine);
        close3(theirs);
        return err_sys(err, "pipe");
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(rep[0]);
        child(p, terminal, prep, theirs, rep[1]);
    }
    close(rep[1]);
    close3(theirs);
    int r = pid < 0 ? err_sys(err, "fork") : wait_exec(rep[0], pid, err);
    close(rep[0]);
    if (r < 0) {
        close3(mine);
        return -1;
    }
    for (int i = 0; i < 3; i++)
        if (mine[i] >= 0)
            fcntl(mine[i], F_SETFL, O_NONBLOCK);
    g->pid = pid;
    g->in = mine[0];
    g->out = mine[1];
    g->err = mine[2];
    return 0;
}

void gproc_close(struct gproc *g)
{
    close_fd(&g->in);
    close_fd(&g->out);
    close_fd(&g->err);
    vmp_out_free(&g->inq);
}
