/* features.c: what `features` reports (runtime-spec features.md): the
 * runtime's and this host's. */
#include "runtime.h"
#include "../kernel/caps.h"
#include "../kernel/cgroup.h"
#include "../kernel/lsm.h"
#include "../util/util.h"

#include <seccomp.h>
#include <stdlib.h>

#ifndef MOAT_VERSION
#define MOAT_VERSION "0.0.0"
#endif

static json_t *strs(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

#define STRS(v) strs(v, ARRAY_SIZE(v))

static const char *const hooks[] = {"prestart",       "createRuntime", "createContainer",
                                    "startContainer", "poststart",     "poststop"};
static const char *const mopts[] = {"async",
                                    "atime",
                                    "bind",
                                    "defaults",
                                    "dev",
                                    "diratime",
                                    "dirsync",
                                    "exec",
                                    "iversion",
                                    "lazytime",
                                    "loud",
                                    "mand",
                                    "noatime",
                                    "nodev",
                                    "nodiratime",
                                    "noexec",
                                    "noiversion",
                                    "nolazytime",
                                    "nomand",
                                    "norelatime",
                                    "nostrictatime",
                                    "nosuid",
                                    "nosymfollow",
                                    "private",
                                    "ratime",
                                    "rbind",
                                    "rdev",
                                    "rdiratime",
                                    "relatime",
                                    "remount",
                                    "rexec",
                                    "rnoatime",
                                    "rnodev",
                                    "rnodiratime",
                                    "rnoexec",
                                    "rnorelatime",
                                    "rnostrictatime",
                                    "rnosuid",
                                    "rnosymfollow",
                                    "ro",
                                    "rprivate",
                                    "rrelatime",
                                    "rro",
                                    "rrw",
                                    "rshared",
                                    "rslave",
                                    "rstrictatime",
                                    "rsuid",
                                    "rsymfollow",
                                    "runbindable",
                                    "rw",
                                    "shared",
                                    "silent",
                                    "slave",
                                    "strictatime",
                                    "suid",
                                    "symfollow",
                                    "sync",
                                    "tmpcopyup",
                                    "unbindable",
                                    "idmap",
                                    "ridmap"};
static const char *const ns[] = {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"};
static const char *const actions[] = {
    "SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",       "SCMP_ACT_TRACE",       "SCMP_ACT_TRAP"};
static const char *const ops[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE",        "SCMP_CMP_GT", "SCMP_CMP_LE",
                                  "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"};
static const char *const archs[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_RISCV64",     "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X"};
static const char *const flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

json_t *rt_features(void)
{
    const char *capnames[CAP_COUNT_KNOWN];
    size_t ncap = 0;
    for (int i = 0; i <= cap_last_cap() && i < CAP_COUNT_KNOWN; i++)
        capnames[ncap++] = cap_name(i);
    struct cg_host host;
    enum cg_mode mode = CG_NONE;
    if (cg_detect(&host, NULL) == 0) {
        mode = host.mode;
        cg_host_free(&host);
    }
    const struct scmp_version *sv = seccomp_version();
    char *lsms = lsm_active_list();
    json_t *f = json_pack(
        "{s:s,s:s,s:o,s:o,s:{s:o,s:o,s:{s:b,s:b,s:b,s:b,s:b,s:s},s:{s:b,s:o,s:o,s:o,s:o,s:o},"
        "s:{s:b},s:{s:b},s:{s:b},s:{s:{s:b}},s:{s:b,s:i}},s:{s:s,s:s,s:s}}",
        "ociVersionMin", "1.0.0", "ociVersionMax", "1.1.0", "hooks", STRS(hooks), "mountOptions",
        STRS(mopts), "linux", "namespaces", STRS(ns), "capabilities", strs(capnames, ncap),
        "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0, "rdma", 1, "hostMode",
        cg_mode_name(mode), "seccomp", "enabled", 1, "actions", STRS(actions), "operators",
        STRS(ops), "archs", STRS(archs), "knownFlags", STRS(flags), "supportedFlags", STRS(flags),
        "apparmor", "enabled", lsm_apparmor_enabled(), "selinux", "enabled", lsm_selinux_enabled(),
        "intelRdt", "enabled", 0, "mountExtensions", "idmap", "enabled", 1, "landlock", "enabled",
        lsm_landlock_abi() > 0, "abi", lsm_landlock_abi(), "annotations", "io.github.moat.version",
        MOAT_VERSION, "io.github.seccomp.libseccomp.version", sv ? "2.5" : "unknown",
        "io.github.moat.lsm", lsms);
    free(lsms);
    return f;
}
