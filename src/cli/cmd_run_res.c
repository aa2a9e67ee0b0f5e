/* cmd_run_res.c: the run/create flags that become HostConfig entries under
 * Docker's names: the cgroup's cpu, blkio and memory knobs, devices, the
 * namespaces shared with the host, and the flags moat accepts as Docker's
 * single choice on Linux (--platform, --runtime, --volume-driver, ...).
 * What the values may be is the engine's to say (engine/ctr_res.c); here
 * they are only parsed. */
#include "cli.h"
#include "run_res.h"
#include "../engine/engine.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

static json_t *hc(struct run_opts *o)
{
    if (!o->hc)
        o->hc = json_object();
    return o->hc;
}

static void append(struct run_opts *o, const char *key, json_t *v)
{
    json_t *a = json_object_get(hc(o), key);
    if (!json_is_array(a))
        json_object_set_new(o->hc, key, a = json_array());
    json_array_append_new(a, v);
}

/* PATH:VALUE of --blkio-weight-device and --device-{read,write}-*; sizes
 * (10mb) for the bps ones */
static int path_value(struct run_opts *o, int id, struct flags_it *it)
{
    static const char *const keys[] = {"BlkioWeightDevice", "BlkioDeviceReadBps",
                                       "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
                                       "BlkioDeviceWriteIOps"};
    const char *v = it->val, *colon = strrchr(v, ':');
    int64_t n = -1;
    bool bytes = id == R_READ_BPS || id == R_WRITE_BPS;
    if (!colon || colon == v ||
        (bytes ? parse_size(colon + 1, &n) : parse_i64(colon + 1, &n)) < 0 || n < 0)
        return flags_error(it, "%s \"%s\": expected PATH:%s", it->seen, v,
                           id == R_BLKIO_WEIGHT_DEVICE ? "WEIGHT"
                           : bytes                     ? "RATE (like 1mb)"
                                                       : "IO-PER-SECOND");
    append(o, keys[id - R_BLKIO_WEIGHT_DEVICE],
           json_pack("{s:s#,s:I}", "Path", v, (size_t)(colon - v),
                     id == R_BLKIO_WEIGHT_DEVICE ? "Weight" : "Rate", (json_int_t)n));
    return 0;
}

/* --device HOST[:CONTAINER][:PERMISSIONS] */
static int device(struct run_opts *o, struct flags_it *it)
{
    cleanup_free char *b = xstrdup(it->val);
    char *parts[3] = {b, NULL, NULL};
    int n = 1;
    for (char *c = b; *c && n < 3; c++)
        if (*c == ':') {
            *c = 0;
            parts[n++] = c + 1;
        }
    const char *perm = "rwm", *in = parts[0];
    if (n == 2 && parts[1][0] != '/')
        perm = parts[1];
    else if (n >= 2)
        in = parts[1];
    if (n == 3)
        perm = parts[2];
    if (!*parts[0] || strchr(perm, ':'))
        return flags_error(it, "--device \"%s\": expected HOST[:CONTAINER][:PERMISSIONS]", it->val);
    append(o, "Devices",
           json_pack("{s:s,s:s,s:s}", "PathOnHost", parts[0], "PathInContainer", in,
                     "CgroupPermissions", perm));
    return 0;
}

/* --pid, --ipc, --uts: host, another container's (pid, ipc), or the private default */
static int ns_mode(struct run_opts *o, int id, struct flags_it *it)
{
    static const char *const keys[] = {"PidMode", "IpcMode", "UTSMode"};
    const char *v = it->val;
    if (!run_ns_mode_ok(id == R_PID ? 'p' : id == R_IPC ? 'i' : 'u', v))
        return flags_error(it, "%s \"%s\": host or private%s", it->seen, v,
                           id == R_IPC   ? ", shareable, none or container:NAME"
                           : id == R_PID ? " or container:NAME"
                                         : "");
    json_object_set_new(hc(o), keys[id - R_PID], json_string(v));
    return 0;
}

