/* profile.c: moat's hardening profile. The choices, and why:
 *
 * Capabilities: only DAC_OVERRIDE, FOWNER, KILL, NET_BIND_SERVICE, SETGID
 * and SETUID. Services commonly start as root, fix up files they own, bind
 * a port below 1024, drop to a service user and signal their workers; that
 * is what these allow. Denied, unlike Docker (14 capabilities) and Podman
 * (11): CHOWN, FSETID, SETFCAP, SETPCAP, MKNOD, NET_RAW, SYS_CHROOT,
 * AUDIT_WRITE, and everything else (SYS_ADMIN, NET_ADMIN, SYS_MODULE,
 * SYS_PTRACE, SYS_TIME, SYSLOG, SYS_BOOT, LINUX_IMMUTABLE, ...).
 *
 * seccomp: an allow-list; unknown and new system calls fail with ENOSYS
 * (so libc falls back), the dangerous known ones with EPERM: the mount
 * API, namespace creation (clone and unshare with CLONE_NEW* flags, clone3,
 * setns), bpf, perf_event_open, userfaultfd, the keyring, io_uring, kexec,
 * modules, reboot, swap, acct, clock setting, the ptrace family, handle
 * based opens, TIOCSTI, packet sockets; personality only for LINUX,
 * LINUX32 and queries. Both x86_64 and i386 (and x32) entry points.
 *
 * Also: no_new_privs, a read-only rootfs with tmpfs /tmp and /run, a user
 * namespace with a range of its own per container (annotation
 * run.moat.userns=auto) and the rootfs presented through an idmapped mount
 * (run.moat.rootfs.idmap), a cgroup namespace, a memory and a pids limit,
 * Docker's masked paths and more, and Landlock rules that follow the
 * mounts, with abstract unix sockets and signals scoped to the container. */
#include "profile.h"
#include "seccomp_profile.h"
#include "../kernel/caps.h"
#include "../kernel/lsm.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <sched.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define CAP(n) (1ULL << (n))

uint64_t profile_default_caps(void)
{
    return CAP(cap_from_name("CAP_DAC_OVERRIDE", 0)) | CAP(cap_from_name("CAP_FOWNER", 0)) |
           CAP(cap_from_name("CAP_KILL", 0)) | CAP(cap_from_name("CAP_NET_BIND_SERVICE", 0)) |
           CAP(cap_from_name("CAP_SETGID", 0)) | CAP(cap_from_name("CAP_SETUID", 0));
}

void profile_defaults(struct profile_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->memory = PROFILE_MEMORY_DEFAULT;
    o->pids = PROFILE_PIDS_DEFAULT;
}

