/* sandbox.c: moat-fetch's Landlock ruleset and seccomp allow-list (see
 * sandbox.h). Both are data: the tables below are the whole policy. */
#include "sandbox.h"
#include "../kernel/helper_filter.h"
#include "../kernel/landlock.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/* LANDLOCK_ACCESS_FS_*, LANDLOCK_ACCESS_NET_*, LANDLOCK_SCOPE_* */
#define FS_WRITE_FILE (1ULL << 1)
#define FS_READ_FILE (1ULL << 2)
#define FS_READ_DIR (1ULL << 3)
#define FS_REMOVE_FILE (1ULL << 5)
#define FS_MAKE_DIR (1ULL << 7)
#define FS_MAKE_REG (1ULL << 8)
#define FS_TRUNCATE (1ULL << 14)
#define FS_ALL ((1ULL << 16) - 1)
#define NET_BIND_TCP (1ULL << 0)
#define SCOPE_ALL 3ULL

#define READ (FS_READ_FILE | FS_READ_DIR)
#define WRITE (READ | FS_WRITE_FILE | FS_MAKE_REG | FS_MAKE_DIR | FS_REMOVE_FILE | FS_TRUNCATE)

/* what libcurl, OpenSSL and glibc's resolver read (symlinks are followed:
 * the rule is on what /etc/resolv.conf points to) */
static const char *const readable[] = {
    "/usr",
    "/lib",
    "/lib64",
    "/etc/ssl",
    "/etc/pki",
    "/etc/ca-certificates",
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/services",
    "/etc/ld.so.cache",
    "/dev/urandom",
};

static int allow_path(int rs, const char *path, uint64_t access, merr_t *err)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : err_sys(err, "sandbox: %s", path);
    int r = landlock_allow(rs, fd, access, err);
    close(fd);
    return r < 0 ? err_wrap(err, "sandbox: %s", path) : 0;
}

static int landlock(int outdir, const char *ca, merr_t *err)
{
    int rs = landlock_ruleset(FS_ALL, NET_BIND_TCP, SCOPE_ALL, err);
    if (rs == -2)
        return 0; /* no Landlock in this kernel: seccomp and the uid remain */
    if (rs < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < ARRAY_SIZE(readable) && r == 0; i++)
        r = allow_path(rs, readable[i], READ, err);
    if (r == 0 && ca)
        r = allow_path(rs, ca, FS_READ_FILE, err);
    if (r == 0 && outdir >= 0)
        r = landlock_allow(rs, outdir, WRITE, err);
    if (r == 0)
        r = landlock_enforce(rs, err);
    close(rs);
    return r;
}

/* allowed without conditions */
static const char *const calls[] = {
    /* memory, signals, threads, time */
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigaltstack",
    "futex",
    "set_robust_list",
    "rseq",
    "set_tid_address",
    "gettid",
    "getpid",
    "getppid",
    "tgkill",
    "exit",
    "exit_group",
    "nanosleep",
    "clock_nanosleep",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "getrandom",
    "uname",
    "sysinfo",
    "sched_getaffinity",
    "sched_yield",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getrlimit",
    /* files (where: Landlock) */
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "close",
    "fstat",
    "newfstatat",
    "statx",
    "lseek",
    "fcntl",
    "openat",
    "getdents64",
    "mkdirat",
    "renameat",
    "renameat2",
    "unlinkat",
    "fsync",
    "fdatasync",
    "ftruncate",
    "readlinkat",
    "faccessat",
    "faccessat2",
    "getcwd",
    "dup",
    "dup3",
    "pipe2",
    /* the same, as glibc calls them on x86_64 */
    "open",
    "stat",
    "lstat",
    "access",
    "readlink",
    "mkdir",
    "rename",
    "unlink",
    "dup2",
    "pipe",
    /* the network */
    "connect",
    "bind",
    "getsockname",
    "getpeername",
    "getsockopt",
    "setsockopt",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    "shutdown",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "eventfd2",
};

struct cond_rule {
    const char *name;
    struct scmp_arg_cmp cmp[2];
    unsigned n;
};

static const struct cond_rule conds[] = {
    {"socket", {SCMP_A0(SCMP_CMP_EQ, AF_INET)}, 1},
    {"socket", {SCMP_A0(SCMP_CMP_EQ, AF_INET6)}, 1},
    /* glibc's getaddrinfo asks the kernel for the host's addresses */
    {"socket", {SCMP_A0(SCMP_CMP_EQ, AF_NETLINK), SCMP_A2(SCMP_CMP_EQ, NETLINK_ROUTE)}, 2},
    {"socketpair", {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)}, 1}, /* curl's multi wakeup */
    /* threads (the resolver's), never a new process */
    {"clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)}, 1},
    {"ioctl", {SCMP_A1(SCMP_CMP_EQ, FIONBIO)}, 1},
    {"ioctl", {SCMP_A1(SCMP_CMP_EQ, FIONREAD)}, 1},
    {"ioctl", {SCMP_A1(SCMP_CMP_EQ, TCGETS)}, 1},
    {"ioctl", {SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ)}, 1},
    {"prlimit64", {SCMP_A2(SCMP_CMP_EQ, 0)}, 1}, /* reading a limit only */
};

static int seccomp(merr_t *err)
{
    scmp_filter_ctx ctx = helper_filter(calls, ARRAY_SIZE(calls), err);
    if (!ctx)
        return -1;
    int r = 0;
    for (size_t i = 0; i < ARRAY_SIZE(conds) && r == 0; i++)
        r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name(conds[i].name),
                                   conds[i].n, conds[i].cmp);
    /* glibc falls back to clone, whose flags the filter can see */
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (r == 0)
        r = seccomp_load(ctx);
    seccomp_release(ctx);
    return r < 0 ? err_set(err, -r, "sandbox: seccomp") : 0;
}

int sandbox_enter(int outdir, const char *ca, merr_t *err)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return err_sys(err, "sandbox: no_new_privs");
    if (landlock(outdir, ca, err) < 0)
        return -1;
    return seccomp(err);
}
