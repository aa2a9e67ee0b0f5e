/* sandbox.c: moat-api's user, Landlock ruleset and seccomp allow-list
 * (see sandbox.h). The tables are the whole policy. */
#include "sandbox.h"
#include "../kernel/helper_filter.h"
#include "../kernel/landlock.h"
#include "../util/util.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define FS_ALL ((1ULL << 16) - 1)
#define NET_ALL 3ULL
#define SCOPE_ALL 3ULL

static int landlock(merr_t *err)
{
    int rs = landlock_ruleset(FS_ALL, NET_ALL, SCOPE_ALL, err);
    if (rs == -2)
        return 0; /* no Landlock in this kernel: seccomp and the uid remain */
    if (rs < 0)
        return -1;
    int r = landlock_enforce(rs, err);
    close(rs);
    return r;
}

static const char *const calls[] = {
    /* connections and the channels to the back */
    "accept4", "accept", "read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg",
    "sendmsg", "shutdown", "close", "getsockopt", "setsockopt", "getsockname", "getpeername",
    "fcntl", "ioctl", "poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl",
    "epoll_wait", "epoll_pwait", "eventfd2", "pipe2", "sendfile",
    /* threads (one per connection) */
    "futex", "set_robust_list", "rseq", "mprotect", "sched_yield", "sched_getaffinity", "gettid",
    "getpid", "tgkill", "madvise",
    /* memory, time, the end */
    "brk", "mmap", "munmap", "mremap", "clock_gettime", "clock_nanosleep", "nanosleep",
    "gettimeofday", "getrandom", "rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "sigaltstack",
    "exit", "exit_group"};

static int seccomp(merr_t *err)
{
    scmp_filter_ctx ctx = helper_filter(calls, ARRAY_SIZE(calls), err);
    if (!ctx)
        return -1;
    int r = 0;
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1,
                             SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)AF_UNIX));
    /* threads only: clone with CLONE_THREAD; clone3 (whose flags a filter
     * cannot see) answers ENOSYS, and glibc falls back to clone */
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (r == 0)
        r = seccomp_load(ctx);
    seccomp_release(ctx);
    return r < 0 ? err_set(err, -r, "sandbox: seccomp") : 0;
}

int api_sandbox_enter(uid_t uid, gid_t gid, merr_t *err)
{
    if (uid == 0 || gid == 0)
        return err_set(err, EINVAL, "sandbox: moat-api must not run as root");
    if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
        return err_sys(err, "sandbox: become uid %u", (unsigned)uid);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return err_sys(err, "sandbox: no_new_privs");
    if (landlock(err) < 0)
        return -1;
    return seccomp(err);
}
