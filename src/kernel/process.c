#include "process.h"
#include "ns.h"
#include "proc.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int proc_set_rlimits(const struct spec_rlimit *r, size_t n, merr_t *err)
{
    static const char *const names[] = {
        [RLIMIT_AS] = "RLIMIT_AS",
        [RLIMIT_CORE] = "RLIMIT_CORE",
        [RLIMIT_CPU] = "RLIMIT_CPU",
        [RLIMIT_DATA] = "RLIMIT_DATA",
        [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
        [RLIMIT_LOCKS] = "RLIMIT_LOCKS",
        [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
        [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE",
        [RLIMIT_NICE] = "RLIMIT_NICE",
        [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
        [RLIMIT_NPROC] = "RLIMIT_NPROC",
        [RLIMIT_RSS] = "RLIMIT_RSS",
        [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
        [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
        [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
        [RLIMIT_STACK] = "RLIMIT_STACK",
    };
    for (size_t i = 0; i < n; i++) {
        struct rlimit rl = {r[i].soft, r[i].hard};
        if (setrlimit(r[i].type, &rl) < 0)
            return err_sys(err, "process.rlimits: set %s to soft %llu, hard %llu", names[r[i].type],
                           (unsigned long long)r[i].soft, (unsigned long long)r[i].hard);
    }
    return 0;
}

int proc_set_personality(unsigned long domain, merr_t *err)
{
    if (personality(domain) < 0)
        return err_sys(err, "linux.personality: set %s",
                       domain == PER_LINUX32 ? "LINUX32" : "LINUX");
    return 0;
}

struct sched_attr_k {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
};

int proc_set_sched(const struct spec_sched *s, merr_t *err)
{
    struct sched_attr_k a = {
        .size = sizeof(a),
        .sched_policy = (uint32_t)s->policy,
        .sched_flags = s->flags,
        .sched_nice = s->nice,
        .sched_priority = (uint32_t)s->priority,
        .sched_runtime = s->runtime,
        .sched_deadline = s->deadline,
        .sched_period = s->period,
    };
    if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
        return err_sys(err, "process.scheduler: sched_setattr");
    return 0;
}

int proc_set_ioprio(int klass, int prio, merr_t *err)
{
    if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (klass << 13) | prio) < 0)
        return err_sys(err, "process.ioPriority: ioprio_set");
    return 0;
}

int cpulist_parse(const char *list, cpu_set_t *set)
{
    CPU_ZERO(set);
    const char *p = list;
    while (*p) {
        char *end;
        unsigned long a = strtoul(p, &end, 10), b;
        if (end == p)
            return -1;
        b = a;
        p = end;
        if (*p == '-') {
            b = strtoul(p + 1, &end, 10);
            if (end == p + 1 || b < a)
                return -1;
            p = end;
        }
        if (b >= CPU_SETSIZE)
            return -1;
        for (unsigned long c = a; c <= b; c++)
            CPU_SET(c, set);
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return 0;
}

int proc_set_affinity(pid_t pid, const char *list, merr_t *err)
{
    cpu_set_t set;
    if (cpulist_parse(list, &set) < 0)
        return err_set(err, 0, "process.execCPUAffinity: invalid CPU list \"%s\"", list);
    if (sched_setaffinity(pid, sizeof(set), &set) < 0)
        return err_sys(err, "process.execCPUAffinity: set CPU affinity \"%s\"", list);
    return 0;
}

int proc_set_oom_score_adj(pid_t pid, int adj, merr_t *err)
{
    char path[64], val[16];
    snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
    snprintf(val, sizeof(val), "%d", adj);
    if (write_file_at(AT_FDCWD, path, val, strlen(val), err) < 0)
        return err_wrap(err, "process.oomScoreAdj");
    return 0;
}

int proc_set_hostname(const char *name, const char *domain, merr_t *err)
{
    if (name && sethostname(name, strlen(name)) < 0)
        return err_sys(err, "hostname: sethostname \"%s\"", name);
    if (domain && setdomainname(domain, strlen(domain)) < 0)
        return err_sys(err, "domainname: setdomainname \"%s\"", domain);
    return 0;
}

int sysctl_check(const char *key, const struct spec_linux *l, merr_t *err)
{
    static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                      "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
        if (strcmp(key, ipc[i]) == 0)
            goto need_ipc;
    if (strncmp(key, "fs.mqueue.", 10) == 0)
        goto need_ipc;
    if (strncmp(key, "net.", 4) == 0 || strncmp(key, "net/", 4) == 0) {
        if (!l->ns[NS_NET].want)
            return err_set(err, 0,
                           "linux.sysctl.%s: needs a network namespace (the container shares "
                           "the host's)",
                           key);
        if (l->ns[NS_NET].path) {
            int fd = open(l->ns[NS_NET].path, O_RDONLY | O_CLOEXEC);
            bool host = fd >= 0 && getpid() > 0 && ns_is_current(fd, "net");
            if (fd >= 0)
                close(fd);
            if (host)
                return err_set(err, 0,
                               "linux.sysctl.%s: the network namespace joined is the host's", key);
        }
        return 0;
    }
    if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0) {
        if (!l->ns[NS_UTS].want)
            return err_set(err, 0, "linux.sysctl.%s: needs a UTS namespace", key);
        return 0;
    }
    return err_set(err, 0,
                   "linux.sysctl.%s: not namespaced: it would change the host (only IPC, "
                   "net.* and UTS sysctls are allowed)",
                   key);
need_ipc:
    if (!l->ns[NS_IPC].want)
        return err_set(err, 0, "linux.sysctl.%s: needs an IPC namespace", key);
    return 0;
}

int proc_sysctl(int procfd, const char *key, const char *value, merr_t *err)
{
    cleanup_free char *path = xasprintf("sys/%s", key);
    if (!strchr(key, '/'))
        for (char *p = path + 4; *p; p++)
            if (*p == '.')
                *p = '/';
    if (proc_write(procfd, path, value, err) < 0)
        return err_wrap(err, "linux.sysctl.%s", key);
    return 0;
}

int proc_join_keyring(const char *name, merr_t *err)
{
    /* KEYCTL_JOIN_SESSION_KEYRING = 1 */
    if (syscall(SYS_keyctl, 1, name, 0, 0, 0) < 0) {
        if (errno == ENOSYS || errno == EACCES || errno == EPERM || errno == EDQUOT) {
            log_debug("session keyring not created: %s", strerror(errno));
            return 0;
        }
        return err_sys(err, "join session keyring %s", name);
    }
    return 0;
}
