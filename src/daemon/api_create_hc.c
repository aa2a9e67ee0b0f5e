/* api_create_hc.c: a container-create body's HostConfig and
 * NetworkingConfig into run_opts (see api_create.h), as the run/create
 * flags fill it (cli/cmd_run_flags.c, cmd_run_res.c, cmd_run_net.c). */
#include "api_create_int.h"
#include "../util/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HC "HostConfig"
#define MIN_MEM (INT64_C(6) << 20)

static json_t *hcobj(struct run_opts *o)
{
    if (!o->hc)
        o->hc = json_object();
    return o->hc;
}

/* a list of strings, copied into o->hc under key when not empty */
static int hc_list(json_t *hc, const char *key, struct run_opts *o, merr_t *err)
{
    char **v = NULL;
    cleanup_free char *f = aj_field(HC, key);
    if (aj_strv(hc, key, f, false, &v, err) < 0) {
        strv_free(v);
        return -1;
    }
    if (v)
        json_object_set_new(hcobj(o), key, ctr_strv_json(v));
    strv_free(v);
    return 0;
}

/* a string, into o->hc under key when not empty */
static int hc_string(json_t *hc, const char *key, struct run_opts *o, merr_t *err)
{
    const char *v;
    cleanup_free char *f = aj_field(HC, key);
    if (aj_str(hc, key, f, &v, err) < 0)
        return -1;
    if (v)
        json_object_set_new(hcobj(o), key, json_string(v));
    return 0;
}

/* an integer from min to max, into o->hc when not `unset` */
static int hc_int(json_t *hc, const char *key, int64_t unset, int64_t min, int64_t max,
                  struct run_opts *o, merr_t *err)
{
    int64_t n;
    cleanup_free char *f = aj_field(HC, key);
    if (aj_int(hc, key, f, &n, err) < 0)
        return -1;
    if (!aj_get(hc, key) || n == unset)
        return 0;
    if (n < min || n > max)
        return aj_bad(err, f, "must be from %" PRId64 " to %" PRId64, min, max);
    json_object_set_new(hcobj(o), key, json_integer((json_int_t)n));
    return 0;
}

/* bytes: 0 not given, at least min, or -1 when minus_one */
static int bytes(json_t *hc, const char *key, int64_t min, bool minus_one, int64_t *out,
                 merr_t *err)
{
    int64_t n;
    cleanup_free char *f = aj_field(HC, key);
    if (aj_int(hc, key, f, &n, err) < 0)
        return -1;
    if (n == 0)
        return 0;
    if ((n != -1 || !minus_one) && n < min)
        return aj_bad(err, f, "must be a number of bytes >= %s%s",
                      min == MIN_MEM ? "6 MiB" : "4096", minus_one ? ", or -1" : "");
    *out = n;
    return 0;
}

/* what moat has no way to honour, refused when set */
static int unsupported(json_t *hc, merr_t *err)
{
    static const char *const keys[] = {"DeviceRequests", "MaskedPaths",       "ReadonlyPaths",
                                       "Cgroup",         "CpuCount",          "CpuPercent",
                                       "IOMaximumIOps",  "IOMaximumBandwidth"};
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        json_t *v = aj_get(hc, keys[i]);
        bool set = v && !(json_is_integer(v) && !json_integer_value(v)) &&
                   !(json_is_array(v) && !json_array_size(v)) &&
                   !(json_is_string(v) && !json_string_length(v));
        if (set) {
            cleanup_free char *f = aj_field(HC, keys[i]);
            return aj_bad(err, f,
                          "not supported by moat (it has no GPUs, its masked and read-only "
                          "paths are its own, it runs on Linux with its own cgroups)");
        }
    }
    return 0;
}

/* Memory, MemorySwap, MemoryReservation, ShmSize, NanoCpus, CpuShares,
 * CpusetCpus, PidsLimit, OomScoreAdj */
