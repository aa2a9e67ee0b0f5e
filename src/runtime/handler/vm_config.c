/* vm_config.c: a container's config turned into its VM sandbox's (see
 * vm_config.h). */
#include "vm_config.h"
#include "../profile.h"
#include "../../util/util.h"

#include <errno.h>
#include <string.h>

#define MIB (1024 * 1024)
#define QEMU_OVERHEAD_MIB 192 /* QEMU's own memory beside the guest's (TCG) */
#define GUEST_MIN_MIB 128
#define GUEST_MAX_MIB (64 * 1024)
#define GUEST_DEFAULT_MIB 256

const char *const vm_skeleton_entries[] = {"usr/",
                                           "etc/",
                                           "etc/ld.so.cache",
                                           "etc/resolv.conf",
                                           "dev/",
                                           "proc/",
                                           "run/",
                                           "tmp/",
                                           "kit/",
                                           "kit/vmlinux",
                                           "kit/initrd",
                                           "rootfs/",
                                           "moat-vmm",
                                           "bin>usr/bin",
                                           "sbin>usr/sbin",
                                           "lib>usr/lib",
                                           "lib64>usr/lib64",
                                           NULL};

/* the kernel's own file systems: made by the guest, never on the host */
static const char *const guest_types[] = {"proc",   "sysfs",  "tmpfs",  "devpts",
                                          "mqueue", "cgroup", "cgroup2"};

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

bool vm_wanted(json_t *config)
{
    const char *h = str(json_object_get(config, "annotations"), VM_HANDLER_KEY);
    return h && !strcmp(h, VM_HANDLER_VALUE);
}

static bool has_option(json_t *m, const char *opt)
{
    json_t *o = json_object_get(m, "options"), *v;
    size_t i;
    json_array_foreach(o, i, v)
    {
        if (json_string_value(v) && !strcmp(json_string_value(v), opt))
            return true;
    }
    return false;
}

bool vm_mount_is_bind(json_t *m)
{
    const char *t = str(m, "type");
    return (t && !strcmp(t, "bind")) || has_option(m, "bind") || has_option(m, "rbind");
}

static bool is_guest(json_t *m)
{
    const char *t = str(m, "type");
    for (size_t i = 0; t && i < ARRAY_SIZE(guest_types); i++)
        if (!strcmp(t, guest_types[i]))
            return true;
    return false;
}

static json_t *bind(const char *src, const char *dst, bool ro)
{
    return json_pack("{s:s,s:s,s:s,s:[s,s,s,s]}", "destination", dst, "type", "bind", "source", src,
                     "options", "rbind", ro ? "ro" : "rw", "nosuid", "nodev");
}

static json_t *fs(const char *type, const char *dst, const char *opts)
{
    json_t *o = json_array();
    char *copy = xstrdup(opts), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(o, json_string(t));
    free(copy);
    return json_pack("{s:s,s:s,s:s,s:o}", "destination", dst, "type", type, "source", type,
                     "options", o);
}

/* a bind of the container's, moved under /rootfs, never a device's way in */
static json_t *shared_bind(json_t *m)
{
    json_t *c = json_deep_copy(m);
    const char *d = str(m, "destination");
    json_object_set_new(c, "destination", json_sprintf("/rootfs%s%s", d[0] == '/' ? "" : "/", d));
    json_t *o = json_object_get(c, "options");
    if (!json_is_array(o))
        json_object_set_new(c, "options", o = json_array());
    if (!has_option(c, "nodev"))
        json_array_append_new(o, json_string("nodev"));
    if (!has_option(c, "nosuid"))
        json_array_append_new(o, json_string("nosuid"));
    return c;
}

/* QEMU's user-mode network, unless the engine says the container has
 * none (--network none: VM_NET_KEY none) */
static bool wants_net(json_t *config)
{
    const char *n = str(json_object_get(config, "annotations"), VM_NET_KEY);
    return !n || strcmp(n, "none") != 0;
}

/* the container's resolv.conf (a bind of the engine's), for QEMU's DNS */
static const char *resolv_source(json_t *config)
{
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(config, "mounts"), i, m)
    {
        const char *d = str(m, "destination");
        if (d && !strcmp(d, "/etc/resolv.conf") && vm_mount_is_bind(m))
            return str(m, "source");
    }
    return NULL;
}

