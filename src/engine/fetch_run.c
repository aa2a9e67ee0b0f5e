/* fetch_run.c: start moat-fetch as its own user, with a clean
 * environment and limits (see fetch_run.h). */
#include "fetch_run.h"
#include "helper_exe.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DOC_SLACK (4ULL << 20) /* manifests and the config */

static int limit_env(const char *name, uint64_t dflt, uint64_t *out, merr_t *err)
{
    const char *v = getenv(name);
    int64_t n;
    *out = dflt;
    if (!v)
        return 0;
    if (parse_size(v, &n) < 0)
        return err_set(err, 0, "%s=\"%.40s\": not a size (bytes, or 512m, 10g; max for none)", name,
                       v);
    *out = n < 0 ? UINT64_MAX : (uint64_t)n;
    return 0;
}

int fetch_limits(struct fetch_limits *l, merr_t *err)
{
    if (limit_env("MOAT_PULL_MAX_BLOB_BYTES", 16ULL << 30, &l->max_blob, err) < 0 ||
        limit_env("MOAT_PULL_MAX_BYTES", 64ULL << 30, &l->max_total, err) < 0)
        return -1;
    return 0;
}

int fetch_user(uid_t *uid, gid_t *gid, merr_t *err)
{
    return helper_user(FETCH_USER, "the registry client", uid, gid, err);
}

static const char *const proxy_vars[] = {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
                                         "ALL_PROXY",  "no_proxy",    "NO_PROXY"};

struct child {
    int exe, in, secret, out;
    uid_t uid;
    gid_t gid;
    pid_t parent;
    char **argv, **envp;
};

static void set_limit(int res, uint64_t v)
{
    struct rlimit rl = {v, v};
    if (setrlimit(res, &rl) < 0) {
        fprintf(stderr, "moat: moat-fetch: setrlimit %d: %s\n", res, strerror(errno));
        _exit(126);
    }
}

/* between fork and exec: its descriptors, limits and user */
static void child(const struct fetch_run *r, struct child *c)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    /* out of the way of 0-3 first, whatever numbers they have now */
    int exe = fcntl(c->exe, F_DUPFD_CLOEXEC, 10);
    int in = fcntl(c->in >= 0 ? c->in : null, F_DUPFD_CLOEXEC, 10);
    int out = fcntl(c->out >= 0 ? c->out : null, F_DUPFD_CLOEXEC, 10);
    int sec = c->secret >= 0 ? fcntl(c->secret, F_DUPFD_CLOEXEC, 10) : -1;
    sigset_t all;
    sigemptyset(&all);
    uint64_t fsize = r->max_blob > UINT64_MAX - DOC_SLACK ? RLIM_INFINITY : r->max_blob + DOC_SLACK;
    if (null < 0 || exe < 0 || in < 0 || out < 0 || (c->secret >= 0 && sec < 0) ||
        fchdir(r->dirfd) < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
        (sec >= 0 && dup2(sec, 3) < 0) ||
        close_range(sec >= 0 ? 4 : 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        fprintf(stderr, "moat: moat-fetch: descriptors: %s\n", strerror(errno));
        _exit(126);
    }
    set_limit(RLIMIT_CORE, 0);
    set_limit(RLIMIT_NOFILE, 1024);
    set_limit(RLIMIT_NPROC, 512);
    set_limit(RLIMIT_FSIZE, fsize);
    if (!HELPER_SANITIZED) /* shadow memory needs terabytes */
        set_limit(RLIMIT_AS, 2ULL << 30);
    signal(SIGXFSZ, SIG_IGN); /* a write past RLIMIT_FSIZE fails with EFBIG */
    sigprocmask(SIG_SETMASK, &all, NULL);
    if (setgroups(0, NULL) < 0 || setresgid(c->gid, c->gid, c->gid) < 0 ||
        setresuid(c->uid, c->uid, c->uid) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        fprintf(stderr, "moat: cannot become %s for moat-fetch: %s\n", FETCH_USER, strerror(errno));
        _exit(126);
    }
    if (getppid() != c->parent) /* moat died before the death signal was set */
        _exit(126);
    syscall(SYS_execveat, exe, "", c->argv, c->envp, AT_EMPTY_PATH);
    fprintf(stderr, "moat: moat-fetch: %s\n", strerror(errno));
    _exit(127);
}

int fetch_run(const struct fetch_run *r, merr_t *err)
{
    struct child c = {.exe = -1, .in = -1, .secret = -1, .out = r->out_fd, .parent = getpid()};
    int ret = -1;
    cleanup_free char *path = NULL;
    if (fetch_user(&c.uid, &c.gid, err) < 0 ||
        (c.exe = helper_exe_open("moat-fetch", &path, err)) < 0)
        return -1;
    if (r->secret &&
        (c.secret = helper_text_fd("moat-fetch-auth", r->secret, strlen(r->secret), err)) < 0)
        goto out;
    if (r->input && (c.in = helper_text_fd("moat-fetch-in", r->input, strlen(r->input), err)) < 0)
        goto out;
    size_t n = strv_len(r->args);
    c.argv = xzalloc((n + 2) * sizeof(char *));
    c.argv[0] = path;
    memcpy(c.argv + 1, r->args, n * sizeof(char *));
    c.envp = helper_env(proxy_vars, ARRAY_SIZE(proxy_vars));
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0)
        child(r, &c);
    if (pid < 0) {
        err_sys(err, "fork");
        goto out;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            err_sys(err, "wait for moat-fetch");
            goto out;
        }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        ret = 0;
    else if (WIFSIGNALED(st))
        err_set(err, 0, "the registry client was killed by signal %d", WTERMSIG(st));
    else
        err_set(err, 0, "the registry client failed (its message is above)");
out:
    close_fd(&c.in);
    close_fd(&c.exe);
    close_fd(&c.secret);
    free(c.argv);
    strv_free(c.envp);
    return ret;
}