static int resources(json_t *hc, struct run_opts *o, merr_t *err)
{
    int64_t mem = 0, cpus, shares, pids, oom;
    const char *cpuset;
    if (bytes(hc, "Memory", MIN_MEM, false, &mem, err) < 0 ||
        bytes(hc, "MemorySwap", MIN_MEM, true, &o->memory_swap, err) < 0 ||
        bytes(hc, "MemoryReservation", MIN_MEM, false, &o->memory_reservation, err) < 0 ||
        bytes(hc, "ShmSize", 4096, false, &o->shm_size, err) < 0 ||
        aj_int(hc, "NanoCpus", HC ".NanoCpus", &cpus, err) < 0 ||
        aj_int(hc, "CpuShares", HC ".CpuShares", &shares, err) < 0 ||
        aj_int(hc, "PidsLimit", HC ".PidsLimit", &pids, err) < 0 ||
        aj_int(hc, "OomScoreAdj", HC ".OomScoreAdj", &oom, err) < 0 ||
        aj_str(hc, "CpusetCpus", HC ".CpusetCpus", &cpuset, err) < 0)
        return -1;
    if (mem)
        o->po.memory = mem;
    if (cpus) {
        if (cpus < 0 || cpus > INT64_C(4096000000000))
            return aj_bad(err, HC ".NanoCpus", "must be from 1 to 4096e9 (4096 CPUs)");
        o->cpus = (double)cpus / 1e9;
    }
    if (shares && (shares < 2 || shares > 262144))
        return aj_bad(err, HC ".CpuShares", "must be from 2 to 262144");
    o->cpu_shares = shares;
    if (pids) { /* 0: not given (Docker's clients send it); -1: no limit */
        if (!run_pids_ok(pids))
            return aj_bad(err, HC ".PidsLimit", "must be from 1 to 4194304, or -1");
        o->po.pids = pids;
    }
    if (oom) {
        if (oom < -1000 || oom > 1000)
            return aj_bad(err, HC ".OomScoreAdj", "must be from -1000 to 1000");
        o->oom_score_adj = oom;
    }
    if (cpuset && !run_cpuset_ok(cpuset))
        return aj_bad(err, HC ".CpusetCpus", "\"%.64s\": CPU numbers and ranges (0-3,5)", cpuset);
    o->cpuset_cpus = cpuset;
    return 0;
}

/* the cgroup knobs that stay in HostConfig under Docker's names
 * (engine/ctr_res.c checks their values at create) */
static int cgroup_knobs(json_t *hc, struct run_opts *o, merr_t *err)
{
    static const char *const dev_lists[] = {"BlkioWeightDevice", "BlkioDeviceReadBps",
                                            "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
                                            "BlkioDeviceWriteIOps"};
    bool oomkd = false;
    if (hc_int(hc, "CpuPeriod", 0, 0, 1000000, o, err) < 0 ||
        hc_int(hc, "CpuQuota", 0, -1, INT64_MAX, o, err) < 0 ||
        hc_int(hc, "CpuRealtimePeriod", 0, 0, INT64_MAX, o, err) < 0 ||
        hc_int(hc, "CpuRealtimeRuntime", 0, -1, INT64_MAX, o, err) < 0 ||
        hc_int(hc, "BlkioWeight", 0, 0, 65535, o, err) < 0 ||
        hc_int(hc, "MemorySwappiness", -1, -1, 100, o, err) < 0 ||
        hc_string(hc, "CpusetMems", o, err) < 0 || hc_string(hc, "CgroupParent", o, err) < 0 ||
        hc_string(hc, "CgroupnsMode", o, err) < 0 || hc_list(hc, "DeviceCgroupRules", o, err) < 0 ||
        aj_bool(hc, "OomKillDisable", HC ".OomKillDisable", &oomkd, err) < 0)
        return -1;
    if (oomkd)
        json_object_set_new(hcobj(o), "OomKillDisable", json_true());
    for (size_t i = 0; i < ARRAY_SIZE(dev_lists); i++) {
        json_t *a = aj_get(hc, dev_lists[i]), *e;
        size_t j;
        const char *unit = i ? "Rate" : "Weight";
        if (a && !json_is_array(a))
            return aj_bad(err, dev_lists[i], "must be a list of {\"Path\", \"%s\"}", unit);
        json_array_foreach(a, j, e)
        {
            json_t *p = aj_get(e, "Path"), *n = aj_get(e, unit);
            if (!json_is_string(p) || !json_string_length(p) || !json_is_integer(n) ||
                json_integer_value(n) < 0)
                return aj_bad(err, dev_lists[i], "must be a list of {\"Path\", \"%s\"}", unit);
            json_t *l = json_object_get(hcobj(o), dev_lists[i]);
            if (!l)
                json_object_set_new(o->hc, dev_lists[i], l = json_array());
            json_array_append_new(l, json_pack("{s:O,s:O}", "Path", p, unit, n));
        }
    }
    return 0;
}

