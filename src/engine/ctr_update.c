/* ctr_update.c: update of an engine container (see ctr_update.h). */
#include "ctr_update.h"
#include "ctr_rec.h"
#include "ctr.h"
#include "ctr_res.h"
#include "events.h"
#include "../runtime/runtime.h"
#include "../util/util.h"

#include <string.h>
#include <unistd.h>

#define MIN_MEMORY (6 << 20)

static const char *const int_keys[] = {"CpuShares",         "Memory",     "CpuPeriod",
                                       "CpuQuota",          "PidsLimit",  "BlkioWeight",
                                       "MemoryReservation", "MemorySwap", "CpuRealtimePeriod",
                                       "CpuRealtimeRuntime"};
static const char *const str_keys[] = {"CpusetCpus", "CpusetMems"};

static bool in(const char *k, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(k, keys[i]) == 0)
            return true;
    return false;
}

static json_int_t ival(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* body's settings onto hc (a copy of the record's HostConfig) */
static int apply(json_t *hc, json_t *body, merr_t *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (in(k, int_keys, ARRAY_SIZE(int_keys))) {
            if (!json_is_integer(v))
                return err_set(err, 0, "%s: not an integer", k);
            json_object_set(hc, k, v);
        } else if (in(k, str_keys, ARRAY_SIZE(str_keys))) {
            if (!json_is_string(v))
                return err_set(err, 0, "%s: not a string", k);
            json_object_set(hc, k, v);
        } else if (strcmp(k, "NanoCpus") == 0) {
            if (!json_is_integer(v))
                return err_set(err, 0, "%s: not an integer", k);
            json_object_set_new(hc, "Cpus", json_real((double)json_integer_value(v) / 1e9));
        } else if (strcmp(k, "RestartPolicy") == 0) {
            if (!json_is_object(v) || !json_is_string(json_object_get(v, "Name")))
                return err_set(err, 0, "RestartPolicy: not a policy");
            const char *name = json_string_value(json_object_get(v, "Name"));
            if (json_is_true(json_object_get(hc, "AutoRemove")) && *name && strcmp(name, "no") != 0)
                return err_set(err, 0,
                               "Restart policy cannot be updated because AutoRemove is enabled "
                               "for the container");
            json_object_set(hc, k, v);
        } else {
            return err_set(err, 0, "%s: not a setting update can change", k);
        }
    }
    return 0;
}

/* the rules run and create follow, on the new HostConfig */
static int check(json_t *hc, bool userns, merr_t *err)
{
    json_int_t mem = ival(hc, "Memory"), res = ival(hc, "MemoryReservation");
    json_int_t swap = ival(hc, "MemorySwap"), pids = ival(hc, "PidsLimit");
    json_int_t shares = ival(hc, "CpuShares");
    /* -1: no limit (-m max) */
    if (mem != -1 && mem < MIN_MEMORY)
        return err_set(err, 0, "--memory: the minimum is 6MB");
    if (res && (res < MIN_MEMORY || (mem != -1 && res > mem)))
        return err_set(err, 0,
                       "--memory-reservation: at least 6MB and at most the memory limit (%lld)",
                       (long long)mem);
    if (swap && swap != -1 && mem != -1 && swap < mem)
        return err_set(err, 0,
                       "--memory-swap: the memory+swap limit (%lld) must be at least the memory "
                       "limit (%lld); -1 for unlimited swap",
                       (long long)swap, (long long)mem);
    /* the kernel's PID_MAX_LIMIT: the cgroup refuses more, after the
     * other limits were written */
    if (pids == 0 || pids < -1 || pids > 4194304)
        return err_set(err, 0, "--pids-limit %lld: a number from 1 to 4194304, or -1 for unlimited",
                       (long long)pids);
    if (shares && (shares < 2 || shares > 262144))
        return err_set(err, 0, "--cpu-shares %lld: from 2 to 262144", (long long)shares);
    json_int_t w = ival(hc, "BlkioWeight");
    if (w && (w < 10 || w > 1000)) /* before ctr_res_check drops it on hosts without */
        return err_set(err, 0, "--blkio-weight %lld: range of blkio weight is from 10 to 1000",
                       (long long)w);
    double cpus = json_number_value(json_object_get(hc, "Cpus"));
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 0 || (cpus > 0 && (cpus < 0.01 || cpus > (double)ncpu)))
        return err_set(err, 0,
                       "--cpus: range of CPUs is from 0.01 to %ld.00, as there are only %ld "
                       "CPUs available",
                       ncpu, ncpu);
    const char *set = json_string_value(json_object_get(hc, "CpusetCpus")) ?: "";
    if (strspn(set, "0123456789,-") != strlen(set))
        return err_set(err, 0, "--cpuset-cpus \"%s\": CPU numbers and ranges (0-3,5)", set);
    return ctr_res_check(hc, userns, cpus > 0, err);
}

/* parent[key] as an object, made if missing */
static json_t *obj(json_t *parent, const char *key)
{
    json_t *o = json_object_get(parent, key);
    if (!o)
        json_object_set_new(parent, key, o = json_object());
    return o;
}

static bool given(json_t *body, const char *k)
{
    return json_object_get(body, k) != NULL;
}

/* linux.resources for the runtime's update: what body changes, as the
 * next start would write it (ctr_config.c, ctr_extras.c, ctr_res.c) */