static const char *const allowed[] = {
    /* files and directories */
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "preadv2",
    "pwritev",
    "pwritev2",
    "open",
    "openat",
    "openat2",
    "creat",
    "close",
    "close_range",
    "lseek",
    "_llseek",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "stat64",
    "fstat64",
    "lstat64",
    "fstatat64",
    "statfs",
    "fstatfs",
    "statfs64",
    "fstatfs64",
    "access",
    "faccessat",
    "faccessat2",
    "getdents",
    "getdents64",
    "readlink",
    "readlinkat",
    "mkdir",
    "mkdirat",
    "rmdir",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "chown32",
    "fchown32",
    "lchown32",
    "truncate",
    "ftruncate",
    "truncate64",
    "ftruncate64",
    "fallocate",
    "fadvise64",
    "fadvise64_64",
    "readahead",
    "fsync",
    "fdatasync",
    "sync",
    "syncfs",
    "sync_file_range",
    "utime",
    "utimes",
    "utimensat",
    "utimensat_time64",
    "futimesat",
    "getcwd",
    "chdir",
    "fchdir",
    "umask",
    "mknod",
    "mknodat",
    "flock",
    "fcntl",
    "fcntl64",
    "dup",
    "dup2",
    "dup3",
    "copy_file_range",
    "sendfile",
    "sendfile64",
    "splice",
    "tee",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "inotify_init",
    "inotify_init1",
    "inotify_add_watch",
    "inotify_rm_watch",
    "memfd_create",
    "memfd_secret",
    "pipe",
    "pipe2",
    "ioctl",
    "cachestat",
    /* memory */
    "brk",
    "mmap",
    "mmap2",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "mincore",
    "msync",
    "mlock",
    "mlock2",
    "munlock",
    "mlockall",
    "munlockall",
    "membarrier",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "get_mempolicy",
    "set_mempolicy",
    "mbind",
    "remap_file_pages",
    "map_shadow_stack",
    /* processes, threads, signals */
    "fork",
    "vfork",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "wait4",
    "waitid",
    "waitpid",
    "kill",
    "tkill",
    "tgkill",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigpending",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "sigaction",
    "sigprocmask",
    "sigreturn",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "pause",
    "getpid",
    "getppid",
    "gettid",
    "getpgid",
    "setpgid",
    "getpgrp",
    "getsid",
    "setsid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getuid32",
    "geteuid32",
    "getgid32",
    "getegid32",
    "getresuid",
    "getresgid",
    "getresuid32",
    "getresgid32",
    "getgroups",
    "getgroups32",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setfsuid",
    "setfsgid",
    "setuid32",
    "setgid32",
    "setreuid32",
    "setregid32",
    "setresuid32",
    "setresgid32",
    "setfsuid32",
    "setfsgid32",
    "setgroups",
    "setgroups32",
    "capget",
    "capset",
    "prctl",
    "arch_prctl",
    "set_tid_address",
    "set_robust_list",
    "get_robust_list",
    "set_thread_area",
    "get_thread_area",
    "modify_ldt",
    "rseq",
    "futex",
    "futex_time64",
    "futex_waitv",
    "futex_wake",
    "futex_wait",
    "futex_requeue",
    "sched_yield",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getparam",
    "sched_setparam",
    "sched_getscheduler",
    "sched_setscheduler",
    "sched_getattr",
    "sched_setattr",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "getpriority",
    "setpriority",
    "ioprio_get",
    "ioprio_set",
    "getrlimit",
    "setrlimit",
    "prlimit64",
    "ugetrlimit",
    "getrusage",
    "times",
    "pidfd_open",
    "pidfd_send_signal",
    "process_mrelease",
    "restart_syscall",
    "seccomp",
    "landlock_create_ruleset",
    "landlock_add_rule",
    "landlock_restrict_self",
    "uname",
    "sysinfo",
    "getcpu",
    "getrandom",
    /* time */
    "time",
    "gettimeofday",
    "clock_gettime",
    "clock_gettime64",
    "clock_getres",
    "clock_getres_time64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "nanosleep",
    "alarm",
    "getitimer",
    "setitimer",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    /* waiting */
    "select",
    "_newselect",
    "pselect6",
    "pselect6_time64",
    "poll",
    "ppoll",
    "ppoll_time64",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "eventfd",
    "eventfd2",
    /* sockets (socket itself: by family, below) */
    "socketpair",
    "bind",
    "connect",
    "listen",
    "accept",
    "accept4",
    "getsockname",
    "getpeername",
    "getsockopt",
    "setsockopt",
    "shutdown",
    "send",
    "sendto",
    "sendmsg",
    "sendmmsg",
    "recv",
    "recvfrom",
    "recvmsg",
    "recvmmsg",
    "recvmmsg_time64",
    /* System V and POSIX IPC (in the container's IPC namespace) */
    "ipc",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "semctl",
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_notify",
    "mq_getsetattr",
    /* asynchronous I/O (not io_uring) */
    "io_setup",
    "io_destroy",
    "io_submit",
    "io_cancel",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
};

static const char *const denied[] = {
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "setns",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "settimeofday",
    "stime",
    "clock_settime",
    "clock_settime64",
    "clock_adjtime",
    "clock_adjtime64",
    "adjtimex",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "process_madvise",
    "lookup_dcookie",
    "quotactl",
    "quotactl_fd",
    "syslog",
    "vhangup",
    "iopl",
    "ioperm",
    "open_by_handle_at",
    "name_to_handle_at",
    "fanotify_init",
    "fanotify_mark",
    "sethostname",
    "setdomainname",
    "nfsservctl",
    "uselib",
    "vmsplice",
    "socketcall",
};

