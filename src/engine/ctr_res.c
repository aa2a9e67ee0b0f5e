/* ctr_res.c: Docker's cgroup and device settings (see ctr_res.h). */
#include "ctr_res.h"
#include "../kernel/cgroup.h"
#include "../util/log.h"
#include "../util/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* the throttle lists: HostConfig key, config.json key, the value's key */
static const struct {
    const char *hc, *oci, *val;
} lists[] = {
    {"BlkioWeightDevice", "weightDevice", "Weight"},
    {"BlkioDeviceReadBps", "throttleReadBpsDevice", "Rate"},
    {"BlkioDeviceWriteBps", "throttleWriteBpsDevice", "Rate"},
    {"BlkioDeviceReadIOps", "throttleReadIOPSDevice", "Rate"},
    {"BlkioDeviceWriteIOps", "throttleWriteIOPSDevice", "Rate"},
};

static json_int_t ival(json_t *hc, const char *k)
{
    return json_integer_value(json_object_get(hc, k));
}

static const char *sval(json_t *hc, const char *k)
{
    return json_string_value(json_object_get(hc, k)) ?: "";
}

/* a block or character device at path (followed, as Docker does) */
static int device_at(const char *path, bool block_only, struct stat *st, const char *what,
                     merr_t *err)
{
    if (path[0] != '/')
        return err_set(err, 0, "%s \"%s\": not an absolute path", what, path);
    if (stat(path, st) < 0)
        return err_sys(err, "%s \"%s\"", what, path);
    if (!S_ISBLK(st->st_mode) && (block_only || !S_ISCHR(st->st_mode)))
        return err_set(err, 0, "%s \"%s\": not a %sdevice", what, path, block_only ? "block " : "");
    return 0;
}

static int check_cpu(json_t *hc, bool nano_cpus, merr_t *err)
{
    json_int_t period = ival(hc, "CpuPeriod"), quota = ival(hc, "CpuQuota");
    if (period && (period < 1000 || period > 1000000))
        return err_set(err, 0,
                       "--cpu-period %lld: CPU cfs period can not be less than 1ms (1000) or "
                       "larger than 1s (1000000)",
                       (long long)period);
    if (quota && quota != -1 && quota < 1000)
        return err_set(err, 0, "--cpu-quota %lld: CPU cfs quota can not be less than 1ms (1000)",
                       (long long)quota);
    if (nano_cpus && (period || quota))
        return err_set(err, 0,
                       "conflicting options: --cpus and --cpu-period/--cpu-quota cannot "
                       "both be set");
    json_int_t rtp = ival(hc, "CpuRealtimePeriod"), rtr = ival(hc, "CpuRealtimeRuntime");
    if (rtp < 0 || rtr < -1 || (rtp && rtr > rtp))
        return err_set(err, 0, "--cpu-rt-runtime cannot be higher than --cpu-rt-period");
    const char *mems = sval(hc, "CpusetMems");
    if (strspn(mems, "0123456789,-") != strlen(mems))
        return err_set(err, 0, "--cpuset-mems \"%s\": memory node numbers and ranges (0-1,3)",
                       mems);
    return 0;
}

static int check_blkio(json_t *hc, merr_t *err)
{
    if ((ival(hc, "BlkioWeight") || json_array_size(json_object_get(hc, "BlkioWeightDevice"))) &&
        !cg_host_has_blkio_weight()) {
        /* as Docker: a relative weight is dropped where it cannot be set */
        log_warn("this kernel does not support block I/O weights (no "
                 "blkio.weight, no BFQ scheduler): --blkio-weight discarded");
        json_object_del(hc, "BlkioWeight");
        json_object_del(hc, "BlkioWeightDevice");
    }
    json_int_t w = ival(hc, "BlkioWeight");
    if (w && (w < 10 || w > 1000))
        return err_set(err, 0, "--blkio-weight %lld: range of blkio weight is from 10 to 1000",
                       (long long)w);
    for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(hc, lists[l].hc), i, e)
        {
            struct stat st;
            json_int_t v = ival(e, lists[l].val);
            if (device_at(sval(e, "Path"), true, &st, lists[l].hc, err) < 0)
                return -1;
            if (l == 0 ? (v < 10 || v > 1000) : v < 0)
                return err_set(err, 0, "%s %s: %s %lld out of range", lists[l].hc, sval(e, "Path"),
                               lists[l].val, (long long)v);
        }
    }
    return 0;
}

