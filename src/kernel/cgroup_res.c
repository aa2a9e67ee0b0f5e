/* cgroup_res.c: writing linux.resources to v1 and v2 controller files. */
#include "cgroup.h"
#include "cgroup_internal.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int put(const char *dir, const char *file, const char *field, const char *val, merr_t *err)
{
    cleanup_free char *p = xasprintf("%s/%s", dir, file);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "%s: open %s", field, p);
    int r = write_all(fd, val, strlen(val));
    int e = errno;
    close(fd);
    if (r < 0) {
        errno = e;
        return err_sys(err, "%s: write \"%s\" to %s", field, val, p);
    }
    return 0;
}

static int putf(const char *dir, const char *file, const char *field, merr_t *err, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
static int putf(const char *dir, const char *file, const char *field, merr_t *err, const char *fmt,
                ...)
{
    va_list ap;
    char *v;
    va_start(ap, fmt);
    int n = vasprintf(&v, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_set(err, ENOMEM, "%s", field);
    int r = put(dir, file, field, v, err);
    free(v);
    return r;
}

static bool exists(const char *dir, const char *file)
{
    cleanup_free char *p = xasprintf("%s/%s", dir, file);
    return access(p, F_OK) == 0;
}

static int need(const char *dir, const char *ctrl, const char *field, merr_t *err)
{
    if (!dir)
        return err_set(err, ENOTSUP, "%s: the %s cgroup controller is not available on this host",
                       field, ctrl);
    return 0;
}

uint64_t cg_shares_to_weight(uint64_t shares)
{
    if (shares == 0)
        return 0;
    if (shares < 2)
        shares = 2;
    if (shares > 262144)
        shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t w)
{
    if (w == 0)
        return 0;
    return 1 + ((w - 10) * 9999) / 990;
}

static const char *dev_num(int64_t v, char *buf, size_t n)
{
    if (v < 0)
        return "*";
    snprintf(buf, n, "%lld", (long long)v);
    return buf;
}

static int apply_memory_v1(const char *d, const struct spec_resources *r, merr_t *err)
{
#define MF "linux.resources.memory."
    if (r->memory.kernel.has && putf(d, "memory.kmem.limit_in_bytes", MF "kernel", err, "%" PRId64,
                                     r->memory.kernel.v) < 0) {
        log_warn("%s (kernel memory limits are deprecated; ignored)", err->msg);
        err_clear(err);
    }
    if (r->memory.kernel_tcp.has && putf(d, "memory.kmem.tcp.limit_in_bytes", MF "kernelTCP", err,
                                         "%" PRId64, r->memory.kernel_tcp.v) < 0)
        return -1;
    bool has_memsw = exists(d, "memory.memsw.limit_in_bytes");
    bool want_swap = r->memory.swap.has && has_memsw;
    if (r->memory.swap.has && !has_memsw && r->memory.swap.v != -1 &&
        !(r->memory.limit.has && r->memory.swap.v == r->memory.limit.v))
        log_warn(MF "swap: this host has no swap accounting; the limit is not applied");
    if (want_swap) {
        /* memsw must stay >= limit: raise memsw first when growing */
        char *cur = NULL;
        int64_t cur_memsw = -1;
        cleanup_free char *p = xasprintf("%s/memory.memsw.limit_in_bytes", d);
        if (read_file_at(AT_FDCWD, p, &cur, NULL, NULL) == 0) {
            cur_memsw = strtoll(cur, NULL, 10);
            free(cur);
        }
        int64_t nsw = r->memory.swap.v;
        bool grow = nsw == -1 || (uint64_t)nsw > (uint64_t)cur_memsw;
        if (grow && putf(d, "memory.memsw.limit_in_bytes", MF "swap", err, "%" PRId64, nsw) < 0)
            return -1;
        if (r->memory.limit.has &&
            putf(d, "memory.limit_in_bytes", MF "limit", err, "%" PRId64, r->memory.limit.v) < 0)
            return -1;
        if (!grow && putf(d, "memory.memsw.limit_in_bytes", MF "swap", err, "%" PRId64, nsw) < 0)
            return -1;
    } else if (r->memory.limit.has) {
        if (putf(d, "memory.limit_in_bytes", MF "limit", err, "%" PRId64, r->memory.limit.v) < 0) {
            /* shrinking below memsw? set memsw to the same value first */
            if (!has_memsw || r->memory.limit.v == -1)
                return -1;
            err_clear(err);
            if (putf(d, "memory.memsw.limit_in_bytes", MF "limit", err, "%" PRId64,
                     r->memory.limit.v) < 0 ||
                putf(d, "memory.limit_in_bytes", MF "limit", err, "%" PRId64, r->memory.limit.v) <
                    0)
                return -1;
        }
    }
    if (r->memory.reservation.has && putf(d, "memory.soft_limit_in_bytes", MF "reservation", err,
                                          "%" PRId64, r->memory.reservation.v) < 0)
        return -1;
    if (r->memory.swappiness.has &&
        putf(d, "memory.swappiness", MF "swappiness", err, "%" PRIu64, r->memory.swappiness.v) < 0)
        return -1;
    if (r->memory.disable_oom_killer.has && r->memory.disable_oom_killer.v &&
        put(d, "memory.oom_control", MF "disableOOMKiller", "1", err) < 0)
        return -1;
    if (r->memory.use_hierarchy.has && put(d, "memory.use_hierarchy", MF "useHierarchy",
                                           r->memory.use_hierarchy.v ? "1" : "0", err) < 0) {
        log_debug("%s", err->msg);
        err_clear(err);
    }
    return 0;
#undef MF
}

static int apply_memory_v2(const char *d, const struct spec_resources *r, merr_t *err)
{
#define MF "linux.resources.memory."
    if (r->memory.limit.has) {
        if (r->memory.limit.v == -1)
            put(d, "memory.max", MF "limit", "max", err);
        if (r->memory.limit.v != -1 &&
            putf(d, "memory.max", MF "limit", err, "%" PRId64, r->memory.limit.v) < 0)
            return -1;
    }
    if (r->memory.swap.has && exists(d, "memory.swap.max")) {
        int64_t sw = r->memory.swap.v;
        if (sw == -1)
            put(d, "memory.swap.max", MF "swap", "max", err);
        else {
            int64_t lim = r->memory.limit.has ? r->memory.limit.v : -1;
            if (lim == -1)
                return err_set(err, EINVAL, MF "swap: needs memory.limit on cgroup v2");
            if (putf(d, "memory.swap.max", MF "swap", err, "%" PRId64, sw - lim) < 0)
                return -1;
        }
    }
    if (r->memory.reservation.has &&
        putf(d, "memory.low", MF "reservation", err, "%" PRId64, r->memory.reservation.v) < 0)
        return -1;
    if (r->memory.swappiness.has)
        log_warn(MF "swappiness: not supported on cgroup v2; ignored");
    if (r->memory.kernel.has || r->memory.kernel_tcp.has)
        log_warn(MF "kernel: kernel memory limits do not exist on cgroup v2; ignored");
    if (r->memory.disable_oom_killer.has && r->memory.disable_oom_killer.v)
        log_warn(MF "disableOOMKiller: not supported on cgroup v2; ignored");
    return 0;
#undef MF
}

static int apply_cpu(const struct cg *cg, const struct spec_resources *r, merr_t *err)
{
#define CF "linux.resources.cpu."
    bool v2 = false;
    const char *d;
    if (r->cpu.cpus || r->cpu.mems) {
        d = cg_dir_for(cg, "cpuset", &v2);
        if (need(d, "cpuset", CF "cpus", err) < 0)
            return -1;
        if (r->cpu.cpus && *r->cpu.cpus && put(d, "cpuset.cpus", CF "cpus", r->cpu.cpus, err) < 0)
            return -1;
        if (r->cpu.mems && *r->cpu.mems && put(d, "cpuset.mems", CF "mems", r->cpu.mems, err) < 0)
            return -1;
    }
    bool any = r->cpu.shares.has || r->cpu.quota.has || r->cpu.period.has || r->cpu.burst.has ||
               r->cpu.realtime_period.has || r->cpu.realtime_runtime.has || r->cpu.idle.has;
    if (!any)
        return 0;
    d = cg_dir_for(cg, "cpu", &v2);
    if (need(d, "cpu", CF "quota", err) < 0)
        return -1;
    if (!v2) {
        if (r->cpu.shares.has && r->cpu.shares.v &&
            putf(d, "cpu.shares", CF "shares", err, "%" PRIu64, r->cpu.shares.v) < 0)
            return -1;
        if (r->cpu.period.has && r->cpu.period.v &&
            putf(d, "cpu.cfs_period_us", CF "period", err, "%" PRIu64, r->cpu.period.v) < 0)
            return -1;
        if (r->cpu.quota.has && r->cpu.quota.v &&
            putf(d, "cpu.cfs_quota_us", CF "quota", err, "%" PRId64, r->cpu.quota.v) < 0)
            return -1;
        if (r->cpu.burst.has &&
            putf(d, "cpu.cfs_burst_us", CF "burst", err, "%" PRIu64, r->cpu.burst.v) < 0)
            return -1;
        if (r->cpu.realtime_period.has && r->cpu.realtime_period.v &&
            putf(d, "cpu.rt_period_us", CF "realtimePeriod", err, "%" PRIu64,
                 r->cpu.realtime_period.v) < 0)
            return -1;
        if (r->cpu.realtime_runtime.has && r->cpu.realtime_runtime.v &&
            putf(d, "cpu.rt_runtime_us", CF "realtimeRuntime", err, "%" PRId64,
                 r->cpu.realtime_runtime.v) < 0)
            return -1;
        if (r->cpu.idle.has && putf(d, "cpu.idle", CF "idle", err, "%" PRId64, r->cpu.idle.v) < 0)
            return -1;
        return 0;
    }
    if (r->cpu.shares.has && r->cpu.shares.v &&
        putf(d, "cpu.weight", CF "shares", err, "%" PRIu64, cg_shares_to_weight(r->cpu.shares.v)) <
            0)
        return -1;
    if (r->cpu.quota.has || r->cpu.period.has) {
        uint64_t period = r->cpu.period.has && r->cpu.period.v ? r->cpu.period.v : 100000;
        if (r->cpu.quota.has && r->cpu.quota.v > 0) {
            if (putf(d, "cpu.max", CF "quota", err, "%" PRId64 " %" PRIu64, r->cpu.quota.v,
                     period) < 0)
                return -1;
        } else if (putf(d, "cpu.max", CF "quota", err, "max %" PRIu64, period) < 0) {
            return -1;
        }
    }
    if (r->cpu.burst.has &&
        putf(d, "cpu.max.burst", CF "burst", err, "%" PRIu64, r->cpu.burst.v) < 0)
        return -1;
    if (r->cpu.idle.has && putf(d, "cpu.idle", CF "idle", err, "%" PRId64, r->cpu.idle.v) < 0)
        return -1;
    if ((r->cpu.realtime_period.has && r->cpu.realtime_period.v) ||
        (r->cpu.realtime_runtime.has && r->cpu.realtime_runtime.v))
        return err_set(err, ENOTSUP, CF "realtimeRuntime: not supported on cgroup v2");
    return 0;
#undef CF
}

static int apply_blkio(const struct cg *cg, const struct spec_resources *r, merr_t *err)
{
#define BF "linux.resources.blockIO."
    static const char *const v1files[4] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
    static const char *const v2keys[4] = {"rbps", "wbps", "riops", "wiops"};
    static const char *const fields[4] = {BF "throttleReadBpsDevice", BF "throttleWriteBpsDevice",
                                          BF "throttleReadIOPSDevice",
                                          BF "throttleWriteIOPSDevice"};
    bool any = r->blkio.weight.has || r->blkio.leaf_weight.has || r->blkio.nweight_device;
    for (int t = 0; t < 4; t++)
        any = any || r->blkio.nthrottle[t];
    if (!any)
        return 0;
    bool v2 = false;
    const char *d = cg_dir_for(cg, "blkio", &v2);
    if (!d)
        d = cg_dir_for(cg, "io", &v2);
    if (need(d, "blkio/io", BF "weight", err) < 0)
        return -1;
    if (!v2) {
        /* kernels without CFQ have only BFQ's weight files */
        const char *wf = exists(d, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
        const char *wdf =
            exists(d, "blkio.weight_device") ? "blkio.weight_device" : "blkio.bfq.weight_device";
        if (r->blkio.weight.has && r->blkio.weight.v &&
            putf(d, wf, BF "weight", err, "%u", r->blkio.weight.v) < 0)
            return -1;
        if (r->blkio.leaf_weight.has && r->blkio.leaf_weight.v &&
            putf(d, "blkio.leaf_weight", BF "leafWeight", err, "%u", r->blkio.leaf_weight.v) < 0)
            return -1;
        for (size_t i = 0; i < r->blkio.nweight_device; i++) {
            const struct spec_weight_dev *w = &r->blkio.weight_device[i];
            if (w->weight.has && putf(d, wdf, BF "weightDevice", err, "%lld:%lld %u",
                                      (long long)w->major, (long long)w->minor, w->weight.v) < 0)
                return -1;
            if (w->leaf_weight.has &&
                putf(d, "blkio.leaf_weight_device", BF "weightDevice", err, "%lld:%lld %u",
                     (long long)w->major, (long long)w->minor, w->leaf_weight.v) < 0)
                return -1;
        }
        for (int t = 0; t < 4; t++)
            for (size_t i = 0; i < r->blkio.nthrottle[t]; i++) {
                const struct spec_throttle *th = &r->blkio.throttle[t][i];
                if (putf(d, v1files[t], fields[t], err, "%lld:%lld %" PRIu64, (long long)th->major,
                         (long long)th->minor, th->rate) < 0)
                    return -1;
            }
        return 0;
    }
    const char *wf = exists(d, "io.weight") ? "io.weight" : "io.bfq.weight";
    if (r->blkio.weight.has && r->blkio.weight.v &&
        putf(d, wf, BF "weight", err, "default %" PRIu64,
             cg_blkio_to_io_weight(r->blkio.weight.v)) < 0)
        return -1;
    if (r->blkio.leaf_weight.has)
        log_warn(BF "leafWeight: not supported on cgroup v2; ignored");
    for (size_t i = 0; i < r->blkio.nweight_device; i++) {
        const struct spec_weight_dev *w = &r->blkio.weight_device[i];
        if (w->weight.has &&
            putf(d, wf, BF "weightDevice", err, "%lld:%lld %" PRIu64, (long long)w->major,
                 (long long)w->minor, cg_blkio_to_io_weight(w->weight.v)) < 0)
            return -1;
    }
    for (int t = 0; t < 4; t++)
        for (size_t i = 0; i < r->blkio.nthrottle[t]; i++) {
            const struct spec_throttle *th = &r->blkio.throttle[t][i];
            if (putf(d, "io.max", fields[t], err, "%lld:%lld %s=%" PRIu64, (long long)th->major,
                     (long long)th->minor, v2keys[t], th->rate) < 0)
                return -1;
        }
    return 0;
#undef BF
}

static int apply_devices(const struct cg *cg, const struct spec_resources *r, merr_t *err)
{
    bool v2 = false;
    const char *d = cg_dir_for(cg, "devices", &v2);
    if (!d) {
        /* cgroup v2: an eBPF program on the unified directory */
        for (size_t i = 0; i < cg->n; i++)
            if (cg->dirs[i] && cg->host->h[i].v2)
                return cg_bpf_devices(cg->dirs[i], r->devices, r->ndevices, err);
        return need(NULL, "devices", "linux.resources.devices", err);
    }
    /* v1: rules in order, one write each to devices.allow or devices.deny
     * (each opened once); a first rule for "a" sets the default */
    int fds[2] = {-1, -1}, ret = 0;
    for (size_t i = 0; i < r->ndevices && ret == 0; i++) {
        const struct spec_dev_rule *rule = &r->devices[i];
        const char *file = rule->allow ? "devices.allow" : "devices.deny";
        int *fd = &fds[rule->allow];
        char ma[24], mi[24], line[80];
        if (rule->type == 'a' && rule->major < 0 && rule->minor < 0)
            snprintf(line, sizeof(line), "a");
        else
            snprintf(line, sizeof(line), "%c %s:%s %s", rule->type,
                     dev_num(rule->major, ma, sizeof(ma)), dev_num(rule->minor, mi, sizeof(mi)),
                     rule->access);
        cleanup_free char *p = xasprintf("%s/%s", d, file);
        if (*fd < 0 && (*fd = open(p, O_WRONLY | O_CLOEXEC)) < 0)
            ret = err_sys(err, "linux.resources.devices[%zu]: open %s", i, p);
        else if (write(*fd, line, strlen(line)) != (ssize_t)strlen(line))
            ret = err_sys(err, "linux.resources.devices[%zu]: write \"%s\" to %s", i, line, p);
    }
    for (int k = 0; k < 2; k++)
        if (fds[k] >= 0)
            close(fds[k]);
    return ret;
}

int cg_apply(const struct cg *cg, const struct spec_resources *r, merr_t *err)
{
    bool v2 = false;
    const char *d;
    if (r->has_devices && apply_devices(cg, r, err) < 0)
        return -1;
    bool mem = r->memory.limit.has || r->memory.reservation.has || r->memory.swap.has ||
               r->memory.kernel.has || r->memory.kernel_tcp.has || r->memory.swappiness.has ||
               r->memory.disable_oom_killer.has || r->memory.use_hierarchy.has;
    if (mem) {
        d = cg_dir_for(cg, "memory", &v2);
        if (need(d, "memory", "linux.resources.memory", err) < 0)
            return -1;
        if ((v2 ? apply_memory_v2 : apply_memory_v1)(d, r, err) < 0)
            return -1;
    }
    if (apply_cpu(cg, r, err) < 0)
        return -1;
    if (r->pids_limit.has && r->pids_limit.v != 0) {
        d = cg_dir_for(cg, "pids", &v2);
        if (need(d, "pids", "linux.resources.pids.limit", err) < 0)
            return -1;
        if (r->pids_limit.v < 0) {
            if (put(d, "pids.max", "linux.resources.pids.limit", "max", err) < 0)
                return -1;
        } else if (putf(d, "pids.max", "linux.resources.pids.limit", err, "%" PRId64,
                        r->pids_limit.v) < 0) {
            return -1;
        }
    }
    if (apply_blkio(cg, r, err) < 0)
        return -1;
    for (size_t i = 0; i < r->nhugepages; i++) {
        const struct spec_hugepage *h = &r->hugepages[i];
        cleanup_free char *field = xasprintf("linux.resources.hugepageLimits[%zu]", i);
        d = cg_dir_for(cg, "hugetlb", &v2);
        if (need(d, "hugetlb", field, err) < 0)
            return -1;
        cleanup_free char *file =
            xasprintf(v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", h->page_size);
        if (!exists(d, file))
            return err_set(err, EINVAL, "%s.pageSize: \"%s\" is not a huge page size of this host",
                           field, h->page_size);
        if (putf(d, file, field, err, "%" PRIu64, h->limit) < 0)
            return -1;
    }
    if (r->network.class_id.has) {
        d = cg_dir_for(cg, "net_cls", &v2);
        if (need(d, "net_cls", "linux.resources.network.classID", err) < 0 ||
            putf(d, "net_cls.classid", "linux.resources.network.classID", err, "%u",
                 r->network.class_id.v) < 0)
            return -1;
    }
    for (size_t i = 0; i < r->network.npriorities; i++) {
        d = cg_dir_for(cg, "net_prio", &v2);
        if (need(d, "net_prio", "linux.resources.network.priorities", err) < 0 ||
            putf(d, "net_prio.ifpriomap", "linux.resources.network.priorities", err, "%s %u",
                 r->network.priorities[i].name, r->network.priorities[i].priority) < 0)
            return -1;
    }
    for (size_t i = 0; i < r->nrdma; i++) {
        d = cg_dir_for(cg, "rdma", &v2);
        if (need(d, "rdma", "linux.resources.rdma", err) < 0 ||
            put(d, "rdma.max", "linux.resources.rdma", r->rdma[i].value, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < r->nunified; i++) {
        const struct spec_kv *kv = &r->unified[i];
        cleanup_free char *ctrl = xstrdup(kv->key);
        *strchr(ctrl, '.') = 0;
        cleanup_free char *field = xasprintf("linux.resources.unified.%s", kv->key);
        d = NULL;
        for (size_t k = 0; k < cg->n && !d; k++)
            if (cg->dirs[k] && cg->host->h[k].v2)
                d = cg->dirs[k];
        if (!d)
            return err_set(err, ENOTSUP, "%s: needs a cgroup v2 hierarchy", field);
        if (!exists(d, kv->key))
            return err_set(err, ENOENT,
                           "%s: no such file in the container's cgroup v2 directory (is the %s "
                           "controller enabled there?)",
                           field, ctrl);
        if (put(d, kv->key, field, kv->value, err) < 0)
            return -1;
    }
    return 0;
}

int cg_apply_container(const struct cg *cg, const struct spec_resources *r, merr_t *err)
{
    static const struct spec_dev_rule defaults[] = {
        {true, 'c', -1, -1, "m"}, {true, 'b', -1, -1, "m"},    {true, 'c', 1, 3, "rwm"},
        {true, 'c', 1, 5, "rwm"}, {true, 'c', 1, 7, "rwm"},    {true, 'c', 5, 0, "rwm"},
        {true, 'c', 1, 8, "rwm"}, {true, 'c', 1, 9, "rwm"},    {true, 'c', 5, 1, "rwm"},
        {true, 'c', 5, 2, "rwm"}, {true, 'c', 136, -1, "rwm"},
    };
    if (!r->has_devices)
        return cg_apply(cg, r, err);
    struct spec_resources copy = *r;
    size_t n = r->ndevices + ARRAY_SIZE(defaults);
    copy.devices = xmalloc(n * sizeof(struct spec_dev_rule));
    if (r->ndevices)
        memcpy(copy.devices, r->devices, r->ndevices * sizeof(struct spec_dev_rule));
    memcpy(copy.devices + r->ndevices, defaults, sizeof(defaults));
    copy.ndevices = n;
    int ret = cg_apply(cg, &copy, err);
    free(copy.devices);
    return ret;
}