/* the sandbox's own mounts, then the container's binds under /rootfs;
 * its kernel file systems to guest_mounts */
static json_t *mounts(json_t *config, const struct vm_paths *p, json_t *guest_mounts, merr_t *err)
{
    bool ro = json_is_true(json_object_get(json_object_get(config, "root"), "readonly"));
    json_t *out = json_array();
    json_array_append_new(out, fs("proc", "/proc", "nosuid,noexec,nodev"));
    json_array_append_new(out, fs("tmpfs", "/dev", "nosuid,strictatime,mode=755,size=65536k"));
    json_array_append_new(
        out, fs("devpts", "/dev/pts", "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"));
    json_array_append_new(out, fs("tmpfs", "/run", "nosuid,nodev,mode=755,size=16m"));
    json_array_append_new(out, fs("tmpfs", "/tmp", "nosuid,nodev,mode=1777,size=64m"));
    json_array_append_new(out, bind("/usr", "/usr", true));
    if (p->ld_cache)
        json_array_append_new(out, bind(p->ld_cache, "/etc/ld.so.cache", true));
    json_array_append_new(out, bind(p->kernel, "/kit/vmlinux", true));
    json_array_append_new(out, bind(p->initrd, "/kit/initrd", true));
    json_array_append_new(out, bind(p->exe, "/moat-vmm", true));
    json_array_append_new(out, bind(p->rootfs, "/rootfs", ro));
    if (resolv_source(config) && wants_net(config))
        json_array_append_new(out, bind(resolv_source(config), "/etc/resolv.conf", true));
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(config, "mounts"), i, m)
    {
        const char *d = str(m, "destination");
        if (!d || !*d) {
            json_decref(out);
            err_set(err, EINVAL, "config.json: mounts[%zu].destination: is required", i);
            return NULL;
        }
        if (is_guest(m)) {
            json_array_append(guest_mounts, m);
        } else if (vm_mount_is_bind(m)) {
            json_array_append_new(out, shared_bind(m));
        } else {
            json_decref(out);
            err_set(err, EINVAL,
                    "config.json: mounts[%zu]: a mount of type \"%s\" cannot be given to a VM "
                    "(binds and the kernel's file systems can)",
                    i, str(m, "type") ? str(m, "type") : "");
            return NULL;
        }
    }
    return out;
}

void vm_size(json_t *config, unsigned host_cpus, unsigned *mib, unsigned *cpus)
{
    json_t *res = json_object_get(json_object_get(config, "linux"), "resources");
    json_int_t limit = json_integer_value(json_object_get(json_object_get(res, "memory"), "limit"));
    *mib = GUEST_DEFAULT_MIB;
    if (limit > 0) {
        json_int_t m = limit / MIB - QEMU_OVERHEAD_MIB;
        *mib = (unsigned)(m < GUEST_MIN_MIB   ? GUEST_MIN_MIB
                          : m > GUEST_MAX_MIB ? GUEST_MAX_MIB
                                              : m);
    }
    json_t *cpu = json_object_get(res, "cpu");
    json_int_t quota = json_integer_value(json_object_get(cpu, "quota")),
               period = json_integer_value(json_object_get(cpu, "period"));
    *cpus = 1;
    if (quota > 0 && period > 0)
        *cpus = (unsigned)((quota + period - 1) / period);
    if (host_cpus && *cpus > host_cpus)
        *cpus = host_cpus;
    if (*cpus == 0)
        *cpus = 1;
}

/* Landlock for QEMU and virtiofsd: read and run the skeleton, write
 * their sockets, and the share (virtiofsd, for the guest) */
static json_t *landlock(void)
{
    static const char *const rw[] = {"/run", "/tmp", "/rootfs"};
    return profile_landlock(false, rw, ARRAY_SIZE(rw));
}

static json_t *names(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* what virtiofsd needs to act for the guest's users on the share, and
 * QEMU to listen on the container's ports below 1024 (the guest's
 * forwards), in the container's user namespace; nothing more */