json_t *ctr_res_device_rule(const char *rule)
{
    char type, acc[8] = "";
    char maj[16], min[16];
    int n = 0;
    if (sscanf(rule, "%c %15[0-9*]:%15[0-9*] %7[rwm]%n", &type, maj, min, acc, &n) < 3)
        return NULL;
    if (rule[n] || !strchr("abc", type) || !*acc)
        return NULL;
    json_t *r = json_pack("{s:b,s:s#,s:s}", "allow", 1, "type", &type, (size_t)1, "access", acc);
    uint64_t v;
    if (strcmp(maj, "*") != 0) {
        if (parse_u64(maj, &v) < 0 || v > 0xfffff)
            return json_decref(r), NULL;
        json_object_set_new(r, "major", json_integer((json_int_t)v));
    }
    if (strcmp(min, "*") != 0) {
        if (parse_u64(min, &v) < 0 || v > 0xfffff)
            return json_decref(r), NULL;
        json_object_set_new(r, "minor", json_integer((json_int_t)v));
    }
    return r;
}

static int check_devices(json_t *hc, bool userns, merr_t *err)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(hc, "Devices"), i, d)
    {
        struct stat st;
        const char *host = sval(d, "PathOnHost"), *in = sval(d, "PathInContainer");
        const char *perm = sval(d, "CgroupPermissions");
        if (device_at(host, false, &st, "--device", err) < 0)
            return -1;
        if (in[0] != '/' || strstr(in, "/../") || strcmp(in, "/dev") == 0 ||
            strncmp(in, "/dev/", 5) != 0)
            return err_set(err, 0, "--device %s: \"%s\" is not a path under /dev", host, in);
        if (!*perm || strspn(perm, "rwm") != strlen(perm))
            return err_set(err, 0, "--device %s: permissions \"%s\" are not a subset of rwm", host,
                           perm);
        if (userns && strcmp(host, in) != 0)
            return err_set(err, 0,
                           "--device %s:%s: in a user namespace a device is bound from the "
                           "host at its own path; give the same path (or --userns host)",
                           host, in);
    }
    json_array_foreach(json_object_get(hc, "DeviceCgroupRules"), i, d)
    {
        json_t *r = ctr_res_device_rule(json_string_value(d) ?: "");
        if (!r)
            return err_set(err, 0,
                           "--device-cgroup-rule \"%s\": expected TYPE MAJOR:MINOR ACCESS, as "
                           "\"c 1:3 rwm\" (TYPE a, b or c; * for any number)",
                           json_string_value(d) ?: "");
        json_decref(r);
    }
    return 0;
}

static int check_cgroup(json_t *hc, merr_t *err)
{
    const char *p = sval(hc, "CgroupParent");
    for (const char *c = p; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("_.-/@:", *c))
            return err_set(err, 0, "--cgroup-parent \"%s\": letters, digits and _ . - / @ :", p);
    if (strstr(p, "..") || strstr(p, "//"))
        return err_set(err, 0, "--cgroup-parent \"%s\": not a plain path", p);
    const char *ns = sval(hc, "CgroupnsMode");
    if (*ns && strcmp(ns, "private") != 0 && strcmp(ns, "host") != 0)
        return err_set(err, 0, "--cgroupns \"%s\": host or private", ns);
    json_int_t sw = json_is_integer(json_object_get(hc, "MemorySwappiness"))
                        ? ival(hc, "MemorySwappiness")
                        : -1;
    if (sw < -1 || sw > 100)
        return err_set(err, 0, "--memory-swappiness %lld: invalid value, the valid range is 0-100",
                       (long long)sw);
    return 0;
}

int ctr_res_check(json_t *hc, bool userns, bool nano_cpus, merr_t *err)
{
    if (!hc)
        return 0;
    if (check_cpu(hc, nano_cpus, err) < 0 || check_blkio(hc, err) < 0 ||
        check_devices(hc, userns, err) < 0 || check_cgroup(hc, err) < 0)
        return -1;
    return 0;
}

/* parent[key] as an object, made if missing */
static json_t *obj(json_t *parent, const char *key)
{
    json_t *o = json_object_get(parent, key);
    if (!o)
        json_object_set_new(parent, key, o = json_object());
    return o;
}

static void set_nonzero(json_t *o, const char *key, json_t *v)
{
    if (json_integer_value(v))
        json_object_set_new(o, key, json_integer(json_integer_value(v)));
}