/* what Docker can choose on Linux and moat has one of */
static int single_choice(struct run_opts *o, int id, struct flags_it *it)
{
    const char *v = it->val;
    switch (id) {
    case R_RUNTIME:
        if (strcmp(v, "moat") != 0 && strcmp(v, "runc") != 0)
            return flags_error(it, "--runtime \"%s\": unknown or invalid runtime name (moat)", v);
        json_object_set_new(hc(o), "Runtime", json_string("moat"));
        return 0;
    case R_VOLUME_DRIVER:
        if (strcmp(v, "local") != 0)
            return flags_error(it, "--volume-driver \"%s\": only the local driver", v);
        json_object_set_new(hc(o), "VolumeDriver", json_string(v));
        return 0;
    case R_ISOLATION:
        if (!strcmp(v, "vm")) /* the container in a VM of its own (runtime/handler/vm.h) */
            json_object_set_new(hc(o), "Isolation", json_string("vm"));
        else if (*v && strcmp(v, "default") != 0)
            return flags_error(it, "--isolation \"%s\": default or vm", v);
        return 0;
    case R_GPUS:
        return flags_error(it,
                           "--gpus %s: could not select device driver \"\" with "
                           "capabilities: [[gpu]] (moat has no GPU support)",
                           v);
    }
    return 0; /* --disable-content-trust: moat verifies digests; there is no notary */
}

static int set_int(struct run_opts *o, struct flags_it *it, const char *key, int64_t min,
                   int64_t max)
{
    int64_t n;
    if (flags_int(it, min, max, &n) < 0)
        return -1;
    json_object_set_new(hc(o), key, json_integer((json_int_t)n));
    return 0;
}

int run_res_flag(struct run_opts *o, int id, struct flags_it *it)
{
    const char *v = it->val;
    switch (id) {
    case R_CPU_PERIOD:
        return set_int(o, it, "CpuPeriod", 0, 1000000);
    case R_CPU_QUOTA:
        return set_int(o, it, "CpuQuota", -1, INT64_MAX);
    case R_CPU_RT_PERIOD:
        return set_int(o, it, "CpuRealtimePeriod", 0, INT64_MAX);
    case R_CPU_RT_RUNTIME:
        return set_int(o, it, "CpuRealtimeRuntime", -1, INT64_MAX);
    case R_BLKIO_WEIGHT:
        return set_int(o, it, "BlkioWeight", 0, 65535);
    case R_SWAPPINESS:
        return set_int(o, it, "MemorySwappiness", -1, 100);
    case R_CPUSET_MEMS:
        json_object_set_new(hc(o), "CpusetMems", json_string(v));
        return 0;
    case R_BLKIO_WEIGHT_DEVICE:
    case R_READ_BPS:
    case R_WRITE_BPS:
    case R_READ_IOPS:
    case R_WRITE_IOPS:
        return path_value(o, id, it);
    case R_OOM_KILL_DISABLE:
        json_object_set_new(hc(o), "OomKillDisable", json_boolean(flags_bool(it)));
        return 0;
    case R_KERNEL_MEMORY: {
        int64_t n;
        if (v[0] == '-' || parse_size(v, &n) < 0)
            return flags_error(it, "--kernel-memory \"%s\": not a size", v);
        fprintf(stderr, "WARNING: --kernel-memory is deprecated and has no effect (the kernel "
                        "does not limit kernel memory separately any more)\n");
        return 0;
    }
    case R_CGROUP_PARENT:
        json_object_set_new(hc(o), "CgroupParent", json_string(v));
        return 0;
    case R_CGROUPNS:
        json_object_set_new(hc(o), "CgroupnsMode", json_string(v));
        return 0;
    case R_DEVICE:
        return device(o, it);
    case R_DEVICE_RULE:
        append(o, "DeviceCgroupRules", json_string(v));
        return 0;
    case R_PID:
    case R_IPC:
    case R_UTS:
        return ns_mode(o, id, it);
    }
    return single_choice(o, id, it);
}