static json_t *caps(void)
{
    static const char *const c[] = {"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FOWNER",
                                    "CAP_FSETID",  "CAP_KILL",         "CAP_SETGID",
                                    "CAP_SETUID",  "CAP_SETFCAP",      "CAP_SYS_CHROOT",
                                    "CAP_SETPCAP", "CAP_MKNOD",        "CAP_NET_BIND_SERVICE"};
    return json_pack("{s:o,s:o,s:o,s:[],s:[]}", "bounding", names(c, ARRAY_SIZE(c)), "effective",
                     names(c, ARRAY_SIZE(c)), "permitted", names(c, ARRAY_SIZE(c)), "inheritable",
                     "ambient");
}

/* the ports the engine named, as the spec's forwards ("tcp:80"); what is
 * not PORT/tcp or PORT/udp is left out */
static json_t *forwards(json_t *config)
{
    json_t *out = json_array();
    const char *v = str(json_object_get(config, "annotations"), VM_PORTS_KEY);
    cleanup_free char *copy = xstrdup(v ? v : "");
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *slash = strchr(t, '/'), *end;
        const char *proto = slash ? slash + 1 : "tcp";
        if (slash)
            *slash = 0;
        unsigned long port = strtoul(t, &end, 10);
        if (end == t || *end || port < 1 || port > 65535 ||
            (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0))
            continue;
        json_array_append_new(out, json_sprintf("%s:%lu", proto, port));
    }
    return out;
}

static json_t *vm_spec(json_t *config, const struct vm_paths *p, json_t *guest_mounts)
{
    json_t *proc = json_deep_copy(json_object_get(config, "process"));
    /* the host's confinement of it is the sandbox's; in the guest it keeps
     * the container's capabilities (the guest's kernel's) */
    static const char *const drop[] = {"landlock", "apparmorProfile", "selinuxLabel",
                                       "consoleSize"};
    for (size_t i = 0; i < ARRAY_SIZE(drop); i++)
        json_object_del(proc, drop[i]);
    unsigned mib, cpus;
    vm_size(config, p->host_cpus, &mib, &cpus);
    json_t *root = json_object_get(config, "root");
    bool net = wants_net(config);
    json_t *spec = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:s,s:{s:b,s:s?,s:b,s:o,s:o}}", "kernel", "/kit/vmlinux",
        "initrd", "/kit/initrd", "rootfs", "/rootfs", "run_dir", "/run/moat-vm", "exec_socket",
        "/run/moat-vm/exec.sock", "memory_mib", (int)mib, "cpus", (int)cpus, "accel",
        p->kvm ? "kvm" : "tcg", "guest", "terminal",
        json_is_true(json_object_get(json_object_get(config, "process"), "terminal")), "hostname",
        str(config, "hostname"), "readonly_root", json_is_true(json_object_get(root, "readonly")),
        "process", proc, "mounts", guest_mounts);
    json_t *g = json_object_get(spec, "guest");
    /* the container's hardening, applied by the guest to the guest's
     * kernel; the sandbox keeps them for QEMU too */
    json_t *lin = json_object(), *cl = json_object_get(config, "linux");
    static const char *const harden[] = {"maskedPaths", "readonlyPaths", "sysctl"};
    for (size_t i = 0; i < ARRAY_SIZE(harden); i++)
        if (json_object_get(cl, harden[i]))
            json_object_set(lin, harden[i], json_object_get(cl, harden[i]));
    json_object_set_new(g, "linux", lin);
    if (p->seccomp)
        json_object_set(g, "seccomp", p->seccomp);
    json_object_set_new(spec, "net", json_string(net ? "user" : "none"));
    if (net)
        json_object_set_new(spec, "forwards", forwards(config));
    if (net) /* QEMU's user-mode network: its fixed addresses */
        json_object_set_new(json_object_get(spec, "guest"), "net",
                            json_pack("{s:s,s:i,s:s,s:s}", "address", "10.0.2.15", "prefix", 24,
                                      "gateway", "10.0.2.2", "dns", "10.0.2.3"));
    return spec;
}

