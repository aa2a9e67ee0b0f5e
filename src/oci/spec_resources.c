/* spec_resources.c: linux.resources (also the input of `moat update`). */
#include "spec_internal.h"
#include "../util/util.h"

#include <string.h>

#define OPT_GET(fn, obj, key, field)                                                               \
    do {                                                                                           \
        int r_ = fn(c, mp, obj, key, &(field).v);                                                  \
        if (r_ < 0)                                                                                \
            return -1;                                                                             \
        (field).has = r_ > 0;                                                                      \
    } while (0)

static int parse_dev_rules(const struct jctx *c, const struct jp *p, json_t *arr,
                           struct spec_resources *r)
{
    size_t n = json_array_size(arr);
    r->devices = xzalloc(n * sizeof(struct spec_dev_rule));
    r->has_devices = true;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        const struct jp *ep = JP_I(p, i);
        struct spec_dev_rule *d = &r->devices[i];
        const char *type = NULL, *access = NULL;
        int got;
        if (jval_obj(c, ep, e) < 0)
            return -1;
        if ((got = jget_bool(c, ep, e, "allow", &d->allow)) < 0)
            return -1;
        if (got == 0)
            return jfail(c, JP_K(ep, "allow"), "is required");
        if (jget_str(c, ep, e, "type", &type) < 0 || jget_str(c, ep, e, "access", &access) < 0)
            return -1;
        if (!type || !*type)
            type = "a";
        if (strlen(type) != 1 || !strchr("acb", type[0]))
            return jfail(c, JP_K(ep, "type"), "must be a, c or b (\"%s\")", type);
        d->type = type[0];
        if (parse_device_number(c, ep, e, "major", &d->major, false) < 0 ||
            parse_device_number(c, ep, e, "minor", &d->minor, false) < 0)
            return -1;
        if (!access || !*access)
            access = "rwm";
        size_t k = 0;
        for (const char *q = access; *q; q++) {
            if (!strchr("rwm", *q) || k >= 3 || strchr(d->access, *q))
                return jfail(c, JP_K(ep, "access"), "must be a combination of r, w and m (\"%s\")",
                             access);
            d->access[k++] = *q;
        }
        r->ndevices++;
    }
    return 0;
}

static int parse_memory(const struct jctx *c, const struct jp *mp, json_t *o,
                        struct spec_resources *r)
{
    OPT_GET(jget_i64, o, "limit", r->memory.limit);
    OPT_GET(jget_i64, o, "reservation", r->memory.reservation);
    OPT_GET(jget_i64, o, "swap", r->memory.swap);
    OPT_GET(jget_i64, o, "kernel", r->memory.kernel);
    OPT_GET(jget_i64, o, "kernelTCP", r->memory.kernel_tcp);
    OPT_GET(jget_u64, o, "swappiness", r->memory.swappiness);
    OPT_GET(jget_bool, o, "disableOOMKiller", r->memory.disable_oom_killer);
    OPT_GET(jget_bool, o, "useHierarchy", r->memory.use_hierarchy);
    OPT_GET(jget_bool, o, "checkBeforeUpdate", r->memory.check_before_update);
    if (r->memory.swappiness.has && r->memory.swappiness.v > 100)
        return jfail(c, JP_K(mp, "swappiness"), "must be between 0 and 100 (%llu)",
                     (unsigned long long)r->memory.swappiness.v);
    if (r->memory.limit.has && r->memory.limit.v < -1)
        return jfail(c, JP_K(mp, "limit"), "must be -1 (unlimited) or a byte count");
    if (r->memory.swap.has && r->memory.swap.v < -1)
        return jfail(c, JP_K(mp, "swap"), "must be -1 (unlimited) or a byte count");
    if (r->memory.limit.has && r->memory.swap.has && r->memory.limit.v > 0 &&
        r->memory.swap.v > 0 && r->memory.swap.v < r->memory.limit.v)
        return jfail(c, JP_K(mp, "swap"),
                     "memory+swap limit (%lld) must not be below the memory limit (%lld)",
                     (long long)r->memory.swap.v, (long long)r->memory.limit.v);
    return 0;
}

