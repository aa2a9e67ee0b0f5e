#include "hooks.h"
#include "../util/fs.h"
#include "../util/util.h"
#include "../util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define HOOK_OUTPUT_MAX 4096

int hook_run(const struct spec_hook *h, const char *what, const char *state_json, merr_t *err)
{
    int in = memfd_create("moat-hook-state", MFD_CLOEXEC);
    if (in < 0)
        return err_sys(err, "%s: memfd_create", what);
    if (write_all(in, state_json, strlen(state_json)) < 0 || lseek(in, 0, SEEK_SET) < 0) {
        close(in);
        return err_sys(err, "%s: write state", what);
    }
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(in);
        return err_sys(err, "%s: pipe", what);
    }
    char *fallback_argv[] = {(char *)h->path, NULL};
    pid_t pid = fork();
    if (pid < 0) {
        close(in);
        close(out[0]);
        close(out[1]);
        return err_sys(err, "%s: fork", what);
    }
    if (pid == 0) {
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        if (dup2(in, 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
            _exit(126);
        syscall(SYS_close_range, 3, ~0U, 0);
        execve(h->path, h->args && h->args[0] ? h->args : fallback_argv, h->env ? h->env : environ);
        dprintf(2, "exec %s: %s", h->path, strerror(errno));
        _exit(127);
    }
    close(in);
    close(out[1]);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    char buf[HOOK_OUTPUT_MAX + 1];
    size_t got = 0;
    bool timed_out = false, out_open = true;
    long deadline = h->timeout.has ? clock_mono_ms() + (long)h->timeout.v * 1000 : -1;
    for (;;) {
        struct pollfd p[2] = {{out[0], out_open ? POLLIN : 0, 0}, {pidfd, POLLIN, 0}};
        int timeout = -1;
        if (deadline >= 0) {
            long left = deadline - clock_mono_ms();
            if (left <= 0) {
                timed_out = true;
                break;
            }
            timeout = (int)left;
        }
        int n = poll(p, pidfd >= 0 ? 2 : 1, timeout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0) {
            timed_out = true;
            break;
        }
        if (n < 0)
            break;
        if (p[0].revents) {
            char tmp[1024];
            ssize_t r = read(out[0], tmp, sizeof(tmp));
            if (r <= 0) {
                out_open = false;
                if (pidfd < 0)
                    break;
            } else if (got < HOOK_OUTPUT_MAX) {
                size_t k = (size_t)r < HOOK_OUTPUT_MAX - got ? (size_t)r : HOOK_OUTPUT_MAX - got;
                memcpy(buf + got, tmp, k);
                got += k;
            }
        }
        if (pidfd >= 0 && (p[1].revents & POLLIN) && !out_open)
            break;
        if (pidfd >= 0 && (p[1].revents & POLLIN) && out_open) {
            /* exited: drain without blocking (a grandchild may hold the pipe) */
            fcntl(out[0], F_SETFL, O_NONBLOCK);
            ssize_t r;
            char tmp[1024];
            while ((r = read(out[0], tmp, sizeof(tmp))) > 0 && got < HOOK_OUTPUT_MAX) {
                size_t k = (size_t)r < HOOK_OUTPUT_MAX - got ? (size_t)r : HOOK_OUTPUT_MAX - got;
                memcpy(buf + got, tmp, k);
                got += k;
            }
            break;
        }
    }
    if (timed_out)
        kill(pid, SIGKILL);
    close(out[0]);
    if (pidfd >= 0)
        close(pidfd);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    buf[got] = 0;
    while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
        buf[--got] = 0;
    if (timed_out)
        return err_set(err, 0, "%s (%s): timed out after %d seconds", what, h->path, h->timeout.v);
    if (WIFSIGNALED(st))
        return err_set(err, 0, "%s (%s): killed by signal %d%s%s", what, h->path, WTERMSIG(st),
                       got ? ": " : "", buf);
    if (WEXITSTATUS(st) != 0)
        return err_set(err, 0, "%s (%s): exit status %d%s%s", what, h->path, WEXITSTATUS(st),
                       got ? ": " : "", buf);
    return 0;
}
