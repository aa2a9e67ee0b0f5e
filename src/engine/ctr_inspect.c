/* ctr_inspect.c: a container as Docker's inspect (and its API's
 * GET /containers/ID/json) shows it, made from moat's record. What is
 * moat's own (its id range, its writable layer) is under "Moat". */
#include "ctr_inspect.h"
#include "ctr.h"
#include "../kernel/caps.h"
#include "../util/util.h"

#include <string.h>

/* o[k] as a new reference, or dflt (a new reference, dropped if unused) */
static json_t *get_or(json_t *o, const char *k, json_t *dflt)
{
    json_t *v = json_object_get(o, k);
    if (!v)
        return dflt;
    json_decref(dflt);
    return json_incref(v);
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *caps_names(json_int_t mask)
{
    json_t *a = json_array();
    for (int c = 0; c < 64; c++)
        if ((uint64_t)mask & (1ULL << c))
            json_array_append_new(a, json_string(cap_name(c) ?: "?"));
    return a;
}

/* "nofile=1024:2048" as {Name, Soft, Hard} */
static json_t *ulimits(json_t *list)
{
    json_t *a = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *u = json_string_value(v) ?: "";
        const char *eq = strchr(u, '=');
        if (!eq)
            continue;
        int64_t soft = 0, hard;
        cleanup_free char *vals = xstrdup(eq + 1);
        char *colon = strchr(vals, ':');
        if (colon)
            *colon++ = 0;
        if (parse_i64(vals, &soft) < 0 || parse_i64(colon ? colon : vals, &hard) < 0)
            continue;
        json_array_append_new(a, json_pack("{s:s%,s:I,s:I}", "Name", u, (size_t)(eq - u), "Soft",
                                           (json_int_t)soft, "Hard", (json_int_t)hard));
    }
    return a;
}

static json_t *tmpfs_map(json_t *list)
{
    json_t *m = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        cleanup_free char *t = xstrdup(json_string_value(v) ?: "");
        char *colon = strchr(t, ':');
        if (colon)
            *colon++ = 0;
        json_object_set_new(m, t, json_string(colon ? colon : ""));
    }
    return m;
}

static json_t *security_opt(json_t *hc)
{
    json_t *a = json_array();
    const char *sc = json_string_value(json_object_get(hc, "Seccomp"));
    if (sc && !strcmp(sc, "unconfined"))
        json_array_append_new(a, json_string("seccomp=unconfined"));
    else if (sc)
        json_array_append_new(a, json_string("seccomp=(a profile, read at create)"));
    if (json_is_true(json_object_get(hc, "NoLandlock")))
        json_array_append_new(a, json_string("landlock=unconfined"));
    if (json_is_true(json_object_get(hc, "SensitiveMounts")))
        json_array_append_new(a, json_string("allow-sensitive-mounts"));
    const char *aa = json_string_value(json_object_get(hc, "AppArmor"));
    if (aa)
        json_array_append_new(a, json_pack("s+", "apparmor=", aa));
    return a;
}

static json_t *host_config_base(json_t *hc);

