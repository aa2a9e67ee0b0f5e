/* specgen.c: the config.json written by `moat spec`. */
#include "specgen.h"
#include "../util/util.h"

#include <jansson.h>
#include <string.h>
#include <unistd.h>

static json_t *strs(const char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *mount(const char *dest, const char *type, const char *src, const char *const *opts)
{
    json_t *m = json_pack("{s:s,s:s,s:s}", "destination", dest, "type", type, "source", src);
    if (opts)
        json_object_set_new(m, "options", strs(opts));
    return m;
}

static json_t *idmap(unsigned id)
{
    return json_pack("[{s:i,s:i,s:i}]", "containerID", 0, "hostID", (json_int_t)id, "size", 1);
}

char *specgen_default(bool rootless)
{
    static const char *const env[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL};
    static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
    static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
    static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
                                      "mode=0620", "gid=5",  NULL};
    static const char *const pts_rootless[] = {"nosuid",        "noexec",    "newinstance",
                                               "ptmxmode=0666", "mode=0620", NULL};
    static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
                                      "mode=1777", "size=65536k", NULL};
    static const char *const nne[] = {"nosuid", "noexec", "nodev", NULL};
    static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
    static const char *const sys_rootless[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};
    static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
    static const char *const masked[] = {"/proc/acpi",
                                         "/proc/asound",
                                         "/proc/kcore",
                                         "/proc/keys",
                                         "/proc/latency_stats",
                                         "/proc/timer_list",
                                         "/proc/timer_stats",
                                         "/proc/sched_debug",
                                         "/sys/firmware",
                                         "/proc/scsi",
                                         NULL};
    static const char *const ro[] = {"/proc/bus",           "/proc/fs", "/proc/irq", "/proc/sys",
                                     "/proc/sysrq-trigger", NULL};

    json_t *capobj = json_object();
    static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
    for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
        json_object_set_new(capobj, sets[i], strs(caps));
    json_t *process = json_pack("{s:b,s:{s:i,s:i},s:[s],s:o,s:s,s:o,s:[{s:s,s:i,s:i}],s:b}",
                                "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
                                strs(env), "cwd", "/", "capabilities", capobj, "rlimits", "type",
                                "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1);
    json_t *mounts = json_array();
    json_array_append_new(mounts, mount("/proc", "proc", "proc", NULL));
    json_array_append_new(mounts, mount("/dev", "tmpfs", "tmpfs", dev));
    json_array_append_new(mounts,
                          mount("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
    json_array_append_new(mounts, mount("/dev/shm", "tmpfs", "shm", shm));
    json_array_append_new(mounts, mount("/dev/mqueue", "mqueue", "mqueue", nne));
    if (rootless)
        json_array_append_new(mounts, mount("/sys", "none", "/sys", sys_rootless));
    else {
        json_array_append_new(mounts, mount("/sys", "sysfs", "sysfs", sys));
        json_array_append_new(mounts, mount("/sys/fs/cgroup", "cgroup", "cgroup", cg));
    }
    json_t *ns = json_array();
    static const char *const nsr[] = {"pid", "ipc", "uts", "mount", "user", NULL};
    static const char *const nsd[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", NULL};
    for (const char *const *n = rootless ? nsr : nsd; *n; n++)
        json_array_append_new(ns, json_pack("{s:s}", "type", *n));
    json_t *linux_ = json_pack("{s:o,s:o,s:o}", "namespaces", ns, "maskedPaths", strs(masked),
                               "readonlyPaths", strs(ro));
    if (rootless) {
        json_object_set_new(linux_, "uidMappings", idmap((unsigned)geteuid()));
        json_object_set_new(linux_, "gidMappings", idmap((unsigned)getegid()));
    } else {
        json_object_set_new(linux_, "resources",
                            json_pack("{s:[{s:b,s:s}]}", "devices", "allow", 0, "access", "rwm"));
    }
    json_t *root = json_pack("{s:s,s:o,s:{s:s,s:b},s:s,s:o,s:o}", "ociVersion", "1.1.0", "process",
                             process, "root", "path", "rootfs", "readonly", 1, "hostname", "moat",
                             "mounts", mounts, "linux", linux_);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    char *r = xasprintf("%s\n", text);
    free(text);
    return r;
}
