/* vmm_spawn.c: starting QEMU and virtiofsd with nothing of the
 * supervisor's but the fds they are given (see vmm_int.h). */
#include "vmm_int.h"

#include "../kernel/caps.h"
#include "../util/fs.h"
#include "../util/util.h"
#include "../util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void tail_add(struct tail *t, const uint8_t *p, size_t n)
{
    if (n >= TAIL_MAX) {
        memcpy(t->buf, p + n - TAIL_MAX, TAIL_MAX);
        t->len = TAIL_MAX;
        return;
    }
    if (t->len + n > TAIL_MAX) {
        size_t drop = t->len + n - TAIL_MAX;
        memmove(t->buf, t->buf + drop, t->len - drop);
        t->len -= drop;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
}

static __attribute__((noreturn)) void child(char **argv, const int *fds, size_t nfds, int logfd,
                                            int nullfd, int rep, pid_t parent, uint64_t caps)
{
    static char *const empty_env[] = {NULL};
    sigset_t none;
    sigemptyset(&none);
    /* what the supervisor ignores, the programs get back */
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int e = 0;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        _exit(126);
    merr_t ce = MERR_INIT;
    if (caps != VMM_ALL_CAPS && caps_apply_bounding(caps, &ce) < 0) {
        e = ce.errnum ? ce.errnum : EPERM;
        err_clear(&ce);
        (void)write_all(rep, &e, sizeof(e));
        _exit(127);
    }
    /* a session of its own: a signal to the supervisor's process group
     * (a terminal's ^C, timeout(1)) is the supervisor's to forward, and
     * no terminal of the supervisor's is theirs */
    if (setsid() < 0)
        goto fail;
    /* above every target first, so no dup2 overwrites a source */
    int hi[8];
    for (size_t i = 0; i < nfds; i++)
        if ((hi[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + (int)nfds + 8)) < 0)
            goto fail;
    if (dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
        goto fail;
    for (size_t i = 0; i < nfds; i++)
        if (dup2(hi[i], 3 + (int)i) < 0)
            goto fail;
    /* the report pipe stays (close-on-exec) until the exec */
    if (rep > 3 + (int)nfds && close_range(3 + (unsigned)nfds, (unsigned)rep - 1, 0) < 0)
        goto fail;
    if (close_range((unsigned)rep + 1, ~0U, 0) < 0)
        goto fail;
    execve(argv[0], argv, empty_env);
fail:
    e = errno;
    (void)write_all(rep, &e, sizeof(e));
    _exit(127);
}

int vmm_spawn(char **argv, const int *fds, size_t nfds, int logfd, uint64_t caps, pid_t *pid,
              merr_t *err)
{
    if (nfds > 8)
        return err_set(err, EINVAL, "%s: too many fds", argv[0]);
    cleanup_close int nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nullfd < 0)
        return err_sys(err, "open /dev/null");
    int rep[2];
    /* the report pipe's write end above every fd the child keeps */
    if (pipe2(rep, O_CLOEXEC) < 0)
        return err_sys(err, "pipe");
    int w = fcntl(rep[1], F_DUPFD_CLOEXEC, 3 + (int)nfds + 16);
    close(rep[1]);
    if (w < 0) {
        close(rep[0]);
        return err_sys(err, "pipe");
    }
    pid_t parent = getpid();
    pid_t p = fork();
    if (p == 0)
        child(argv, fds, nfds, logfd, nullfd, w, parent, caps);
    close(w);
    if (p < 0) {
        close(rep[0]);
        return err_sys(err, "fork");
    }
    int e = 0;
    ssize_t n = read_all(rep[0], &e, sizeof(e));
    close(rep[0]);
    if (n > 0) {
        waitpid(p, NULL, 0);
        return err_set(err, e, "start %s", argv[0]);
    }
    *pid = p;
    return 0;
}
