/* net_run.c: one request to moat-net (see net_run.h). */
#include "net_run.h"
#include "helper_exe.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct child {
    int exe, in, ns, out, errf;
    pid_t parent;
    char **argv, **envp;
};

/* between fork and exec: 0 the request, 1 and 2 memfds, 3 the netns */
static void child(const struct child *c)
{
    int exe = fcntl(c->exe, F_DUPFD_CLOEXEC, 10), in = fcntl(c->in, F_DUPFD_CLOEXEC, 10);
    int out = fcntl(c->out, F_DUPFD_CLOEXEC, 10), er = fcntl(c->errf, F_DUPFD_CLOEXEC, 10);
    int ns = c->ns >= 0 ? fcntl(c->ns, F_DUPFD_CLOEXEC, 10) : -1;
    sigset_t none;
    sigemptyset(&none);
    if (exe < 0 || in < 0 || out < 0 || er < 0 || (c->ns >= 0 && ns < 0) || dup2(in, 0) < 0 ||
        dup2(out, 1) < 0 || dup2(er, 2) < 0 || (ns >= 0 && dup2(ns, 3) < 0) ||
        close_range(ns >= 0 ? 4 : 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 ||
        prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != c->parent)
        _exit(126);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);
    syscall(SYS_execveat, exe, "", c->argv, c->envp, AT_EMPTY_PATH);
    _exit(127);
}

/* what the helper wrote to fd, from its start */
static char *slurp(int fd)
{
    char *text = NULL;
    if (lseek(fd, 0, SEEK_SET) < 0 || read_fd(fd, &text, NULL) < 0)
        return xstrdup("");
    return text;
}

/* its message: the last line it wrote, without "moat-net: " */
static int failed(int st, int errf, merr_t *err)
{
    cleanup_free char *msg = slurp(errf);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = 0;
    char *line = strrchr(msg, '\n') ? strrchr(msg, '\n') + 1 : msg;
    if (strncmp(line, "moat-net: ", 10) == 0)
        line += 10;
    if (WIFSIGNALED(st))
        return err_set(err, 0, "the network helper was killed by signal %d", WTERMSIG(st));
    if (*line)
        return err_set(err, 0, "%.400s", line);
    return err_set(err, 0, "the network helper failed (status %d)", WEXITSTATUS(st));
}

static int wait_child(pid_t pid, int *st, merr_t *err)
{
    while (waitpid(pid, st, 0) < 0)
        if (errno != EINTR)
            return err_sys(err, "wait for moat-net");
    return 0;
}

int net_run(json_t *req, int nsfd, json_t **reply, merr_t *err)
{
    struct child c = {.exe = -1, .in = -1, .ns = nsfd, .out = -1, .errf = -1, .parent = getpid()};
    cleanup_free char *path = NULL;
    cleanup_free char *text = json_dumps(req, JSON_COMPACT);
    cleanup_free char *o = NULL;
    int ret = -1;
    if (reply)
        *reply = NULL;
    if ((c.exe = helper_exe_open("moat-net", &path, err)) < 0)
        return -1;
    if ((c.in = helper_text_fd("moat-net-req", text, strlen(text), err)) < 0 ||
        (c.out = helper_text_fd("moat-net-out", "", 0, err)) < 0 ||
        (c.errf = helper_text_fd("moat-net-err", "", 0, err)) < 0)
        goto out;
    /* the firewall ops need libnftables, which moat-net loads for them only */
    const char *op = json_string_value(json_object_get(req, "op")) ?: "";
    char nft[] = "nft";
    char *argv[] = {path, strncmp(op, "firewall", 8) == 0 ? nft : NULL, NULL};
    c.argv = argv;
    c.envp = helper_env(NULL, 0);
    pid_t pid = fork();
    if (pid == 0)
        child(&c);
    int st = 0;
    if (pid < 0) {
        err_sys(err, "fork");
        goto out;
    }
    if (wait_child(pid, &st, err) < 0)
        goto out;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        failed(st, c.errf, err);
        goto out;
    }
    o = slurp(c.out);
    if (reply && *o) {
        json_error_t je;
        *reply = json_loads(o, 0, &je);
        if (!*reply) {
            err_set(err, 0, "moat-net: a reply that is not JSON: %s", je.text);
            goto out;
        }
    }
    ret = 0;
out:
    close_fd(&c.exe);
    close_fd(&c.in);
    close_fd(&c.out);
    close_fd(&c.errf);
    strv_free(c.envp);
    return ret;
}
