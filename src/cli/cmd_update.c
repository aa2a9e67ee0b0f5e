/* cmd_update.c: moat update --resources FILE|- or the flag forms. */
#include "cli.h"
#include "../oci/spec.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* "64m", "1g", "1024", "-1" -> bytes (binary units, as docker's) */
static int parse_bytes(const char *s, int64_t *out)
{
    if (strcmp(s, "-1") == 0) {
        *out = -1;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    int64_t mul = 1;
    if (*end) {
        char u = (char)tolower((unsigned char)*end);
        if (u == 'b')
            mul = 1;
        else if (u == 'k')
            mul = 1LL << 10;
        else if (u == 'm')
            mul = 1LL << 20;
        else if (u == 'g')
            mul = 1LL << 30;
        else if (u == 't')
            mul = 1LL << 40;
        else
            return -1;
        end++;
        if (*end && strcasecmp(end, "b") != 0 && strcasecmp(end, "ib") != 0)
            return -1;
    }
    *out = (int64_t)(v * (double)mul);
    return 0;
}

enum {
    F_MEM = 1,
    F_MEMRES,
    F_SWAP,
    F_KMEM,
    F_KTCP,
    F_SHARES,
    F_PERIOD,
    F_QUOTA,
    F_RTPERIOD,
    F_RTRUNTIME,
    F_CPUS,
    F_MEMS,
    F_PIDS,
    F_BLKIO,
    F_L3,
    F_MBW,
    F_RES,
    F_HELP
};

static const char *optname(const struct option *o, int val)
{
    for (; o->name; o++)
        if (o->val == val)
            return o->name;
    return "?";
}

/* one resource flag, as JSON onto its part of linux.resources: 0, -1
 * after a message, -2 if ch is none of them */
static int update_value(int ch, const char *arg, const struct option *opts, struct sbuf *mem,
                        struct sbuf *cpu, struct sbuf *other)
{
    int64_t v;
    const char *name = NULL;
    switch (ch) {
    case F_CPUS:
    case F_MEMS:
        sbuf_printf(cpu, "%s\"%s\":", cpu->len ? "," : "", ch == F_CPUS ? "cpus" : "mems");
        sbuf_json_str(cpu, arg);
        return 0;
    case F_MEM:
    case F_MEMRES:
    case F_SWAP:
    case F_KMEM:
    case F_KTCP:
        name = ch == F_MEM      ? "limit"
               : ch == F_MEMRES ? "reservation"
               : ch == F_SWAP   ? "swap"
               : ch == F_KMEM   ? "kernel"
                                : "kernelTCP";
        if (parse_bytes(arg, &v) < 0) {
            cli_usage_error("update", "--%s: \"%s\" is not a size", optname(opts, ch), arg);
            return -1;
        }
        sbuf_printf(mem, "%s\"%s\":%lld", mem->len ? "," : "", name, (long long)v);
        return 0;
    case F_SHARES:
    case F_PERIOD:
    case F_QUOTA:
    case F_RTPERIOD:
    case F_RTRUNTIME:
        name = ch == F_SHARES     ? "shares"
               : ch == F_PERIOD   ? "period"
               : ch == F_QUOTA    ? "quota"
               : ch == F_RTPERIOD ? "realtimePeriod"
                                  : "realtimeRuntime";
        if (parse_i64(arg, &v) < 0 || (v < 0 && ch != F_QUOTA && ch != F_RTRUNTIME)) {
            cli_usage_error("update", "--%s: \"%s\" is not a number", optname(opts, ch), arg);
            return -1;
        }
        sbuf_printf(cpu, "%s\"%s\":%lld", cpu->len ? "," : "", name, (long long)v);
        return 0;
    case F_PIDS:
        if (parse_i64(arg, &v) < 0) {
            cli_usage_error("update", "--pids-limit: \"%s\" is not a number", arg);
            return -1;
        }
        sbuf_printf(other, "%s\"pids\":{\"limit\":%lld}", other->len ? "," : "", (long long)v);
        return 0;
    case F_BLKIO:
        if (parse_i64(arg, &v) < 0 || v < 0 || v > 1000) {
            cli_usage_error("update", "--blkio-weight: \"%s\" is not 10-1000", arg);
            return -1;
        }
        sbuf_printf(other, "%s\"blockIO\":{\"weight\":%lld}", other->len ? "," : "", (long long)v);
        return 0;
    default:
        return -2; /* not one of them */
    }
}

int cmd_update(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"resources", required_argument, NULL, F_RES},
        {"memory", required_argument, NULL, F_MEM},
        {"memory-reservation", required_argument, NULL, F_MEMRES},
        {"memory-swap", required_argument, NULL, F_SWAP},
        {"kernel-memory", required_argument, NULL, F_KMEM},
        {"kernel-memory-tcp", required_argument, NULL, F_KTCP},
        {"cpu-shares", required_argument, NULL, F_SHARES},
        {"cpu-period", required_argument, NULL, F_PERIOD},
        {"cpu-quota", required_argument, NULL, F_QUOTA},
        {"cpu-rt-period", required_argument, NULL, F_RTPERIOD},
        {"cpu-rt-runtime", required_argument, NULL, F_RTRUNTIME},
        {"cpuset-cpus", required_argument, NULL, F_CPUS},
        {"cpuset-mems", required_argument, NULL, F_MEMS},
        {"pids-limit", required_argument, NULL, F_PIDS},
        {"blkio-weight", required_argument, NULL, F_BLKIO},
        {"l3-cache-schema", required_argument, NULL, F_L3},
        {"mem-bw-schema", required_argument, NULL, F_MBW},
        {"help", no_argument, NULL, F_HELP},
        {0, 0, 0, 0},
    };
    const char *resources = NULL;
    struct sbuf mem = {0}, cpu = {0}, other = {0};
    /* before the first goto out: its cleanup runs there */
    cleanup_free char *text = NULL;
    size_t len = 0;
    int ch, ret = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
        switch (ch) {
        case 'r':
        case F_RES:
            resources = optarg;
            continue;
        case F_HELP:
            printf("usage: moat update [--resources FILE|-] [--memory N] [--cpu-quota N] ... ID\n");
            ret = 0;
            goto out;
        case F_L3:
        case F_MBW:
            cli_usage_error("update", "Intel RDT is not supported on this host");
            goto out;
        default: {
            int r = update_value(ch, optarg, opts, &mem, &cpu, &other);
            if (r == 0)
                continue;
            if (r == -1)
                goto out;
            if (optopt && optopt != '?')
                cli_usage_error("update", "unknown flag or missing value: -%c", optopt);
            else
                cli_usage_error("update", "unknown flag or missing value: %s", argv[optind - 1]);
            goto out;
        }
        }
    }
    if (cli_want_args("update", argc, argv, optind, 1, "container id"))
        goto out;
    const char *id = argv[optind];
    merr_t err = MERR_INIT;
    if (resources) {
        if (mem.len || cpu.len || other.len) {
            cli_usage_error("update", "--resources cannot be combined with the flag forms");
            goto out;
        }
        int r = strcmp(resources, "-") == 0 ? read_fd(0, &text, &len)
                                            : spec_read_file(resources, &text, &len, &err);
        if (r < 0) {
            if (!err.msg)
                err_sys(&err, "--resources: read stdin");
            cli_fail(&err);
            goto out;
        }
    } else {
        struct sbuf b = {0};
        sbuf_puts(&b, "{");
        if (mem.len)
            sbuf_printf(&b, "\"memory\":{%s}", mem.buf);
        if (cpu.len)
            sbuf_printf(&b, "%s\"cpu\":{%s}", b.len > 1 ? "," : "", cpu.buf);
        if (other.len)
            sbuf_printf(&b, "%s%s", b.len > 1 ? "," : "", other.buf);
        sbuf_puts(&b, "}");
        len = b.len;
        text = sbuf_steal(&b);
    }
    int rootfd = cli_root_for(g, id, &err);
    if (rootfd < 0) {
        cli_fail(&err);
        goto out;
    }
    int r = op_update(rootfd, id, text, len, &err);
    close(rootfd);
    ret = r < 0 ? cli_fail(&err) : 0;
out:
    free(mem.buf);
    free(cpu.buf);
    free(other.buf);
    return ret;
}
