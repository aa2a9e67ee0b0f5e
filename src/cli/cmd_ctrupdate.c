/* cmd_ctrupdate.c: update of engine containers (Docker's flags; the OCI
 * runtime's update is cmd_update.c). */
#include "cli.h"
#include "flags.h"
#include "../engine/engine.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    F_BLKIO = 1,
    F_PERIOD,
    F_QUOTA,
    F_RTPERIOD,
    F_RTRUNTIME,
    F_SHARES,
    F_CPUS,
    F_CPUSET,
    F_MEMS,
    F_MEM,
    F_MEMRES,
    F_SWAP,
    F_PIDS,
    F_RESTART,
};

const struct cmd_flags update_flags = {
    "update",
    "[OPTIONS] CONTAINER [CONTAINER...]",
    "Update configuration of one or more containers",
    (const struct flag[]){
        {"blkio-weight", 0, "uint16",
         "Block IO (relative weight), between 10 and 1000, or 0 to disable", F_BLKIO},
        {"cpu-period", 0, "int", "Limit CPU CFS (Completely Fair Scheduler) period", F_PERIOD},
        {"cpu-quota", 0, "int", "Limit CPU CFS (Completely Fair Scheduler) quota", F_QUOTA},
        {"cpu-rt-period", 0, "int", "Limit the CPU real-time period in microseconds", F_RTPERIOD},
        {"cpu-rt-runtime", 0, "int", "Limit the CPU real-time runtime in microseconds",
         F_RTRUNTIME},
        {"cpu-shares", 'c', "int", "CPU shares (relative weight)", F_SHARES},
        {"cpus", 0, "decimal", "Number of CPUs", F_CPUS},
        {"cpuset-cpus", 0, "string", "CPUs in which to allow execution (0-3, 0,1)", F_CPUSET},
        {"cpuset-mems", 0, "string", "MEMs in which to allow execution (0-3, 0,1)", F_MEMS},
        {"memory", 'm', "bytes", "Memory limit", F_MEM},
        {"memory-reservation", 0, "bytes", "Memory soft limit", F_MEMRES},
        {"memory-swap", 0, "bytes",
         "Swap limit equal to memory plus swap: -1 to enable unlimited swap", F_SWAP},
        {"pids-limit", 0, "int", "Tune container pids limit (set -1 for unlimited)", F_PIDS},
        {"restart", 0, "string", "Restart policy to apply when a container exits", F_RESTART},
        {0},
    },
    true,
    1,
    -1};

/* a size, or -1 where minus_one */
static int size_arg(struct flags_it *it, json_t *body, const char *key, bool minus_one)
{
    int64_t v;
    if (minus_one && strcmp(it->val, "-1") == 0)
        v = -1;
    else if (it->val[0] == '-' || parse_size(it->val, &v) < 0)
        return flags_error(it, "invalid argument \"%s\" for \"%s\" flag: not a size (like 64m)",
                           it->val, it->seen);
    json_object_set_new(body, key, json_integer(v));
    return 0;
}

static int int_arg(struct flags_it *it, json_t *body, const char *key, int64_t min, int64_t max)
{
    int64_t v;
    if (flags_int(it, min, max, &v) < 0)
        return -1;
    json_object_set_new(body, key, json_integer(v));
    return 0;
}

static int on_update(struct flags_it *it, int f, void *ctx)
{
    json_t *body = ctx;
    const char *v = it->val;
    switch (f) {
    case F_BLKIO:
        return int_arg(it, body, "BlkioWeight", 0, 65535);
    case F_PERIOD:
        return int_arg(it, body, "CpuPeriod", INT64_MIN, INT64_MAX);
    case F_QUOTA:
        return int_arg(it, body, "CpuQuota", INT64_MIN, INT64_MAX);
    case F_RTPERIOD:
        return int_arg(it, body, "CpuRealtimePeriod", INT64_MIN, INT64_MAX);
    case F_RTRUNTIME:
        return int_arg(it, body, "CpuRealtimeRuntime", INT64_MIN, INT64_MAX);
    case F_SHARES:
        return int_arg(it, body, "CpuShares", INT64_MIN, INT64_MAX);
    case F_PIDS:
        return int_arg(it, body, "PidsLimit", INT64_MIN, INT64_MAX);
    case F_CPUS: {
        char *end;
        double c = strtod(v, &end);
        if (*end || end == v || !(c >= 0) || c > 1e6)
            return flags_error(it, "invalid argument \"%s\" for \"--cpus\" flag: not a number", v);
        json_object_set_new(body, "NanoCpus", json_integer((json_int_t)(c * 1e9 + 0.5)));
        return 0;
    }
    case F_CPUSET:
    case F_MEMS:
        json_object_set_new(body, f == F_CPUSET ? "CpusetCpus" : "CpusetMems", json_string(v));
        return 0;
    case F_MEM:
        return size_arg(it, body, "Memory", false);
    case F_MEMRES:
        return size_arg(it, body, "MemoryReservation", false);
    case F_SWAP:
        return size_arg(it, body, "MemorySwap", true);
    case F_RESTART: {
        json_t *pol = NULL;
        merr_t err = MERR_INIT;
        if (restart_parse(v, &pol, &err) < 0) {
            flags_error(it, "%s", err.msg);
            err_clear(&err);
            return -1;
        }
        json_object_set_new(body, "RestartPolicy", pol);
        return 0;
    }
    }
    return 0;
}

int engine_update(const struct global *g, int argc, char **argv)
{
    json_t *body = json_object();
    struct flags_it it;
    flags_begin(&it, &update_flags, argc, argv);
    int r = flags_parse(&it, on_update, body);
    if (r == FLAGS_DONE && !json_object_size(body)) {
        flags_error(&it, "you must provide one or more flags when using this command");
        r = EXIT_ENGINE;
    }
    struct store s;
    if (r == FLAGS_DONE && cli_store(g, &s) < 0)
        r = EXIT_ENGINE;
    if (r != FLAGS_DONE) {
        json_decref(body);
        return r;
    }
    int ret = 0;
    for (size_t i = 0; i < it.nargs; i++) {
        merr_t err = MERR_INIT;
        char id[65];
        if (ctr_find(&s, it.args[i], id, &err) < 0) {
            cli_fail(&err);
            ret = ret ? ret : 1;
        } else if (ctr_update(&s, id, body, &err) < 0) {
            cli_fail(&err);
            ret = EXIT_ENGINE; /* refused: nothing changed */
        } else {
            printf("%s\n", it.args[i]);
        }
    }
    store_close(&s);
    json_decref(body);
    return ret;
}