/* Devices: as --device (the engine checks each is a device at create) */
static int devices(json_t *hc, struct run_opts *o, merr_t *err)
{
    json_t *a = aj_get(hc, "Devices"), *d;
    size_t i;
    if (a && !json_is_array(a))
        return aj_bad(err, HC ".Devices", "must be a list of {\"PathOnHost\", ...}");
    json_array_foreach(a, i, d)
    {
        const char *host, *in, *perm;
        if (aj_str(d, "PathOnHost", HC ".Devices.PathOnHost", &host, err) < 0 ||
            aj_str(d, "PathInContainer", HC ".Devices.PathInContainer", &in, err) < 0 ||
            aj_str(d, "CgroupPermissions", HC ".Devices.CgroupPermissions", &perm, err) < 0)
            return -1;
        if (!host)
            return aj_bad(err, HC ".Devices", "PathOnHost is required");
        json_t *l = json_object_get(hcobj(o), "Devices");
        if (!l)
            json_object_set_new(o->hc, "Devices", l = json_array());
        json_array_append_new(l,
                              json_pack("{s:s,s:s,s:s}", "PathOnHost", host, "PathInContainer",
                                        in ? in : host, "CgroupPermissions", perm ? perm : "rwm"));
    }
    return 0;
}

/* PidMode, IpcMode, UTSMode, UsernsMode, Runtime, VolumeDriver, Isolation */
static int modes(json_t *hc, struct run_opts *o, merr_t *err)
{
    static const char *const keys[] = {"PidMode", "IpcMode", "UTSMode"};
    const char *v;
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        cleanup_free char *f = aj_field(HC, keys[i]);
        if (aj_str(hc, keys[i], f, &v, err) < 0)
            return -1;
        if (v && !run_ns_mode_ok("piu"[i], v))
            return aj_bad(err, f, "\"%.64s\": host or private%s", v,
                          i == 1   ? ", shareable, none or container:NAME"
                          : i == 0 ? " or container:NAME"
                                   : "");
        if (v)
            json_object_set_new(hcobj(o), keys[i], json_string(v));
    }
    if (aj_str(hc, "UsernsMode", HC ".UsernsMode", &v, err) < 0)
        return -1;
    if (v && strcmp(v, "host") != 0 && strcmp(v, "private") != 0)
        return aj_bad(err, HC ".UsernsMode", "\"%.64s\": host, or empty for private", v);
    o->userns_host = v && !strcmp(v, "host");
    if (aj_str(hc, "Runtime", HC ".Runtime", &v, err) < 0)
        return -1;
    if (v && strcmp(v, "moat") != 0 && strcmp(v, "runc") != 0)
        return aj_bad(err, HC ".Runtime", "\"%.64s\": unknown or invalid runtime name (moat)", v);
    if (v)
        json_object_set_new(hcobj(o), "Runtime", json_string("moat"));
    if (aj_str(hc, "VolumeDriver", HC ".VolumeDriver", &v, err) < 0)
        return -1;
    if (v && strcmp(v, "local") != 0)
        return aj_bad(err, HC ".VolumeDriver", "\"%.64s\": only the local driver", v);
    if (v)
        json_object_set_new(hcobj(o), "VolumeDriver", json_string(v));
    if (aj_str(hc, "Isolation", HC ".Isolation", &v, err) < 0)
        return -1;
    if (v && !strcmp(v, "vm"))
        json_object_set_new(hcobj(o), "Isolation", json_string("vm"));
    else if (v && *v && strcmp(v, "default") != 0)
        return aj_bad(err, HC ".Isolation", "\"%.64s\": default or vm", v);
    return 0;
}

