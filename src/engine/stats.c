/* stats.c: container statistics from its cgroups (see stats.h). */
#include "stats.h"
#include "ctr.h"
#include "../kernel/cgroup.h"
#include "../runtime/runtime.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* the first number of a cgroup file; "max" is 0 (no limit) */
static uint64_t num(const struct cg *cg, const char *ctrl, const char *file)
{
    cleanup_free char *t = NULL;
    if (cg_read(cg, ctrl, file, &t) < 0 || !t)
        return 0;
    unsigned long long v = 0;
    if (sscanf(t, "%llu", &v) != 1)
        return 0;
    /* v1 "no limit" is a page-rounded LLONG_MAX */
    return v >= (1ULL << 62) ? 0 : (uint64_t)v;
}

/* "KEY VALUE" lines: the value of key */
static uint64_t keyed(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
            return strtoull(p + kl + 1, NULL, 10);
    return 0;
}

/* io.stat (v2: "MAJ:MIN rbytes=N wbytes=N ...") or
 * blkio.throttle.io_service_bytes (v1: "MAJ:MIN Read N") */
static void blkio(const struct cg *cg, struct ctr_stats *st)
{
    bool v2 = false;
    cleanup_free char *t = NULL;
    if (cg_dir_for(cg, "io", &v2) && v2 && cg_read(cg, "io", "io.stat", &t) == 0 && t) {
        for (char *p = t; (p = strstr(p, "bytes=")); p += 6) {
            uint64_t v = strtoull(p + 6, NULL, 10);
            if (p > t && p[-1] == 'r')
                st->blk_read += v;
            else if (p > t && p[-1] == 'w')
                st->blk_write += v;
        }
        return;
    }
    if (cg_read(cg, "blkio", "blkio.throttle.io_service_bytes", &t) < 0 || !t)
        return;
    char *save = NULL;
    for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char dev[32], op[16];
        unsigned long long v;
        if (sscanf(l, "%31s %15s %llu", dev, op, &v) != 3)
            continue;
        if (strcmp(op, "Read") == 0)
            st->blk_read += v;
        else if (strcmp(op, "Write") == 0)
            st->blk_write += v;
    }
}

int ctr_stats_read(struct store *s, const char *id, struct ctr_stats *st, merr_t *err)
{
    memset(st, 0, sizeof(*st));
    cleanup_close int rootfd = ctr_runtime_rootfd(s, err);
    struct cg_host host;
    struct cg c;
    if (rootfd < 0 || rt_cgroup(rootfd, id, &host, &c, err) < 0)
        return -1;
    const struct cg *cg = &c;
    bool v2 = false;
    if (cg_dir_for(cg, "cpu", &v2) && v2) {
        cleanup_free char *t = NULL;
        if (cg_read(cg, "cpu", "cpu.stat", &t) == 0 && t)
            st->cpu_ns = keyed(t, "usage_usec") * 1000;
    } else {
        st->cpu_ns = num(cg, "cpuacct", "cpuacct.usage");
    }
    v2 = false;
    if (cg_dir_for(cg, "memory", &v2) && v2) {
        st->mem = num(cg, "memory", "memory.current");
        st->mem_limit = num(cg, "memory", "memory.max");
    } else {
        st->mem = num(cg, "memory", "memory.usage_in_bytes");
        st->mem_limit = num(cg, "memory", "memory.limit_in_bytes");
    }
    st->pids = num(cg, "pids", "pids.current");
    st->pids_limit = num(cg, "pids", "pids.max");
    blkio(cg, st);
    cg_free(&c);
    cg_host_free(&host);
    return 0;
}
