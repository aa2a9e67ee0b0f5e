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
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
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

static void copy_once(int from, int to, bool *open_)
{
    char buf[8192];
    ssize_t n = read(from, buf, sizeof(buf));
    if (n <= 0)
        *open_ = false;
    else
        (void)write_all(to, buf, (size_t)n);
}

int run_wait(struct container *c, int *exit_code, merr_t *err)
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
    bool in_open = master >= 0, out_open = master >= 0, done = false;
    int st = 0;
    while (!done || out_open) {
        struct pollfd p[3] = {
            {sfd, POLLIN, 0}, {master, out_open ? POLLIN : 0, 0}, {0, in_open ? POLLIN : 0, 0}};
        int n = poll(p, master >= 0 ? 3 : 1, done ? 100 : -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (done)
                break; /* drained */
            continue;
        }
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGCHLD) {
                    pid_t w;
                    int s2;
                    while ((w = waitpid(-1, &s2, WNOHANG)) > 0)
                        if (w == c->host_pid) {
                            st = s2;
                            done = true;
                        }
                } else if (si.ssi_signo == SIGWINCH && master >= 0) {
                    struct winsize ws;
                    if (ioctl(0, TIOCGWINSZ, &ws) == 0)
                        ioctl(master, TIOCSWINSZ, &ws);
                } else if (!done) {
                    kill(c->host_pid, (int)si.ssi_signo);
                }
            }
        }
        if (master >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
            copy_once(master, 1, &out_open);
        if (master >= 0 && (p[2].revents & (POLLIN | POLLHUP)))
            copy_once(0, master, &in_open);
        if (master < 0 && done)
            break;
    }
    if (raw)
        tcsetattr(0, TCSANOW, &saved);
    if (master >= 0)
        close(master);
    close(sfd);
    *exit_code = status_code(st);
    c->host_pid = -1;
    return 0;
}