/* with the process and resource keys that only some records have */
static json_t *host_config(json_t *hc)
{
    static const char *const keys[] = {
        "OomScoreAdj", "GroupAdd",   "Sysctls",    "Annotations",       "ShmSize",
        "CpuShares",   "CpusetCpus", "MemorySwap", "MemoryReservation", "VolumesFrom"};
    json_t *o = host_config_base(hc);
    for (size_t i = 0; o && i < sizeof(keys) / sizeof(keys[0]); i++)
        if (json_object_get(hc, keys[i]))
            json_object_set(o, keys[i], json_object_get(hc, keys[i]));
    /* ctr_res.h's, over Docker's defaults */
    json_t *res = json_pack(
        "{s:i,s:i,s:i,s:i,s:s,s:i,s:[],s:[],s:[],s:[],s:[],s:n,s:b,s:s,s:s,s:[],s:n,s:s,s:s,s:s,"
        "s:s,s:s,s:s}",
        "CpuPeriod", 0, "CpuQuota", 0, "CpuRealtimePeriod", 0, "CpuRealtimeRuntime", 0,
        "CpusetMems", "", "BlkioWeight", 0, "BlkioWeightDevice", "BlkioDeviceReadBps",
        "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "MemorySwappiness",
        "OomKillDisable", 0, "CgroupParent", "", "CgroupnsMode", "private", "Devices",
        "DeviceCgroupRules", "PidMode", "", "IpcMode", "private", "UTSMode", "", "Runtime", "moat",
        "VolumeDriver", "", "Isolation", "");
    const char *k;
    json_t *v;
    json_object_foreach(res, k, v)
    {
        json_object_set(o, k, json_object_get(hc, k) ? json_object_get(hc, k) : v);
    }
    json_decref(res);
    /* networking (ctr_net.h), over Docker's defaults */
    json_t *net = json_pack("{s:{},s:b,s:[],s:[],s:[],s:n,s:n}", "PortBindings", "PublishAllPorts",
                            0, "Dns", "DnsSearch", "DnsOptions", "ExtraHosts", "Links");
    json_object_foreach(net, k, v)
    {
        json_object_set(o, k, json_object_get(hc, k) ? json_object_get(hc, k) : v);
    }
    json_decref(net);
    return o;
}

static json_t *host_config_base(json_t *hc)
{
    const char *userns = json_string_value(json_object_get(hc, "UsernsMode")) ?: "";
    json_t *caps = json_object_get(hc, "Capabilities");
    double cpus = json_number_value(json_object_get(hc, "Cpus"));
    return json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "Binds",
        get_or(hc, "Binds", json_null()), "NetworkMode", get_or(hc, "NetworkMode", json_null()),
        "AutoRemove", get_or(hc, "AutoRemove", json_false()), "Privileged",
        get_or(hc, "Privileged", json_false()), "ReadonlyRootfs",
        get_or(hc, "ReadonlyRootfs", json_false()), "CapAdd",
        caps_names(json_integer_value(json_object_get(caps, "Add"))), "CapDrop",
        caps_names(json_integer_value(json_object_get(caps, "Drop"))), "SecurityOpt",
        security_opt(hc), "Tmpfs", tmpfs_map(json_object_get(hc, "Tmpfs")), "UsernsMode",
        strcmp(userns, "host") == 0 ? "host" : "", "Memory", get_or(hc, "Memory", json_integer(0)),
        "NanoCpus", (json_int_t)(cpus * 1e9), "PidsLimit", get_or(hc, "PidsLimit", json_null()),
        "Ulimits", ulimits(json_object_get(hc, "Ulimits")), "LogConfig",
        get_or(hc, "LogConfig", json_null()), "Init", get_or(hc, "Init", json_false()),
        "RestartPolicy",
        get_or(hc, "RestartPolicy", json_pack("{s:s,s:i}", "Name", "no", "MaximumRetryCount", 0)),
        "StorageOpt", get_or(hc, "StorageOpt", json_null()));
}

