/* drop.c: moat-net's capabilities and seccomp allow-list (see drop.h).
 * The table below is the whole policy. */
#include "drop.h"
#include "../kernel/helper_filter.h"
#include "../kernel/caps.h"
#include "../util/util.h"

#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <termios.h>

static const char *const calls[] = {
    /* the request in, the reply and errors out, /proc/sys (pread, pwrite) */
    "read",
    "write",
    "pread64",
    "pwrite64",
    "close",
    "fstat",
    "newfstatat",
    /* netlink on the sockets opened before */
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    /* libnftables sizes its socket's buffers and waits on it */
    "getsockopt",
    "setsockopt",
    "pselect6",
    "select",
    "poll",
    "ppoll",
    /* memory, signals, exit */
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "madvise",
    "rt_sigreturn",
    "rt_sigprocmask",
    "sigaltstack", /* the sanitizers' handlers */
    "getpid",
    "gettid",
    "tgkill",
    "clock_gettime",
    "exit",
    "exit_group",
};

static int seccomp(merr_t *err)
{
    scmp_filter_ctx ctx = helper_filter(calls, ARRAY_SIZE(calls), err);
    if (!ctx)
        return -1;
    int r = 0;
    /* stdio asks whether stdout is a terminal */
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, TCGETS));
    if (r == 0)
        r = seccomp_load(ctx);
    seccomp_release(ctx);
    return r < 0 ? err_set(err, -r, "load the seccomp filter") : 0;
}

int net_drop_privileges(merr_t *err)
{
    const uint64_t keep = 1ULL << CAP_NET_ADMIN;
    struct cap_state now;
    if (caps_get(&now) < 0)
        return err_sys(err, "read the capabilities");
    if ((now.effective & keep) == 0)
        return err_set(err, EPERM, "CAP_NET_ADMIN");
    struct cap_state c = {.bounding = keep, .effective = keep, .permitted = keep};
    if (caps_apply_bounding(keep, err) < 0 || caps_apply_sets(&c, err) < 0)
        return err_wrap(err, "drop capabilities");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return err_sys(err, "set no_new_privs");
    return seccomp(err);
}