/* CLONE_NEWTIME, NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET */
static const uint64_t ns_flags[] = {0x80,      0x20000,    0x2000000,  0x4000000,
                                    0x8000000, 0x10000000, 0x20000000, 0x40000000};
#define NS_MASK 0x7E020080ULL

static json_t *names(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *rule(const char *name, const char *action, json_t *args, int errno_ret)
{
    json_t *r = json_pack("{s:[s],s:s}", "names", name, "action", action);
    if (args)
        json_object_set_new(r, "args", args);
    if (errno_ret)
        json_object_set_new(r, "errnoRet", json_integer(errno_ret));
    return r;
}

static json_t *arg(unsigned index, uint64_t value, uint64_t two, const char *op)
{
    json_t *a = json_pack("{s:i,s:I,s:s}", "index", (json_int_t)index, "value", (json_int_t)value,
                          "op", op);
    if (two)
        json_object_set_new(a, "valueTwo", json_integer((json_int_t)two));
    return json_pack("[o]", a);
}

/* ioctl, but TIOCSTI, which would type into a terminal shared with the
 * host. The kernel reads the command as 32 bits and seccomp compares 64:
 * a rule on the whole argument lets 0x1_00005412 through (flatpak's
 * CVE-2019-10063). So it is allowed when one of its low 32 bits differs
 * from TIOCSTI's, a rule a bit, and refused when none does. */
static void add_ioctl(json_t *sys)
{
    const uint64_t tiocsti = 0x5412;
    json_t *allow = json_object_get(json_array_get(sys, 0), "names");
    for (size_t i = 0; i < json_array_size(allow); i++)
        if (strcmp(json_string_value(json_array_get(allow, i)), "ioctl") == 0) {
            json_array_remove(allow, i);
            break;
        }
    for (unsigned b = 0; b < 32; b++) {
        uint64_t bit = 1ULL << b;
        json_array_append_new(sys, rule("ioctl", "SCMP_ACT_ALLOW",
                                        arg(1, bit, ~tiocsti & bit, "SCMP_CMP_MASKED_EQ"), 0));
    }
    json_array_append_new(sys, rule("ioctl", "SCMP_ACT_ERRNO",
                                    arg(1, 0xffffffffULL, tiocsti, "SCMP_CMP_MASKED_EQ"), EPERM));
}

json_t *profile_seccomp(void)
{
    struct utsname u;
    uname(&u);
    json_t *arches =
        strcmp(u.machine, "aarch64") == 0
            ? json_pack("[s,s]", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM")
            : json_pack("[s,s,s]", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
    json_t *sys = json_array();
    json_array_append_new(sys, json_pack("{s:o,s:s}", "names", names(allowed, ARRAY_SIZE(allowed)),
                                         "action", "SCMP_ACT_ALLOW"));
    json_array_append_new(sys,
                          json_pack("{s:o,s:s,s:i}", "names", names(denied, ARRAY_SIZE(denied)),
                                    "action", "SCMP_ACT_ERRNO", "errnoRet", EPERM));
    /* new namespaces: clone and unshare only without CLONE_NEW* flags */
    static const char *const nscalls[] = {"clone", "unshare"};
    for (size_t k = 0; k < 2; k++) {
        json_array_append_new(
            sys, rule(nscalls[k], "SCMP_ACT_ALLOW", arg(0, NS_MASK, 0, "SCMP_CMP_MASKED_EQ"), 0));
        for (size_t i = 0; i < ARRAY_SIZE(ns_flags); i++)
            json_array_append_new(sys, rule(nscalls[k], "SCMP_ACT_ERRNO",
                                            arg(0, ns_flags[i], ns_flags[i], "SCMP_CMP_MASKED_EQ"),
                                            EPERM));
    }
    /* clone3's flags are in memory seccomp cannot read: ENOSYS makes libc
     * fall back to clone */
    json_array_append_new(sys, rule("clone3", "SCMP_ACT_ERRNO", NULL, ENOSYS));
    /* personality: LINUX, LINUX32 and the query only */
    static const uint64_t pers[] = {0, 8, 0xffffffffULL};
    for (size_t i = 0; i < ARRAY_SIZE(pers); i++)
        json_array_append_new(
            sys, rule("personality", "SCMP_ACT_ALLOW", arg(0, pers[i], 0, "SCMP_CMP_EQ"), 0));
    /* sockets: unix, inet, inet6, netlink; packet sockets refused */
    static const uint64_t families[] = {1, 2, 10, 16};
    for (size_t i = 0; i < ARRAY_SIZE(families); i++)
        json_array_append_new(
            sys, rule("socket", "SCMP_ACT_ALLOW", arg(0, families[i], 0, "SCMP_CMP_EQ"), 0));
    json_array_append_new(sys,
                          rule("socket", "SCMP_ACT_ERRNO", arg(0, 17, 0, "SCMP_CMP_EQ"), EPERM));
    add_ioctl(sys);
    return json_pack("{s:s,s:i,s:o,s:o}", "defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet",
                     ENOSYS, "architectures", arches, "syscalls", sys);
}

static json_t *mount(const char *dest, const char *type, const char *src, const char *opts)
{
    json_t *m = json_pack("{s:s,s:s,s:s}", "destination", dest, "type", type, "source", src);
    json_t *o = json_array();
    cleanup_free char *copy = xstrdup(opts);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(o, json_string(t));
    json_object_set_new(m, "options", o);
    return m;
}

static json_t *caps_json(uint64_t set)
{
    json_t *a = json_array();
    for (int i = 0; i < CAP_COUNT_KNOWN; i++)
        if (set & CAP(i))
            json_array_append_new(a, json_string(cap_name(i)));
    return a;
}

static void add_masked(json_t *arr)
{
    static const char *const paths[] = {
        /* Docker's list */
        "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
        "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
        /* more host information: kernel symbols and layout, hardware, other
         * tenants' I/O and locks, the boot command line, debug interfaces */
        "/proc/kallsyms", "/proc/modules", "/proc/iomem", "/proc/ioports", "/proc/slabinfo",
        "/proc/vmallocinfo", "/proc/pagetypeinfo", "/proc/zoneinfo", "/proc/buddyinfo",
        "/proc/softirqs", "/proc/kpagecount", "/proc/kpageflags", "/proc/kpagecgroup",
        "/proc/config.gz", "/proc/partitions", "/proc/diskstats", "/proc/locks", "/proc/mtrr",
        "/proc/dma", "/proc/cmdline", "/proc/bootconfig", "/sys/kernel/debug",
        "/sys/kernel/tracing", "/sys/kernel/security", "/sys/kernel/vmcoreinfo", "/sys/fs/bpf",
        "/sys/devices/virtual/dmi", "/sys/hypervisor"};
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
        json_array_append_new(arr, json_string(paths[i]));
    /* per-CPU thermal_throttle directories, as they are on this host */
    glob_t g;
    if (glob("/sys/devices/system/cpu/cpu*/thermal_throttle", GLOB_NOSORT, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            json_array_append_new(arr, json_string(g.gl_pathv[i]));
        globfree(&g);
    }
}

json_t *profile_landlock(bool writable_root, const char *const *rw_paths, size_t n)
{
    static const char *const all[] = {"execute",    "write_file",  "read_file", "read_dir",
                                      "remove_dir", "remove_file", "make_char", "make_dir",
                                      "make_reg",   "make_sock",   "make_fifo", "make_block",
                                      "make_sym",   "refer",       "truncate",  "ioctl_dev"};
    static const char *const rx[] = {"execute", "read_file", "read_dir"};
    static const char *const dev[] = {"read_file", "write_file", "read_dir", "ioctl_dev",
                                      "truncate"};
    static const char *const rw[] = {"write_file",  "read_file", "read_dir", "remove_dir",
                                     "remove_file", "make_dir",  "make_reg", "make_sock",
                                     "make_fifo",   "make_sym",  "refer",    "truncate"};
    static const char *const rwx[] = {
        "execute",  "write_file", "read_file", "read_dir", "remove_dir", "remove_file", "make_dir",
        "make_reg", "make_sock",  "make_fifo", "make_sym", "refer",      "truncate"};
    json_t *rules = json_array();
    if (writable_root)
        json_array_append_new(rules, json_pack("{s:o,s:[s]}", "allowedAccess",
                                               names(rwx, ARRAY_SIZE(rwx)), "paths", "/"));
    else
        json_array_append_new(rules, json_pack("{s:o,s:[s]}", "allowedAccess",
                                               names(rx, ARRAY_SIZE(rx)), "paths", "/"));
    json_array_append_new(rules, json_pack("{s:o,s:[s]}", "allowedAccess",
                                           names(dev, ARRAY_SIZE(dev)), "paths", "/dev"));
    json_t *paths = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(paths, json_string(rw_paths[i]));
    json_array_append_new(
        rules, json_pack("{s:o,s:o}", "allowedAccess", names(rw, ARRAY_SIZE(rw)), "paths", paths));
    return json_pack("{s:{s:o,s:[s,s]},s:{s:o},s:b}", "ruleset", "handledAccessFS",
                     names(all, ARRAY_SIZE(all)), "scoped", "abstract_unix_socket", "signal",
                     "rules", "pathBeneath", rules, "disableBestEffort", 0);
}

/* the start of moat's subordinate ids, for the spec's default mapping */
static uint64_t subid_start(void)
{
    uint64_t start, count;
    return subid_range("/etc/subuid", &start, &count) == 0 ? start : PROFILE_SUBID_FALLBACK;
}

static json_t *idmap(uint64_t host, uint64_t size)
{
    return json_pack("[{s:i,s:I,s:I}]", "containerID", 0, "hostID", (json_int_t)host, "size",
                     (json_int_t)size);
}

uint64_t profile_nofile(int64_t pids)
{
    uint64_t max = 0, per = PROFILE_NOFILE_MAX;
    cleanup_free char *t = NULL;
    if (read_file_at(AT_FDCWD, "/proc/sys/fs/file-max", &t, NULL, NULL) == 0) {
        t[strcspn(t, "\n")] = 0;
        if (parse_u64(t, &max) == 0)
            per = max / 8 / (uint64_t)(pids > 0 ? pids : PROFILE_PIDS_DEFAULT);
    }
    uint64_t n = PROFILE_NOFILE_MIN;
    while (n * 2 <= per && n * 2 <= PROFILE_NOFILE_MAX)
        n *= 2;
    return n;
}

json_t *profile_config(const struct profile_opts *o, merr_t *err)
{
    bool priv = o->privileged;
    /* as Docker: drops apply to the defaults, then adds (--cap-drop ALL --cap-add X is X) */
    uint64_t caps = (profile_default_caps() & ~o->cap_drop) | o->cap_add;
    if (priv) {
        /* everything the host lets us hold, as podman --privileged */
        struct cap_state cs;
        caps = caps_get(&cs) == 0 ? cs.bounding : 0;
    }
    uint64_t nofile = priv ? PROFILE_NOFILE_MAX : profile_nofile(o->pids);
    json_t *capobj =
        json_pack("{s:o,s:o,s:o,s:[],s:[]}", "bounding", caps_json(caps), "effective",
                  caps_json(caps), "permitted", caps_json(caps), "inheritable", "ambient");
    json_t *process =
        json_pack("{s:b,s:{s:i,s:i},s:[s],s:[s,s],s:s,s:o,s:[{s:s,s:i,s:i}],s:b}", "terminal", 1,
                  "user", "uid", 0, "gid", 0, "args", "sh", "env",
                  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
                  "cwd", "/", "capabilities", capobj, "rlimits", "type", "RLIMIT_NOFILE", "hard",
                  (int)nofile, "soft", (int)nofile, "noNewPrivileges", !priv);
    if (!priv && !o->no_landlock) {
        /* the rules follow the mounts: read and execute the rootfs, read
         * /proc and /sys, use /dev, write where a tmpfs is mounted */
        static const char *const rw[] = {"/tmp", "/run", "/dev/shm", "/dev/mqueue"};
        json_object_set_new(process, "landlock",
                            profile_landlock(o->writable_root, rw, ARRAY_SIZE(rw)));
    }
    if (!priv && lsm_apparmor_enabled())
        json_object_set_new(process, "apparmorProfile", json_string("moat-default"));

    bool userns = !o->userns_host && !priv;
    json_t *mounts = json_array();
    json_array_append_new(mounts, mount("/proc", "proc", "proc", "nosuid,noexec,nodev"));
    json_array_append_new(
        mounts, mount("/dev", "tmpfs", "tmpfs", "nosuid,noexec,strictatime,mode=755,size=65536k"));
    json_array_append_new(mounts, mount("/dev/pts", "devpts", "devpts",
                                        "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"));
    json_array_append_new(
        mounts, mount("/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k"));
    json_array_append_new(mounts, mount("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
    json_array_append_new(mounts, mount("/sys", "sysfs", "sysfs",
                                        priv ? "nosuid,noexec,nodev" : "nosuid,noexec,nodev,ro"));
    if (!o->rootless)
        json_array_append_new(mounts, mount("/sys/fs/cgroup", "cgroup", "cgroup",
                                            priv ? "nosuid,noexec,nodev,relatime"
                                                 : "nosuid,noexec,nodev,relatime,ro"));
    json_array_append_new(mounts, mount("/tmp", "tmpfs", "tmpfs", "nosuid,nodev,mode=1777"));
    json_array_append_new(mounts, mount("/run", "tmpfs", "tmpfs", "nosuid,nodev,mode=755"));

    json_t *ns = json_array();
    static const char *const kinds[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
        json_array_append_new(ns, json_pack("{s:s}", "type", kinds[i]));
    json_t *linux_ = json_pack("{s:o}", "namespaces", ns);
    json_t *ann = json_object();
    if (o->rootless) {
        json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
        json_object_set_new(linux_, "uidMappings", idmap((unsigned)geteuid(), 1));
        json_object_set_new(linux_, "gidMappings", idmap((unsigned)getegid(), 1));
    } else if (userns) {
        uint64_t base = subid_start();
        json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
        json_object_set_new(linux_, "uidMappings", idmap(base, PROFILE_USERNS_SIZE));
        json_object_set_new(linux_, "gidMappings", idmap(base, PROFILE_USERNS_SIZE));
        json_object_set_new(ann, "run.moat.userns", json_string("auto"));
        json_object_set_new(ann, "run.moat.rootfs.idmap", json_string("true"));
    }
    if (!priv) {
        json_t *masked = json_array();
        add_masked(masked);
        json_object_set_new(linux_, "maskedPaths", masked);
        json_object_set_new(linux_, "readonlyPaths",
                            json_pack("[s,s,s,s,s]", "/proc/bus", "/proc/fs", "/proc/irq",
                                      "/proc/sys", "/proc/sysrq-trigger"));
        if (o->seccomp_resolved) {
            json_object_set_new(linux_, "seccomp", json_deep_copy(o->seccomp_resolved));
        } else if (!o->seccomp) {
            json_object_set_new(linux_, "seccomp", profile_seccomp());
        } else if (strcmp(o->seccomp, "unconfined") != 0) {
            json_t *sc = seccomp_profile_load(o->seccomp, caps, err);
            if (!sc) {
                json_decref(linux_);
                json_decref(process);
                json_decref(mounts);
                json_decref(ann);
                return NULL;
            }
            json_object_set_new(linux_, "seccomp", sc);
        }
    }
    if (!o->rootless) {
        json_t *res = json_pack("{s:[{s:b,s:s}]}", "devices", "allow", 0, "access", "rwm");
        if (priv)
            json_object_set_new(res, "devices",
                                json_pack("[{s:b,s:s}]", "allow", 1, "access", "rwm"));
        if (o->memory > 0 && !priv)
            json_object_set_new(res, "memory",
                                json_pack("{s:I,s:I}", "limit", (json_int_t)o->memory, "swap",
                                          (json_int_t)o->memory));
        if (o->pids > 0 && !priv)
            json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t)o->pids));
        json_object_set_new(linux_, "resources", res);
    }
    json_object_set_new(ann, "run.moat.profile", json_string(priv ? "privileged" : "default"));
    return json_pack("{s:s,s:o,s:{s:s,s:b},s:s,s:o,s:o,s:o}", "ociVersion", "1.1.0", "process",
                     process, "root", "path", "rootfs", "readonly", !o->writable_root && !priv,
                     "hostname", "moat", "mounts", mounts, "linux", linux_, "annotations", ann);
}