static int blkio_oci(json_t *res, json_t *hc, merr_t *err)
{
    json_t *b = NULL;
    if (ival(hc, "BlkioWeight"))
        set_nonzero(b = obj(res, "blockIO"), "weight", json_object_get(hc, "BlkioWeight"));
    for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(hc, lists[l].hc), i, e)
        {
            struct stat st;
            if (device_at(sval(e, "Path"), true, &st, lists[l].hc, err) < 0)
                return -1;
            if (!b)
                b = obj(res, "blockIO");
            json_t *arr = json_object_get(b, lists[l].oci);
            if (!json_is_array(arr))
                json_object_set_new(b, lists[l].oci, arr = json_array());
            json_array_append_new(arr,
                                  json_pack("{s:I,s:I,s:I}", "major", (json_int_t)major(st.st_rdev),
                                            "minor", (json_int_t)minor(st.st_rdev),
                                            l == 0 ? "weight" : "rate", ival(e, lists[l].val)));
        }
    }
    return 0;
}

static int devices_oci(json_t *c, json_t *res, json_t *hc, merr_t *err)
{
    json_t *lin = json_object_get(c, "linux");
    json_t *rules = json_object_get(res, "devices");
    if (!json_is_array(rules))
        json_object_set_new(res, "devices", rules = json_array());
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(hc, "Devices"), i, d)
    {
        struct stat st;
        if (device_at(sval(d, "PathOnHost"), false, &st, "--device", err) < 0)
            return -1;
        const char *type = S_ISBLK(st.st_mode) ? "b" : "c";
        json_int_t maj = (json_int_t)major(st.st_rdev), min = (json_int_t)minor(st.st_rdev);
        json_t *devs = json_object_get(lin, "devices");
        if (!json_is_array(devs))
            json_object_set_new(lin, "devices", devs = json_array());
        json_array_append_new(devs, json_pack("{s:s,s:s,s:I,s:I,s:i,s:i,s:i}", "path",
                                              sval(d, "PathInContainer"), "type", type, "major",
                                              maj, "minor", min, "fileMode",
                                              (int)(st.st_mode & 07777), "uid", 0, "gid", 0));
        json_array_append_new(rules,
                              json_pack("{s:b,s:s,s:I,s:I,s:s}", "allow", 1, "type", type, "major",
                                        maj, "minor", min, "access", sval(d, "CgroupPermissions")));
    }
    json_array_foreach(json_object_get(hc, "DeviceCgroupRules"), i, d)
    {
        json_t *r = ctr_res_device_rule(json_string_value(d) ?: "");
        if (r)
            json_array_append_new(rules, r);
    }
    return 0;
}

static void drop_namespace(json_t *lin, const char *type)
{
    json_t *ns = json_object_get(lin, "namespaces");
    for (size_t i = 0; i < json_array_size(ns); i++)
        if (strcmp(sval(json_array_get(ns, i), "type"), type) == 0) {
            json_array_remove(ns, i);
            return;
        }
}

int ctr_res_oci(json_t *c, json_t *hc, const char *id, merr_t *err)
{
    json_t *lin = json_object_get(c, "linux"), *res = obj(lin, "resources");
    if (ival(hc, "CpuPeriod") || ival(hc, "CpuQuota") || ival(hc, "CpuRealtimePeriod") ||
        ival(hc, "CpuRealtimeRuntime") || *sval(hc, "CpusetMems")) {
        json_t *cpu = obj(res, "cpu");
        set_nonzero(cpu, "period", json_object_get(hc, "CpuPeriod"));
        set_nonzero(cpu, "quota", json_object_get(hc, "CpuQuota"));
        set_nonzero(cpu, "realtimePeriod", json_object_get(hc, "CpuRealtimePeriod"));
        set_nonzero(cpu, "realtimeRuntime", json_object_get(hc, "CpuRealtimeRuntime"));
        if (*sval(hc, "CpusetMems"))
            json_object_set(cpu, "mems", json_object_get(hc, "CpusetMems"));
    }
    if (json_is_integer(json_object_get(hc, "MemorySwappiness")) &&
        ival(hc, "MemorySwappiness") >= 0)
        json_object_set(obj(res, "memory"), "swappiness", json_object_get(hc, "MemorySwappiness"));
    if (json_is_true(json_object_get(hc, "OomKillDisable")))
        json_object_set_new(obj(res, "memory"), "disableOOMKiller", json_true());
    if (blkio_oci(res, hc, err) < 0 || devices_oci(c, res, hc, err) < 0)
        return -1;
    const char *parent = sval(hc, "CgroupParent");
    while (*parent == '/')
        parent++;
    size_t n = strlen(parent);
    while (n && parent[n - 1] == '/')
        n--;
    if (n)
        json_object_set_new(lin, "cgroupsPath", json_sprintf("/%.*s/%s", (int)n, parent, id));
    if (strcmp(sval(hc, "CgroupnsMode"), "host") == 0)
        drop_namespace(lin, "cgroup");
    return 0;
}