static int parse_cpu(const struct jctx *c, const struct jp *mp, json_t *o, struct spec_resources *r)
{
    OPT_GET(jget_u64, o, "shares", r->cpu.shares);
    OPT_GET(jget_i64, o, "quota", r->cpu.quota);
    OPT_GET(jget_u64, o, "burst", r->cpu.burst);
    OPT_GET(jget_u64, o, "period", r->cpu.period);
    OPT_GET(jget_i64, o, "realtimeRuntime", r->cpu.realtime_runtime);
    OPT_GET(jget_u64, o, "realtimePeriod", r->cpu.realtime_period);
    OPT_GET(jget_i64, o, "idle", r->cpu.idle);
    if (jget_str(c, mp, o, "cpus", &r->cpu.cpus) < 0 ||
        jget_str(c, mp, o, "mems", &r->cpu.mems) < 0)
        return -1;
    if (r->cpu.period.has && r->cpu.period.v &&
        (r->cpu.period.v < 1000 || r->cpu.period.v > 1000000))
        return jfail(c, JP_K(mp, "period"), "must be between 1000 and 1000000 microseconds (%llu)",
                     (unsigned long long)r->cpu.period.v);
    if (r->cpu.quota.has && r->cpu.quota.v != -1 && r->cpu.quota.v != 0 && r->cpu.quota.v < 1000)
        return jfail(c, JP_K(mp, "quota"), "must be -1 or at least 1000 microseconds (%lld)",
                     (long long)r->cpu.quota.v);
    if (r->cpu.idle.has && r->cpu.idle.v != 0 && r->cpu.idle.v != 1)
        return jfail(c, JP_K(mp, "idle"), "must be 0 or 1");
    return 0;
}

static int parse_throttle(const struct jctx *c, const struct jp *p, json_t *o, const char *key,
                          struct spec_throttle **out, size_t *n)
{
    json_t *arr;
    int r = jget_arr(c, p, o, key, &arr);
    if (r <= 0)
        return r;
    *out = xzalloc(json_array_size(arr) * sizeof(struct spec_throttle));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const struct jp *ep = JP_I(JP_K(p, key), i);
        struct spec_throttle *t = &(*out)[i];
        if (jval_obj(c, ep, e) < 0 || parse_device_number(c, ep, e, "major", &t->major, true) < 0 ||
            parse_device_number(c, ep, e, "minor", &t->minor, true) < 0 ||
            jget_u64(c, ep, e, "rate", &t->rate) < 0)
            return -1;
        (*n)++;
    }
    return 0;
}

static int check_weight(const struct jctx *c, const struct jp *p, const char *key, bool has,
                        uint16_t v)
{
    if (has && v != 0 && (v < 10 || v > 1000))
        return jfail(c, JP_K(p, key), "must be between 10 and 1000 (%u)", v);
    return 0;
}

static int get_u16(const struct jctx *c, const struct jp *p, json_t *o, const char *key,
                   uint16_t *out)
{
    uint32_t v;
    int r = jget_u32(c, p, o, key, &v);
    if (r <= 0)
        return r;
    if (v > 65535)
        return jfail(c, JP_K(p, key), "must be at most 65535 (%u)", v);
    *out = (uint16_t)v;
    return 1;
}