/* RestartPolicy {Name, MaximumRetryCount} as --restart NAME[:N] */
static int restart(json_t *hc, struct run_opts *o, merr_t *err)
{
    json_t *rp = aj_get(hc, "RestartPolicy"), *pol = NULL;
    const char *name;
    int64_t n;
    if (rp && !json_is_object(rp))
        return aj_bad(err, HC ".RestartPolicy", "must be {\"Name\", \"MaximumRetryCount\"}");
    if (aj_str(rp, "Name", HC ".RestartPolicy.Name", &name, err) < 0 ||
        aj_int(rp, "MaximumRetryCount", HC ".RestartPolicy.MaximumRetryCount", &n, err) < 0)
        return -1;
    if (!name || (!strcmp(name, "no") && !n))
        return 0;
    char *spec = n ? xasprintf("%s:%" PRId64, name, n) : xstrdup(name);
    if (restart_parse(spec, &pol, err) < 0) {
        free(spec);
        return err_wrap(err, HC ".RestartPolicy");
    }
    json_decref(pol);
    o->restart = ac_keep(o, spec);
    return 0;
}

/* LogConfig {Type, Config} as --log-driver, --log-opt */
static int log_config(json_t *hc, struct run_opts *o, merr_t *err)
{
    json_t *lc = aj_get(hc, "LogConfig");
    const char *type;
    char **opts = NULL;
    if (lc && !json_is_object(lc))
        return aj_bad(err, HC ".LogConfig", "must be {\"Type\", \"Config\"}");
    if (aj_str(lc, "Type", HC ".LogConfig.Type", &type, err) < 0 ||
        (type && log_parse_driver(type, &o->log, err) < 0))
        return type ? err_wrap(err, HC ".LogConfig") : -1;
    int r = aj_kv(lc, "Config", HC ".LogConfig.Config", '=', &opts, err);
    for (size_t i = 0; r == 0 && opts && opts[i]; i++)
        if (log_parse_opt(opts[i], &o->log, err) < 0)
            r = err_wrap(err, HC ".LogConfig.Config");
    strv_free(opts);
    return r;
}

