/* h_ctrmore.c: the other container verbs: top, stats, changes, pause,
 * unpause, rename, update, prune. */
#include "api.h"
#include "../util/fs.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int h_ctr_top(struct api_ctx *x)
{
    char id[65];
    if (api_ctr(x, x->param, id) < 0)
        return 0;
    const char *ps = api_q(x, "ps_args");
    if (ps && *ps && strcmp(ps, "-ef"))
        return api_error(x, 400, "query parameter ps_args: moat shows ps -ef's columns only");
    merr_t err = MERR_INIT;
    json_t *t = ctr_top(x->s, id, &err);
    return t ? api_json(x, 200, t) : api_merr(x, &err);
}

static void emit_change(int kind, const char *path, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:s,s:i}", "Path", path, "Kind", kind));
}

int h_ctr_changes(struct api_ctx *x)
{
    char id[65];
    if (api_ctr(x, x->param, id) < 0)
        return 0;
    json_t *out = json_array();
    merr_t err = MERR_INIT;
    if (ctr_diff(x->s, id, emit_change, out, &err) < 0) {
        json_decref(out);
        return api_merr(x, &err);
    }
    return api_json(x, 200, out);
}

/* the host's CPU time in ns (/proc/stat's first line), Docker's
 * system_cpu_usage */