static json_t *mounts(json_t *list)
{
    json_t *a = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        json_t *o = json_pack(
            "{s:o,s:o,s:o,s:o,s:o,s:o}", "Type", get_or(m, "Type", json_null()), "Source",
            get_or(m, "Source", json_null()), "Destination", get_or(m, "Destination", json_null()),
            "Mode", get_or(m, "Mode", json_string("")), "RW", get_or(m, "RW", json_true()),
            "Propagation", get_or(m, "Propagation", json_string("")));
        if (json_object_get(m, "Name")) {
            json_object_set(o, "Name", json_object_get(m, "Name"));
            json_object_set_new(o, "Driver", json_string("local"));
        }
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *config(json_t *c)
{
    json_t *entry = json_object_get(c, "Entrypoint");
    bool open = json_is_true(json_object_get(c, "OpenStdin"));
    json_t *once = json_object_get(c, "StdinOnce");
    json_t *o = json_pack(
        "{s:o,s:s,s:o,s:b,s:b,s:b,s:o,s:b,s:b,s:o,s:o,s:o,s:n,s:o,s:O,s:n,s:o,s:o}", "Hostname",
        get_or(c, "Hostname", json_string("")), "Domainname", "", "User",
        get_or(c, "User", json_string("")), "AttachStdin", open, "AttachStdout", true,
        "AttachStderr", true, "Tty", get_or(c, "Tty", json_false()), "OpenStdin", open, "StdinOnce",
        once ? json_is_true(once) : open, "Env", get_or(c, "Env", json_null()), "Cmd",
        get_or(c, "Cmd", json_null()), "Image", get_or(c, "Image", json_string("")), "Volumes",
        "WorkingDir", get_or(c, "WorkingDir", json_string("")), "Entrypoint",
        json_array_size(entry) ? entry : json_null(), "OnBuild", "Labels",
        get_or(c, "Labels", json_object()), "StopSignal",
        get_or(c, "StopSignal", json_string("SIGTERM")));
    if (o && json_object_get(c, "StopTimeout"))
        json_object_set(o, "StopTimeout", json_object_get(c, "StopTimeout"));
    if (o && json_object_get(c, "Domainname"))
        json_object_set(o, "Domainname", json_object_get(c, "Domainname"));
    if (o && json_is_object(json_object_get(c, "Healthcheck")))
        json_object_set(o, "Healthcheck", json_object_get(c, "Healthcheck"));
    return o;
}

static json_t *state(json_t *st)
{
    json_t *o = json_deep_copy(st);
    const char *status = json_string_value(json_object_get(st, "Status")) ?: "created";
    json_object_set_new(o, "Paused", json_boolean(!strcmp(status, "paused")));
    json_object_set_new(o, "Restarting", json_boolean(!strcmp(status, "restarting")));
    json_object_set_new(o, "OOMKilled", json_false());
    json_object_set_new(o, "Dead", json_boolean(!strcmp(status, "dead")));
    return o;
}

json_t *ctr_inspect_json(json_t *rec)
{
    json_t *args = json_object_get(rec, "Args");
    json_t *rest = json_array();
    for (size_t i = 1; i < json_array_size(args); i++)
        json_array_append(rest, json_array_get(args, i));
    const char *name = json_string_value(json_object_get(rec, "Name")) ?: "";
    json_t *hc = json_object_get(rec, "HostConfig");
    json_t *o = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:s+,s:i,s:s,s:s,s:s,s:s,s:o,s:n,s:o,s:o,s:o,"
        "s:o,s:{s:s,s:{}},s:{s:{},s:{}}}",
        "Id", get_or(rec, "Id", json_null()), "Created", get_or(rec, "Created", json_null()),
        "Path", json_incref(json_array_get(args, 0)) ?: json_string(""), "Args", rest, "State",
        state(json_object_get(rec, "State")), "Image", get_or(rec, "Image", json_null()),
        "ResolvConfPath", "", "HostnamePath", "", "HostsPath", "", "LogPath", "", "Name", "/", name,
        "RestartCount", (int)json_integer_value(json_object_get(rec, "RestartCount")), "Driver",
        "moat", "Platform", "linux", "MountLabel", "", "ProcessLabel", "", "AppArmorProfile",
        str_or_null(json_string_value(json_object_get(hc, "AppArmor"))), "ExecIDs", "HostConfig",
        host_config(hc), "Mounts", mounts(json_object_get(rec, "Mounts")), "Config",
        config(json_object_get(rec, "Config")), "Moat",
        json_pack("{s:o,s:o,s:o,s:o}", "UsernsBase", get_or(rec, "UsernsBase", json_integer(0)),
                  "ImageName", get_or(rec, "ImageName", json_null()), "Layers",
                  get_or(rec, "Layers", json_array()), "WritableLayer",
                  get_or(rec, "WritableLayer", json_null())),
        "GraphDriver", "Name", "moat", "Data", "NetworkSettings", "Networks", "Ports");
    if (!o)
        return json_null();
    json_t *ns = json_object_get(rec, "NetworkSettings");
    if (json_is_object(ns))
        json_object_set_new(o, "NetworkSettings", json_deep_copy(ns));
    return o;
}
