/* dns_sandbox.c: the embedded resolver's Landlock ruleset and seccomp
 * allow-list (see dns_sandbox.h). The tables are the whole policy. */
#include "dns_sandbox.h"
#include "helper_exe.h"
#include "../kernel/helper_filter.h"
#include "../kernel/landlock.h"
#include "../util/util.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define FS_ALL ((1ULL << 16) - 1)
#define NET_BIND_TCP (1ULL << 0)
#define NET_CONNECT_TCP (1ULL << 1)
#define SCOPE_ALL 3ULL

static int landlock(merr_t *err)
{
    int rs = landlock_ruleset(FS_ALL, NET_BIND_TCP | NET_CONNECT_TCP, SCOPE_ALL, err);
    if (rs == -2)
        return 0; /* no Landlock in this kernel: seccomp and the uid remain */
    if (rs < 0)
        return -1;
    int r = landlock_allow_port(rs, 53, NET_CONNECT_TCP, err);
    if (r == 0)
        r = landlock_enforce(rs, err);
    close(rs);
    return r;
}

static const char *const calls[] = {
    /* its loop */
    "poll", "ppoll", "read", "write", "close", "recvfrom", "sendto", "recvmsg", "sendmsg",
    "accept4", "connect", "getsockopt", "clock_gettime", "getrandom",
    /* memory, the end */
    "brk", "mmap", "munmap", "mremap", "madvise", "rt_sigreturn", "rt_sigprocmask", "exit",
    "exit_group",
    /* what the sanitizers' runtime calls in the test builds */
    "futex", "getpid", "gettid", "sched_yield"};

static int add_socket_rules(scmp_filter_ctx ctx)
{
    static const int fam[] = {AF_INET, AF_INET6}, type[] = {SOCK_DGRAM, SOCK_STREAM};
    int r = 0;
    for (size_t f = 0; f < ARRAY_SIZE(fam); f++)
        for (size_t t = 0; t < ARRAY_SIZE(type) && r == 0; t++)
            r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
                                 SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam[f]),
                                 SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)type[t]));
    return r;
}

static int seccomp(merr_t *err)
{
    scmp_filter_ctx ctx = helper_filter(calls, ARRAY_SIZE(calls), err);
    if (!ctx)
        return -1;
    int r = 0;
    if (r == 0 && HELPER_SANITIZED) /* ASan's allocator guards its pages */
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 0);
    if (r == 0)
        r = add_socket_rules(ctx);
    if (r == 0)
        r = seccomp_load(ctx);
    seccomp_release(ctx);
    return r < 0 ? err_set(err, -r, "sandbox: seccomp") : 0;
}

int dns_sandbox_enter(merr_t *err)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return err_sys(err, "sandbox: no_new_privs");
    if (landlock(err) < 0)
        return -1;
    return seccomp(err);
}