static uint64_t system_cpu(void)
{
    cleanup_free char *text = NULL;
    merr_t err = MERR_INIT;
    if (read_file_at(-100, "/proc/stat", &text, NULL, &err) < 0) {
        err_clear(&err);
        return 0;
    }
    unsigned long long v[8] = {0}, sum = 0;
    sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
           &v[5], &v[6], &v[7]);
    for (int i = 0; i < 8; i++)
        sum += v[i];
    return sum * (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static json_t *cpu_json(const struct ctr_stats *st, uint64_t sys)
{
    return json_pack("{s:{s:I,s:I,s:I},s:I,s:i,s:{}}", "cpu_usage", "total_usage",
                     (json_int_t)st->cpu_ns, "usage_in_kernelmode", (json_int_t)0,
                     "usage_in_usermode", (json_int_t)0, "system_cpu_usage", (json_int_t)sys,
                     "online_cpus", (int)sysconf(_SC_NPROCESSORS_ONLN), "throttling_data");
}

static json_t *stats_json(const char *id, const char *name, const struct ctr_stats *st,
                          uint64_t sys, const struct ctr_stats *pre, uint64_t presys)
{
    char now[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:{s:I,s:I},s:o,s:o,s:{s:I,s:I,s:{}},s:{s:[{s:i,s:i,s:s,s:I},"
        "{s:i,s:i,s:s,s:I}]}}",
        "id", id, "name", name, "read", now, "preread", now, "pids_stats", "current",
        (json_int_t)st->pids, "limit", (json_int_t)st->pids_limit, "cpu_stats", cpu_json(st, sys),
        "precpu_stats", cpu_json(pre, presys), "memory_stats", "usage", (json_int_t)st->mem,
        "limit", (json_int_t)st->mem_limit, "stats", "blkio_stats", "io_service_bytes_recursive",
        "major", 0, "minor", 0, "op", "read", "value", (json_int_t)st->blk_read, "major", 0,
        "minor", 0, "op", "write", "value", (json_int_t)st->blk_write);
}

int h_ctr_stats(struct api_ctx *x)
{
    bool stream = true, one_shot = false;
    if (api_q_bool(x, "stream", &stream) < 0 || api_q_bool(x, "one-shot", &one_shot) < 0)
        return 0;
    char id[65];
    struct ctr_rec c;
    if (api_ctr_load(x, x->param, id, true, &c) < 0)
        return 0;
    merr_t err = MERR_INIT;
    cleanup_free char *name =
        xasprintf("%s%s", c.name && c.name[0] == '/' ? "" : "/", c.name ?: "");
    ctr_rec_free(&c);
    struct ctr_stats pre = {0}, st = {0};
    uint64_t presys = 0, sys;
    if (ctr_stats_read(x->s, id, &pre, &err) < 0)
        err_clear(&err); /* a stopped container: zeros, as Docker */
    presys = system_cpu();
    api_head(x, 200, "application/json", -1);
    for (;;) {
        if (!one_shot)
            poll(NULL, 0, 1000);
        if (ctr_stats_read(x->s, id, &st, &err) < 0)
            err_clear(&err);
        sys = system_cpu();
        json_t *o = stats_json(id, name, &st, sys, &pre, presys);
        cleanup_free char *line = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (write_all(x->chan, line, strlen(line)) < 0 || write_all(x->chan, "\n", 1) < 0 ||
            !stream)
            return 0;
        pre = st;
        presys = sys;
    }
}

static int pause_op(struct api_ctx *x, bool pause)
{
    char id[65];
    if (api_ctr(x, x->param, id) < 0)
        return 0;
    merr_t err = MERR_INIT;
    if (ctr_pause(x->s, id, pause, &err) < 0)
        return api_merr(x, &err);
    return api_status(x, 204);
}

int h_ctr_pause(struct api_ctx *x)
{
    return pause_op(x, true);
}

int h_ctr_unpause(struct api_ctx *x)
{
    return pause_op(x, false);
}

int h_ctr_rename(struct api_ctx *x)
{
    char id[65];
    const char *name = api_q(x, "name");
    if (!name || !*name)
        return api_error(x, 400, "query parameter name: a new name is required");
    if (api_ctr(x, x->param, id) < 0)
        return 0;
    merr_t err = MERR_INIT;
    if (ctr_rename(x->s, id, name[0] == '/' ? name + 1 : name, &err) < 0)
        return api_conflict(x, name, &err);
    return api_status(x, 204);
}

/* what a client sends for "not given" (Docker's CLI sends every field of
 * UpdateConfig): 0, "", [], {}, null, a RestartPolicy without a name */
static bool unset(json_t *v)
{
    if (json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0) ||
        (json_is_string(v) && !*json_string_value(v)) || (json_is_array(v) && !json_array_size(v)))
        return true;
    if (!json_is_object(v))
        return false;
    json_t *n = json_object_get(v, "Name");
    return !json_object_size(v) || (json_object_size(v) <= 2 && n && unset(n));
}

int h_ctr_update(struct api_ctx *x)
{
    char id[65];
    if (api_ctr(x, x->param, id) < 0)
        return 0;
    if (!json_is_object(x->body))
        return api_error(x, 400, "an update (a JSON object) is required");
    json_t *given = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(x->body, k, v)
    {
        if (!unset(v))
            json_object_set(given, k, v);
    }
    if (!x->who.admin) { /* limits may change, not go (policy.c) */
        static const char *const lim[] = {"Memory", "MemorySwap", "PidsLimit"};
        for (size_t i = 0; i < ARRAY_SIZE(lim); i++)
            if (json_integer_value(json_object_get(given, lim[i])) < 0) {
                json_decref(given);
                return api_error(x, 403, "%s without a limit is not allowed on the user socket",
                                 lim[i]);
            }
    }
    merr_t err = MERR_INIT;
    int r = ctr_update(x->s, id, given, &err);
    json_decref(given);
    if (r < 0) {
        api_error(x, 400, "%s", err.msg);
        err_clear(&err);
        return 0;
    }
    return api_json(x, 200, json_pack("{s:[]}", "Warnings"));
}

int h_ctr_prune(struct api_ctx *x)
{
    char **filters = NULL;
    if (api_q_filters(x, &filters) < 0)
        return 0;
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    int r = prune_filter_parse(filters, PRUNE_CONTAINERS, false, &pf, &err);
    strv_free(filters);
    if (r < 0) {
        api_error(x, 400, "%s", err.msg);
        err_clear(&err);
        return 0;
    }
    pf.owner = x->who.admin ? NULL : x->who.owner;
    json_t *deleted = json_array();
    uint64_t freed = 0;
    prune_containers(x->s, &pf, deleted, &freed);
    prune_filter_free(&pf);
    return api_json(
        x, 200,
        json_pack("{s:o,s:I}", "ContainersDeleted", deleted, "SpaceReclaimed", (json_int_t)freed));
}