static json_t *process(json_t *config, json_t *spec, const struct vm_paths *p)
{
    json_t *orig = json_object_get(config, "process");
    cleanup_free char *text = json_dumps(spec, JSON_COMPACT);
    json_t *env = json_pack("[s,s]", "PATH=/usr/bin:/usr/sbin", "TERM=xterm");
    json_array_append_new(env, json_sprintf("%s=%s", VM_SPEC_ENV, text ? text : "{}"));
    json_t *pr = json_pack("{s:b,s:[s],s:o,s:s,s:{s:i,s:i},s:o,s:b}", "terminal",
                           json_is_true(json_object_get(orig, "terminal")), "args", "/moat-vmm",
                           "env", env, "cwd", "/", "user", "uid", 0, "gid", 0, "capabilities",
                           caps(), "noNewPrivileges", 1);
    /* the container's rlimits are the guest's; virtiofsd holds a
     * descriptor for each file the guest has cached: many more */
    json_object_set_new(pr, "rlimits",
                        json_pack("[{s:s,s:I,s:I}]", "type", "RLIMIT_NOFILE", "hard",
                                  (json_int_t)p->nofile, "soft", (json_int_t)p->nofile));
    static const char *const keep[] = {"oomScoreAdj", "apparmorProfile", "selinuxLabel",
                                       "consoleSize"};
    for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
        if (json_object_get(orig, keep[i]))
            json_object_set(pr, keep[i], json_object_get(orig, keep[i]));
    if (json_object_get(orig, "landlock"))
        json_object_set_new(pr, "landlock", landlock());
    return pr;
}

/* virtiofsd confines itself with chroot(2), which containers are denied */
/* QEMU's and virtiofsd's filter is moat's default, whatever the
 * container's: that one is the guest's (vm.c compiles it for the guest),
 * and a profile written for a workload neither protects nor fits QEMU.
 * chroot is allowed: virtiofsd's sandbox. */
static void sandbox_seccomp(json_t *out)
{
    json_t *sc = profile_seccomp();
    json_t *calls = json_object_get(sc, "syscalls"), *rule;
    size_t i;
    json_array_foreach(calls, i, rule)
    {
        json_t *names = json_object_get(rule, "names");
        for (size_t k = json_array_size(names); k-- > 0;)
            if (!strcmp(json_string_value(json_array_get(names, k)) ?: "", "chroot"))
                json_array_remove(names, k);
    }
    json_array_append_new(calls,
                          json_pack("{s:[s],s:s}", "names", "chroot", "action", "SCMP_ACT_ALLOW"));
    json_t *lin = json_object_get(out, "linux");
    if (!json_is_object(lin))
        json_object_set_new(out, "linux", lin = json_object());
    json_object_set_new(lin, "seccomp", sc);
}

/* /dev/kvm, when it works here: the device and the cgroup's leave */
static void give_kvm(json_t *out)
{
    json_t *lin = json_object_get(out, "linux");
    if (!json_is_object(lin))
        json_object_set_new(out, "linux", lin = json_object());
    json_t *devs = json_object_get(lin, "devices");
    if (!json_is_array(devs))
        json_object_set_new(lin, "devices", devs = json_array());
    json_array_append_new(devs, json_pack("{s:s,s:s,s:i,s:i,s:i}", "path", "/dev/kvm", "type", "c",
                                          "major", 10, "minor", 232, "fileMode", 0666));
    json_t *res = json_object_get(lin, "resources");
    if (!json_is_object(res))
        json_object_set_new(lin, "resources", res = json_object());
    json_t *allow = json_object_get(res, "devices");
    if (!json_is_array(allow))
        json_object_set_new(res, "devices", allow = json_array());
    json_array_append_new(allow, json_pack("{s:b,s:s,s:i,s:i,s:s}", "allow", 1, "type", "c",
                                           "major", 10, "minor", 232, "access", "rwm"));
}

json_t *vm_sandbox_config(json_t *config, const struct vm_paths *p, merr_t *err)
{
    if (!json_is_object(json_object_get(config, "process"))) {
        err_set(err, EINVAL, "config.json: process: is required to create a container");
        return NULL;
    }
    json_t *guest_mounts = json_array();
    json_t *ms = mounts(config, p, guest_mounts, err);
    if (!ms) {
        json_decref(guest_mounts);
        return NULL;
    }
    json_t *out = json_deep_copy(config);
    json_object_set_new(out, "mounts", ms);
    json_object_set_new(out, "root", json_pack("{s:s,s:b}", "path", p->skeleton, "readonly", 1));
    json_t *spec = vm_spec(config, p, guest_mounts);
    json_object_set_new(out, "process", process(config, spec, p));
    json_decref(spec);
    sandbox_seccomp(out);
    if (p->kvm)
        give_kvm(out);
    return out;
}
