/* sysinfo.c: version and info (see sysinfo.h). */
#include "sysinfo.h"
#include "ctr.h"
#include "ctr_list.h"
#include "rwlayer.h"
#include "../kernel/cgroup.h"
#include "../kernel/lsm.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef MOAT_VERSION
#define MOAT_VERSION "0.0.0"
#endif

const char *sys_goarch(void)
{
    static const char *const m[][2] = {
        {"x86_64", "amd64"},    {"aarch64", "arm64"}, {"i686", "386"},       {"armv7l", "arm"},
        {"ppc64le", "ppc64le"}, {"s390x", "s390x"},   {"riscv64", "riscv64"}};
    static struct utsname u;
    if (!u.machine[0])
        uname(&u);
    for (size_t i = 0; i < ARRAY_SIZE(m); i++)
        if (strcmp(u.machine, m[i][0]) == 0)
            return m[i][1];
    return u.machine;
}

json_t *sys_version(void)
{
    struct utsname u;
    uname(&u);
    json_t *details = json_pack("{s:s,s:s,s:s,s:s,s:s}", "ApiVersion", SYS_API_VERSION,
                                "MinAPIVersion", SYS_API_MIN_VERSION, "Os", "linux", "Arch",
                                sys_goarch(), "KernelVersion", u.release);
    return json_pack("{s:{s:s},s:[{s:s,s:s,s:o}],s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Platform",
                     "Name", "moat", "Components", "Name", "Engine", "Version", MOAT_VERSION,
                     "Details", details, "Version", MOAT_VERSION, "ApiVersion", SYS_API_VERSION,
                     "MinAPIVersion", SYS_API_MIN_VERSION, "GitCommit", "", "Os", "linux", "Arch",
                     sys_goarch(), "KernelVersion", u.release, "BuildTime", "");
}

/* PRETTY_NAME of /etc/os-release, or "Linux" */
static char *os_name(void)
{
    cleanup_free char *t = NULL;
    if (read_file_at(AT_FDCWD, "/etc/os-release", &t, NULL, NULL) == 0) {
        char *save = NULL;
        for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (strncmp(line, "PRETTY_NAME=", 12) != 0)
                continue;
            char *v = line + 12;
            size_t n = strlen(v);
            if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
                return xstrndup(v + 1, n - 2);
            return xstrdup(v);
        }
    }
    return xstrdup("Linux");
}

static json_t *security_options(void)
{
    json_t *a = json_array();
    if (lsm_apparmor_enabled())
        json_array_append_new(a, json_string("name=apparmor"));
    if (lsm_selinux_enabled())
        json_array_append_new(a, json_string("name=selinux"));
    json_array_append_new(a, json_string("name=seccomp,profile=builtin"));
    json_array_append_new(a, json_string("name=userns"));
    json_array_append_new(a, json_string("name=no-new-privileges"));
    json_array_append_new(a, json_string("name=cgroupns"));
    int abi = lsm_landlock_abi();
    if (abi > 0)
        json_array_append_new(a, json_sprintf("name=landlock,abi=%d", abi));
    return a;
}

/* the counts of containers by state */
static void count_containers(struct store *s, json_t *o)
{
    merr_t e = MERR_INIT;
    json_t *recs = ctr_list_records(s, &(struct ctr_list_opts){.all = true}, &e), *r;
    err_clear(&e);
    json_int_t n = 0, running = 0, paused = 0;
    size_t i;
    json_array_foreach(recs, i, r)
    {
        struct ctr_rec c;
        ctr_rec_view(r, &c);
        n++;
        if (strcmp(ctr_rec_state(&c), "paused") == 0)
            paused++;
        else if (c.state.running)
            running++;
        ctr_rec_free(&c);
    }
    json_decref(recs);
    json_object_set_new(o, "Containers", json_integer(n));
    json_object_set_new(o, "ContainersRunning", json_integer(running));
    json_object_set_new(o, "ContainersPaused", json_integer(paused));
    json_object_set_new(o, "ContainersStopped", json_integer(n - running - paused));
}

static json_t *cgroup_facts(json_t *o)
{
    struct cg_host h;
    merr_t e = MERR_INIT;
    const char *v = "";
    if (cg_detect(&h, &e) == 0) {
        v = h.mode == CG_V2 ? "2" : h.mode == CG_NONE ? "" : "1";
        cg_host_free(&h);
    }
    err_clear(&e);
    json_object_set_new(o, "CgroupDriver", json_string("cgroupfs"));
    json_object_set_new(o, "CgroupVersion", json_string(v));
    return o;
}

json_t *sys_info(struct store *s)
{
    struct utsname u;
    uname(&u);
    struct sysinfo si;
    uint64_t mem = sysinfo(&si) == 0 ? (uint64_t)si.totalram * si.mem_unit : 0;
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    cleanup_free char *os = os_name();
    cleanup_free char *rt = ctr_runtime_root(s);
    char **imgs = store_image_ids(s);
    json_int_t nimg = (json_int_t)strv_len(imgs);
    strv_free(imgs);
    struct rwl_plan lp;
    merr_t e = MERR_INIT;
    const char *layer = "none";
    if (rwl_plan(s, 0, &lp, &e) == 0) {
        layer = lp.mech == RWL_BTRFS     ? "btrfs-qgroup"
                : lp.mech == RWL_PROJECT ? "project-quota"
                                         : "none";
        rwl_plan_free(&lp);
    }
    err_clear(&e);
    cleanup_free char *lsms = lsm_active_list();
    json_t *o = json_object();
    count_containers(s, o);
    json_object_update_new(
        o, json_pack("{s:I,s:s,s:[[s,s]],s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:s,s:s,s:s,s:s,s:o,"
                     "s:{s:{s:s}},s:s,s:b,s:[],s:[]}",
                     "Images", nimg, "Driver", "overlayfs", "DriverStatus", "Writable layer limit",
                     layer, "DockerRootDir", s->root, "KernelVersion", u.release, "OperatingSystem",
                     os, "OSType", "linux", "Architecture", u.machine, "Name", host, "NCPU",
                     (int)sysconf(_SC_NPROCESSORS_ONLN), "MemTotal", (json_int_t)mem,
                     "ServerVersion", MOAT_VERSION, "LoggingDriver", "local", "DefaultRuntime",
                     "moat", "InitBinary", "moat-init", "SecurityOptions", security_options(),
                     "Runtimes", "moat", "path", "moat", "IndexServerAddress",
                     "https://index.docker.io/v1/", "ExperimentalBuild", 0, "Labels", "Warnings"));
    cgroup_facts(o);
    json_object_set_new(o, "Moat",
                        json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}", "RuntimeRoot", rt, "WritableLayer",
                                  layer, "ActiveLSMs", lsms ? lsms : "", "LandlockABI",
                                  lsm_landlock_abi(), "ApiVersion", SYS_API_VERSION,
                                  "SeccompProfile", "moat-default"));
    return o;
}