static int parse_blkio(const struct jctx *c, const struct jp *mp, json_t *o,
                       struct spec_resources *r)
{
    static const char *const tkeys[4] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
                                         "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
    json_t *arr;
    int got;
    OPT_GET(get_u16, o, "weight", r->blkio.weight);
    OPT_GET(get_u16, o, "leafWeight", r->blkio.leaf_weight);
    if (check_weight(c, mp, "weight", r->blkio.weight.has, r->blkio.weight.v) < 0 ||
        check_weight(c, mp, "leafWeight", r->blkio.leaf_weight.has, r->blkio.leaf_weight.v) < 0)
        return -1;
    if ((got = jget_arr(c, mp, o, "weightDevice", &arr)) < 0)
        return -1;
    if (got > 0) {
        r->blkio.weight_device = xzalloc(json_array_size(arr) * sizeof(struct spec_weight_dev));
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *e = json_array_get(arr, i);
            const struct jp *ep = JP_I(JP_K(mp, "weightDevice"), i);
            struct spec_weight_dev *w = &r->blkio.weight_device[i];
            if (jval_obj(c, ep, e) < 0 ||
                parse_device_number(c, ep, e, "major", &w->major, true) < 0 ||
                parse_device_number(c, ep, e, "minor", &w->minor, true) < 0)
                return -1;
            int g;
            if ((g = get_u16(c, ep, e, "weight", &w->weight.v)) < 0)
                return -1;
            w->weight.has = g > 0;
            if ((g = get_u16(c, ep, e, "leafWeight", &w->leaf_weight.v)) < 0)
                return -1;
            w->leaf_weight.has = g > 0;
            if (check_weight(c, ep, "weight", w->weight.has, w->weight.v) < 0 ||
                check_weight(c, ep, "leafWeight", w->leaf_weight.has, w->leaf_weight.v) < 0)
                return -1;
            r->blkio.nweight_device++;
        }
    }
    for (int t = 0; t < 4; t++)
        if (parse_throttle(c, mp, o, tkeys[t], &r->blkio.throttle[t], &r->blkio.nthrottle[t]) < 0)
            return -1;
    return 0;
}

static int parse_hugepages(const struct jctx *c, const struct jp *p, json_t *arr,
                           struct spec_resources *r)
{
    r->hugepages = xzalloc(json_array_size(arr) * sizeof(struct spec_hugepage));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const struct jp *ep = JP_I(p, i);
        struct spec_hugepage *h = &r->hugepages[i];
        if (jval_obj(c, ep, e) < 0 || jget_str(c, ep, e, "pageSize", &h->page_size) < 0 ||
            jget_u64(c, ep, e, "limit", &h->limit) < 0)
            return -1;
        const char *q = h->page_size;
        if (!q || !*q)
            return jfail(c, JP_K(ep, "pageSize"), "is required");
        while (*q >= '0' && *q <= '9')
            q++;
        if (q == h->page_size ||
            !(strcmp(q, "KB") == 0 || strcmp(q, "MB") == 0 || strcmp(q, "GB") == 0))
            return jfail(c, JP_K(ep, "pageSize"), "must look like 2MB or 1GB (\"%s\")",
                         h->page_size);
        r->nhugepages++;
    }
    return 0;
}

static int parse_network(const struct jctx *c, const struct jp *mp, json_t *o,
                         struct spec_resources *r)
{
    json_t *arr;
    int got;
    OPT_GET(jget_u32, o, "classID", r->network.class_id);
    if ((got = jget_arr(c, mp, o, "priorities", &arr)) < 0)
        return -1;
    if (got == 0)
        return 0;
    r->network.priorities = xzalloc(json_array_size(arr) * sizeof(struct spec_net_prio));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const struct jp *ep = JP_I(JP_K(mp, "priorities"), i);
        struct spec_net_prio *np = &r->network.priorities[i];
        if (jval_obj(c, ep, e) < 0 || jget_str(c, ep, e, "name", &np->name) < 0 ||
            jget_u32(c, ep, e, "priority", &np->priority) < 0)
            return -1;
        if (!np->name || !*np->name || strchr(np->name, ' ') || strchr(np->name, '\n'))
            return jfail(c, JP_K(ep, "name"), "must be an interface name");
        r->network.npriorities++;
    }
    return 0;
}

static int parse_unified(const struct jctx *c, const struct jp *p, json_t *o,
                         struct spec_resources *r)
{
    const char *key;
    json_t *val;
    r->unified = xzalloc(json_object_size(o) * sizeof(struct spec_kv));
    json_object_foreach(o, key, val)
    {
        const struct jp *kp = JP_K(p, key);
        if (jval_str(c, kp, val, &r->unified[r->nunified].value) < 0)
            return -1;
        const char *dot = strchr(key, '.');
        if (!dot || dot == key || !dot[1] || strchr(key, '/') || strncmp(key, "cgroup.", 7) == 0)
            return jfail(c, kp, "is not a cgroup v2 controller file name");
        r->unified[r->nunified++].key = key;
    }
    return 0;
}