/* Binds, Tmpfs, Ulimits, VolumesFrom, StorageOpt */
static int storage(json_t *hc, struct run_opts *o, merr_t *err)
{
    char **binds = NULL, **so = NULL;
    int r = aj_strv(hc, "Binds", HC ".Binds", false, &binds, err);
    for (size_t i = 0; r == 0 && binds && binds[i]; i++) {
        struct mount_req m;
        if (ctr_parse_volume(binds[i], &m, err) < 0) {
            mount_req_free(&m);
            r = err_wrap(err, HC ".Binds");
            break;
        }
        strv_push(&o->binds, binds[i]);
        run_opts_add_mount(o, &m);
    }
    strv_free(binds);
    if (r < 0 || aj_kv(hc, "Tmpfs", HC ".Tmpfs", ':', &o->tmpfs, err) < 0 ||
        aj_strv(hc, "VolumesFrom", HC ".VolumesFrom", false, &o->volumes_from, err) < 0 ||
        aj_kv(hc, "StorageOpt", HC ".StorageOpt", '=', &so, err) < 0) {
        strv_free(so);
        return -1;
    }
    for (size_t i = 0; o->tmpfs && o->tmpfs[i]; i++) { /* "/run:" is "/run" */
        size_t l = strlen(o->tmpfs[i]);
        if (l && o->tmpfs[i][l - 1] == ':')
            o->tmpfs[i][l - 1] = 0;
    }
    for (size_t i = 0; so && so[i]; i++)
        if (rwl_parse_opt(so[i], &o->storage_size, err) < 0) {
            strv_free(so);
            return err_wrap(err, HC ".StorageOpt");
        }
    strv_free(so);
    json_t *ul = aj_get(hc, "Ulimits"), *u;
    size_t i;
    if (ul && !json_is_array(ul))
        return aj_bad(err, HC ".Ulimits", "must be a list of {\"Name\", \"Soft\", \"Hard\"}");
    json_array_foreach(ul, i, u)
    {
        const char *name;
        int64_t soft, hard;
        if (aj_str(u, "Name", HC ".Ulimits.Name", &name, err) < 0 ||
            aj_int(u, "Soft", HC ".Ulimits.Soft", &soft, err) < 0 ||
            aj_int(u, "Hard", HC ".Ulimits.Hard", &hard, err) < 0)
            return -1;
        if (!name || soft < 0 || hard < 0 || soft > hard)
            return aj_bad(err, HC ".Ulimits", "each a Name and 0 <= Soft <= Hard");
        char *spec = xasprintf("%s=%" PRId64 ":%" PRId64, name, soft, hard);
        strv_push(&o->ulimits, spec);
        free(spec);
    }
    return 0;
}

/* Privileged, ReadonlyRootfs, AutoRemove, Init, CapAdd, CapDrop,
 * SecurityOpt, GroupAdd, Sysctls (checked in ac_networking: they depend
 * on the network mode), Annotations */
static int security(json_t *hc, struct run_opts *o, merr_t *err)
{
    char **add = NULL, **drop = NULL, **sec = NULL;
    int r = 0;
    if (aj_bool(hc, "Privileged", HC ".Privileged", &o->privileged, err) < 0 ||
        aj_bool(hc, "ReadonlyRootfs", HC ".ReadonlyRootfs", &o->read_only, err) < 0 ||
        aj_bool(hc, "AutoRemove", HC ".AutoRemove", &o->rm, err) < 0 ||
        aj_bool(hc, "Init", HC ".Init", &o->init, err) < 0 ||
        aj_strv(hc, "GroupAdd", HC ".GroupAdd", false, &o->group_add, err) < 0 ||
        aj_kv(hc, "Sysctls", HC ".Sysctls", '=', &o->sysctls, err) < 0 ||
        aj_kv(hc, "Annotations", HC ".Annotations", '=', &o->annotations, err) < 0 ||
        aj_strv(hc, "CapAdd", HC ".CapAdd", false, &add, err) < 0 ||
        aj_strv(hc, "CapDrop", HC ".CapDrop", false, &drop, err) < 0 ||
        aj_strv(hc, "SecurityOpt", HC ".SecurityOpt", false, &sec, err) < 0)
        r = -1;
    for (size_t i = 0; r == 0 && add && add[i]; i++)
        if (run_cap(o, true, add[i]) < 0)
            r = aj_bad(err, HC ".CapAdd", "unknown capability \"%.64s\"", add[i]);
    for (size_t i = 0; r == 0 && drop && drop[i]; i++)
        if (run_cap(o, false, drop[i]) < 0)
            r = aj_bad(err, HC ".CapDrop", "unknown capability \"%.64s\"", drop[i]);
    for (size_t i = 0; r == 0 && sec && sec[i]; i++)
        if (run_security_opt(o, ac_keep(o, xstrdup(sec[i])), HC ".SecurityOpt", err) < 0)
            r = -1;
    for (size_t i = 0; r == 0 && o->annotations && o->annotations[i]; i++)
        if (!run_annotation_ok(o->annotations[i]))
            r = aj_bad(err, HC ".Annotations", "\"%.64s\": run.moat.* keys are moat's own",
                       o->annotations[i]);
    strv_free(add);
    strv_free(drop);
    strv_free(sec);
    return r;
}