static json_t *oci_resources(json_t *hc, json_t *body)
{
    json_t *r = json_object();
    if (given(body, "Memory") || given(body, "MemorySwap") || given(body, "MemoryReservation")) {
        json_t *m = obj(r, "memory");
        json_int_t mem = ival(hc, "Memory"), swap = ival(hc, "MemorySwap");
        json_object_set_new(m, "limit", json_integer(mem));
        /* no swap unless asked for, as at start */
        json_object_set_new(m, "swap", json_integer(swap ? swap : mem));
        if (ival(hc, "MemoryReservation"))
            json_object_set_new(m, "reservation", json_integer(ival(hc, "MemoryReservation")));
    }
    if (given(body, "CpuShares") && ival(hc, "CpuShares"))
        json_object_set_new(obj(r, "cpu"), "shares", json_integer(ival(hc, "CpuShares")));
    double cpus = json_number_value(json_object_get(hc, "Cpus"));
    if (given(body, "NanoCpus") && cpus > 0) {
        json_object_set_new(obj(r, "cpu"), "quota", json_integer((json_int_t)(cpus * 100000)));
        json_object_set_new(obj(r, "cpu"), "period", json_integer(100000));
    }
    if (given(body, "CpuPeriod") && ival(hc, "CpuPeriod"))
        json_object_set_new(obj(r, "cpu"), "period", json_integer(ival(hc, "CpuPeriod")));
    if (given(body, "CpuQuota") && ival(hc, "CpuQuota"))
        json_object_set_new(obj(r, "cpu"), "quota", json_integer(ival(hc, "CpuQuota")));
    if (given(body, "CpusetCpus") && *(json_string_value(json_object_get(hc, "CpusetCpus")) ?: ""))
        json_object_set(obj(r, "cpu"), "cpus", json_object_get(hc, "CpusetCpus"));
    if (given(body, "CpusetMems") && *(json_string_value(json_object_get(hc, "CpusetMems")) ?: ""))
        json_object_set(obj(r, "cpu"), "mems", json_object_get(hc, "CpusetMems"));
    if (given(body, "CpuRealtimePeriod") && ival(hc, "CpuRealtimePeriod"))
        json_object_set_new(obj(r, "cpu"), "realtimePeriod",
                            json_integer(ival(hc, "CpuRealtimePeriod")));
    if (given(body, "CpuRealtimeRuntime") && ival(hc, "CpuRealtimeRuntime"))
        json_object_set_new(obj(r, "cpu"), "realtimeRuntime",
                            json_integer(ival(hc, "CpuRealtimeRuntime")));
    if (given(body, "PidsLimit"))
        json_object_set_new(obj(r, "pids"), "limit", json_integer(ival(hc, "PidsLimit")));
    if (given(body, "BlkioWeight") && ival(hc, "BlkioWeight"))
        json_object_set_new(obj(r, "blockIO"), "weight", json_integer(ival(hc, "BlkioWeight")));
    return r;
}

/* the new HostConfig of record rec, checked; NULL with err */
static json_t *new_host_config(json_t *rec, json_t *body, merr_t *err)
{
    json_t *hc = json_deep_copy(json_object_get(rec, "HostConfig"));
    if (!json_is_object(hc)) {
        json_decref(hc);
        return err_set(err, 0, "the record has no HostConfig"), NULL;
    }
    bool userns = json_integer_value(json_object_get(rec, "UsernsBase")) > 0;
    if (apply(hc, body, err) < 0 || check(hc, userns, err) < 0) {
        json_decref(hc);
        return NULL;
    }
    return hc;
}

static int apply_running(struct store *s, const char *id, json_t *hc, json_t *body, merr_t *err)
{
    json_t *res = oci_resources(hc, body);
    int ret = 0;
    if (json_object_size(res)) {
        cleanup_free char *text = json_dumps(res, JSON_COMPACT);
        int rootfd = ctr_runtime_rootfd(s, err);
        ret = rootfd < 0 ? -1 : op_update(rootfd, id, text, strlen(text), err);
        if (rootfd >= 0)
            close(rootfd);
    }
    json_decref(res);
    return ret;
}

int ctr_update(struct store *s, const char *id, json_t *body, merr_t *err)
{
    if (!json_is_object(body))
        return err_set(err, 0, "update: not an object");
    json_t *rec = ctr_refresh(s, id, err);
    if (!rec)
        return -1;
    json_t *hc = new_host_config(rec, body, err);
    struct ctr_rec r;
    ctr_rec_view(rec, &r);
    bool running = r.state.running;
    ctr_rec_free(&r);
    json_decref(rec);
    if (!hc)
        return err_wrap(err, "Cannot update container %.12s", id);
    /* the running container first: if the kernel refuses, the record
     * stays as it was (the runtime's own lock is not taken under the
     * record's) */
    int ret = running ? apply_running(s, id, hc, body, err) : 0;
    json_decref(hc);
    if (ret < 0)
        return err_wrap(err, "Cannot update container %.12s", id);
    int rl = ctr_record_lock(s, id);
    if (rl < 0)
        return err_set(err, 0, "no such container: %.12s", id);
    rec = ctr_load(s, id, err);
    hc = rec ? new_host_config(rec, body, err) : NULL;
    if (hc) {
        json_object_set_new(rec, "HostConfig", hc);
        ret = ctr_save(s, id, rec, err);
    } else {
        ret = -1;
    }
    close(rl);
    if (ret == 0)
        events_container(s, id, rec, "update", NULL);
    json_decref(rec);
    return ret;
}