static int parse_rdma(const struct jctx *c, const struct jp *p, json_t *o, struct spec_resources *r)
{
    const char *key;
    json_t *val;
    r->rdma = xzalloc(json_object_size(o) * sizeof(struct spec_kv));
    json_object_foreach(o, key, val)
    {
        const struct jp *kp = JP_K(p, key);
        uint32_t h = 0, obj = 0;
        int gh, go;
        if (jval_obj(c, kp, val) < 0 || (gh = jget_u32(c, kp, val, "hcaHandles", &h)) < 0 ||
            (go = jget_u32(c, kp, val, "hcaObjects", &obj)) < 0)
            return -1;
        if (strchr(key, ' ') || strchr(key, '\n') || !*key)
            return jfail(c, kp, "invalid device name");
        struct sbuf b = {0};
        sbuf_puts(&b, key);
        if (gh > 0)
            sbuf_printf(&b, " hca_handle=%u", h);
        if (go > 0)
            sbuf_printf(&b, " hca_object=%u", obj);
        r->rdma[r->nrdma].key = key;
        r->rdma[r->nrdma++].value = sbuf_steal(&b);
    }
    return 0;
}

int parse_resources(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_resources *r)
{
    json_t *o, *arr;
    int got;
    if ((got = jget_arr(c, p, obj, "devices", &arr)) < 0)
        return -1;
    if (got > 0 && parse_dev_rules(c, JP_K(p, "devices"), arr, r) < 0)
        return -1;
    if ((got = jget_obj(c, p, obj, "memory", &o)) < 0)
        return -1;
    if (got > 0 && parse_memory(c, JP_K(p, "memory"), o, r) < 0)
        return -1;
    if ((got = jget_obj(c, p, obj, "cpu", &o)) < 0)
        return -1;
    if (got > 0 && parse_cpu(c, JP_K(p, "cpu"), o, r) < 0)
        return -1;
    if ((got = jget_obj(c, p, obj, "pids", &o)) < 0)
        return -1;
    if (got > 0) {
        const struct jp *mp = JP_K(p, "pids");
        OPT_GET(jget_i64, o, "limit", r->pids_limit);
    }
    if ((got = jget_obj(c, p, obj, "blockIO", &o)) < 0)
        return -1;
    if (got > 0 && parse_blkio(c, JP_K(p, "blockIO"), o, r) < 0)
        return -1;
    if ((got = jget_arr(c, p, obj, "hugepageLimits", &arr)) < 0)
        return -1;
    if (got > 0 && parse_hugepages(c, JP_K(p, "hugepageLimits"), arr, r) < 0)
        return -1;
    if ((got = jget_obj(c, p, obj, "network", &o)) < 0)
        return -1;
    if (got > 0 && parse_network(c, JP_K(p, "network"), o, r) < 0)
        return -1;
    if ((got = jget_obj(c, p, obj, "unified", &o)) < 0)
        return -1;
    if (got > 0 && parse_unified(c, JP_K(p, "unified"), o, r) < 0)
        return -1;
    if ((got = jget_obj(c, p, obj, "rdma", &o)) < 0)
        return -1;
    if (got > 0 && parse_rdma(c, JP_K(p, "rdma"), o, r) < 0)
        return -1;
    return 0;
}

void spec_resources_free(struct spec_resources *r)
{
    free(r->devices);
    free(r->blkio.weight_device);
    for (int t = 0; t < 4; t++)
        free(r->blkio.throttle[t]);
    free(r->hugepages);
    free(r->network.priorities);
    free(r->unified);
    for (size_t i = 0; i < r->nrdma; i++)
        free((char *)r->rdma[i].value);
    free(r->rdma);
    memset(r, 0, sizeof(*r));
}