/* PortBindings, PublishAllPorts, NetworkMode, Dns*, ExtraHosts, Links */
static int network(json_t *hc, struct run_opts *o, merr_t *err)
{
    json_t *pb = aj_get(hc, "PortBindings"), *a, *b;
    const char *k, *mode;
    size_t i;
    bool all = false;
    if (pb && !json_is_object(pb))
        return aj_bad(err, HC ".PortBindings", "must be an object of \"PORT/PROTOCOL\": [...]");
    json_object_foreach(pb, k, a)
    {
        if (!o->exposed)
            o->exposed = json_object();
        if (!o->port_bindings)
            o->port_bindings = json_object();
        if (ports_expose_parse(k, o->exposed, err) < 0)
            return err_wrap(err, HC ".PortBindings");
        if (a && !json_is_null(a) && !json_is_array(a))
            return aj_bad(err, HC ".PortBindings", "\"%.32s\": must be a list", k);
        json_array_foreach(a, i, b)
        {
            const char *ip, *hp;
            if (aj_str(b, "HostIp", HC ".PortBindings.HostIp", &ip, err) < 0 ||
                aj_str(b, "HostPort", HC ".PortBindings.HostPort", &hp, err) < 0)
                return -1;
            cleanup_free char *spec = ip ? xasprintf("%s:%s:%s", ip, hp ? hp : "", k)
                                         : xasprintf("%s%s%s", hp ? hp : "", hp ? ":" : "", k);
            if (ports_publish_parse(spec, o->port_bindings, o->exposed, err) < 0)
                return err_wrap(err, HC ".PortBindings");
        }
    }
    if (aj_bool(hc, "PublishAllPorts", HC ".PublishAllPorts", &all, err) < 0 ||
        aj_str(hc, "NetworkMode", HC ".NetworkMode", &mode, err) < 0)
        return -1;
    if (all)
        json_object_set_new(hcobj(o), "PublishAllPorts", json_true());
    if (mode && strcmp(mode, "default") != 0) {
        const char *was = json_string_value(json_object_get(o->hc, "NetworkMode"));
        if (was && strcmp(was, mode) != 0) /* NetworkDisabled */
            return aj_bad(err, HC ".NetworkMode", "\"%.64s\" conflicts with NetworkDisabled", mode);
        o->net_host = !strcmp(mode, "host");
        json_object_set_new(hcobj(o), "NetworkMode", json_string(mode));
    }
    if (hc_list(hc, "Dns", o, err) < 0 || hc_list(hc, "DnsSearch", o, err) < 0 ||
        hc_list(hc, "DnsOptions", o, err) < 0 || hc_list(hc, "ExtraHosts", o, err) < 0 ||
        hc_list(hc, "Links", o, err) < 0)
        return -1;
    return 0;
}

int ac_hostconfig(json_t *hc, struct run_opts *o, merr_t *err)
{
    if (unsupported(hc, err) < 0 || resources(hc, o, err) < 0 || cgroup_knobs(hc, o, err) < 0 ||
        devices(hc, o, err) < 0 || modes(hc, o, err) < 0 || restart(hc, o, err) < 0 ||
        log_config(hc, o, err) < 0 || storage(hc, o, err) < 0 || security(hc, o, err) < 0 ||
        network(hc, o, err) < 0)
        return -1;
    if (o->rm && o->restart && strcmp(o->restart, "no") != 0)
        return aj_bad(err, HC ".AutoRemove", "conflicts with RestartPolicy %s", o->restart);
    for (size_t i = 0; o->sysctls && o->sysctls[i]; i++) {
        const char *why = ctr_sysctl_bad(o->sysctls[i], o->net_host);
        if (why)
            return aj_bad(err, HC ".Sysctls", "\"%.128s\": %s", o->sysctls[i], why);
    }
    return 0;
}
