/* cmd_ctrops.c: the engine's restart, top, stats and cp. */
#include "cli.h"
#include "flags.h"
#include "table.h"
#include "../engine/engine.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- port ---- */

const struct cmd_flags port_flags = {"port",
                                     "CONTAINER [PRIVATE_PORT[/PROTO]]",
                                     "List port mappings or a specific mapping for the container",
                                     (const struct flag[]){{0}},
                                     false,
                                     1,
                                     2};

/* "80/tcp -> 127.0.0.1:8080", or with PRIVATE_PORT "127.0.0.1:8080" */
static int print_ports(json_t *ports, const char *want, const char *name)
{
    const char *k;
    json_t *v;
    bool any = false;
    cleanup_free char *key =
        want && !strchr(want, '/') ? xasprintf("%s/tcp", want) : xstrdup(want ? want : "");
    json_object_foreach(ports, k, v)
    {
        if (want && strcmp(k, key) != 0)
            continue;
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *b = json_array_get(v, i);
            const char *ip = json_string_value(json_object_get(b, "HostIp")) ?: "";
            const char *hp = json_string_value(json_object_get(b, "HostPort")) ?: "";
            if (want)
                printf("%s:%s\n", ip, hp);
            else
                printf("%s -> %s:%s\n", k, ip, hp);
            any = true;
        }
    }
    if (want && !any) {
        fprintf(stderr, "Error: No public port '%s' published for %s\n", key, name);
        return 1;
    }
    return 0;
}

int engine_port(const struct global *g, int argc, char **argv)
{
    struct flags_it it;
    flags_begin(&it, &port_flags, argc, argv);
    int fr = flags_parse(&it, NULL, NULL);
    if (fr != FLAGS_DONE)
        return fr;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    merr_t err = MERR_INIT;
    char id[65];
    struct ctr_rec r;
    int ret =
        ctr_find(&s, it.args[0], id, &err) < 0 || ctr_rec_load(&s, id, true, &r, &err) < 0 ? -1 : 0;
    store_close(&s);
    if (ret < 0)
        return cli_fail(&err);
    json_t *ports = json_object_get(json_object_get(r.json, "NetworkSettings"), "Ports");
    ret = print_ports(ports, it.nargs > 1 ? it.args[1] : NULL, it.args[0]);
    ctr_rec_free(&r);
    return ret;
}

/* ---- top ---- */

const struct cmd_flags top_flags = {"top",
                                    "CONTAINER",
                                    "Display the running processes of a container",
                                    (const struct flag[]){{0}},
                                    false,
                                    1,
                                    1};

int engine_top(const struct global *g, int argc, char **argv)
{
    struct flags_it it;
    flags_begin(&it, &top_flags, argc, argv);
    int fr = flags_parse(&it, NULL, NULL);
    if (fr != FLAGS_DONE)
        return fr;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    merr_t err = MERR_INIT;
    json_t *top = ctr_top(&s, it.args[0], &err), *row;
    store_close(&s);
    if (!top)
        return cli_fail(&err);
    static const int width[] = {-10, -8, -8, -6, -5, -8, 0};
    json_t *titles = json_object_get(top, "Titles");
    size_t i;
    json_array_foreach(titles, i, row) /* a row of titles, then one a process */
    {
        printf(i + 1 < json_array_size(titles) ? "%*s " : "%*s\n", width[i < 6 ? i : 6],
               json_string_value(row) ?: "");
    }
    json_array_foreach(json_object_get(top, "Processes"), i, row)
    {
        json_t *v;
        size_t k;
        json_array_foreach(row, k, v)
        {
            printf(k + 1 < json_array_size(row) ? "%*s " : "%*s\n", width[k < 6 ? k : 6],
                   json_string_value(v) ?: "");
        }
    }
    json_decref(top);
    return 0;
}

/* ---- stats ---- */

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

enum { F_ALL = 1, F_NOSTREAM, F_NOTRUNC, F_FORMAT };

const struct cmd_flags stats_flags = {
    "stats",
    "[OPTIONS] [CONTAINER...]",
    "Display a live stream of container(s) resource usage "
    "statistics",
    (const struct flag[]){
        {"all", 'a', NULL, "Show all containers (default shows just running)", F_ALL},
        {"format", 0, "string", "Format output using a template ('table', 'json' or a Go template)",
         F_FORMAT},
        {"no-stream", 0, NULL, "Disable streaming stats and only pull the first result",
         F_NOSTREAM},
        {"no-trunc", 0, NULL, "Do not truncate output", F_NOTRUNC},
        {0},
    },
    true,
    0,
    -1};

struct stats_flags_v {
    bool stream, all;
    const char *format;
};

/* one container's row, Docker's fields (docker stats --format) */
static json_t *stats_row(const char *id, json_t *r, bool running, const struct ctr_stats *prev,
                         const struct ctr_stats *cur, uint64_t dt, long ncpu)
{
    double cpu = dt && cur->cpu_ns >= prev->cpu_ns
                     ? (double)(cur->cpu_ns - prev->cpu_ns) * 100.0 / (double)dt
                     : 0;
    char mu[24], ml[24] = "no limit", br[24], bw[24];
    human_bytes(cur->mem, true, mu, sizeof(mu));
    if (cur->mem_limit)
        human_bytes(cur->mem_limit, true, ml, sizeof(ml));
    human_bytes(cur->blk_read, false, br, sizeof(br));
    human_bytes(cur->blk_write, false, bw, sizeof(bw));
    return json_pack("{s:s#,s:s,s:s,s:o,s:o,s:o,s:s,s:o,s:o}", "Container", id, (size_t)12, "ID",
                     id, "Name", json_string_value(json_object_get(r, "Name")) ?: "", "CPUPerc",
                     running ? json_sprintf("%.2f%%", cpu > 100.0 * (double)ncpu ? 0 : cpu)
                             : json_string("--"),
                     "MemUsage", json_sprintf("%s / %s", mu, ml), "MemPerc",
                     cur->mem_limit && running
                         ? json_sprintf("%.2f%%", (double)cur->mem * 100.0 / (double)cur->mem_limit)
                         : json_string("--"),
                     "NetIO", "--", "BlockIO", json_sprintf("%s / %s", br, bw), "PIDs",
                     json_sprintf("%llu", (unsigned long long)cur->pids));
}

static int on_stats(struct flags_it *it, int f, void *ctx)
{
    struct stats_flags_v *v = ctx;
    if (f == F_ALL)
        v->all = flags_bool(it);
    else if (f == F_NOSTREAM)
        v->stream = !flags_bool(it);
    else if (f == F_FORMAT)
        v->format = it->val;
    return 0;
}

int engine_stats(const struct global *g, int argc, char **argv)
{
    struct stats_flags_v v = {true, false, NULL};
    struct flags_it it;
    flags_begin(&it, &stats_flags, argc, argv);
    int fr = flags_parse(&it, on_stats, &v);
    if (fr != FLAGS_DONE)
        return fr;
    bool stream = v.stream, all = v.all;
    /* the arguments are argv[1..] now */
    int first = 1;
    argc = (int)it.nargs + 1;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    merr_t err = MERR_INIT;
    char **ids;
    if (first < argc) {
        ids = xzalloc((size_t)(argc - first + 1) * sizeof(char *));
        for (int i = first; i < argc; i++) {
            char id[65];
            if (ctr_find(&s, argv[i], id, &err) < 0) {
                strv_free(ids);
                store_close(&s);
                return cli_fail(&err);
            }
            ids[i - first] = xstrdup(id);
        }
    } else {
        ids = ctr_list(&s);
    }
    size_t n = strv_len(ids);
    struct ctr_stats *prev = xzalloc((n + 1) * sizeof(*prev));
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++) {
        if (ctr_stats_read(&s, ids[i], &prev[i], &err) < 0)
            err_clear(&err);
    }
    bool tty = isatty(1);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    for (;;) {
        poll(NULL, 0, stream ? 1000 : 500);
        uint64_t t1 = now_ns();
        if (tty && stream)
            printf("\033[2J\033[H");
        json_t *rows = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *r = ctr_refresh(&s, ids[i], &err);
            err_clear(&err);
            if (!r)
                continue;
            struct ctr_rec cr;
            ctr_rec_view(r, &cr);
            bool running = cr.state.running;
            ctr_rec_free(&cr);
            struct ctr_stats cur = {0};
            if (running && ctr_stats_read(&s, ids[i], &cur, &err) < 0)
                err_clear(&err);
            if (running || all)
                json_array_append_new(rows, stats_row(ids[i], r, running, &prev[i], &cur,
                                                      t1 > t0 ? t1 - t0 : 0, ncpu));
            prev[i] = cur;
            json_decref(r);
        }
        json_t *headers = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Container",
                                    "CONTAINER ID", "ID", "CONTAINER ID", "Name", "NAME", "CPUPerc",
                                    "CPU %", "MemUsage", "MEM USAGE / LIMIT", "MemPerc", "MEM %",
                                    "NetIO", "NET I/O", "BlockIO", "BLOCK I/O", "PIDs", "PIDS");
        int tr = table_print(rows, v.format, headers,
                             "table {{.Container}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t"
                             "{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}");
        json_decref(headers);
        json_decref(rows);
        if (tr != 0) {
            free(prev);
            strv_free(ids);
            store_close(&s);
            return tr;
        }
        fflush(stdout);
        t0 = t1;
        if (!stream)
            break;
    }
    free(prev);
    strv_free(ids);
    store_close(&s);
    return 0;
}

/* ---- cp ---- */

/* "CONTAINER:PATH" -> container part and path (NULL if a host path) */
static char *split_ctr(const char *arg, const char **path)
{
    const char *c = strchr(arg, ':');
    if (!c || arg[0] == '/' || arg[0] == '.' || c == arg)
        return NULL;
    *path = c + 1;
    return xstrndup(arg, (size_t)(c - arg));
}

enum { F_CP_ARCHIVE = 1, F_CP_FOLLOW, F_CP_QUIET };

const struct cmd_flags cp_flags = {
    "cp",
    "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tmoat cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
    "Copy files/folders between a container and the local filesystem",
    (const struct flag[]){
        {"archive", 'a', NULL, "Archive mode (copy all uid/gid information)", F_CP_ARCHIVE},
        {"follow-link", 'L', NULL, "Always follow symbol link in SRC_PATH", F_CP_FOLLOW},
        {"quiet", 'q', NULL, "Suppress progress output during copy (moat prints none)", F_CP_QUIET},
        {0},
    },
    true,
    2,
    2};

static int on_cp(struct flags_it *it, int f, void *ctx)
{
    struct cp_req *q = ctx;
    if (f == F_CP_ARCHIVE)
        q->archive = flags_bool(it);
    else if (f == F_CP_FOLLOW)
        q->follow = flags_bool(it);
    return 0;
}

int engine_cp(const struct global *g, int argc, char **argv)
{
    struct cp_req q = {0};
    struct flags_it it;
    flags_begin(&it, &cp_flags, argc, argv);
    int fr = flags_parse(&it, on_cp, &q);
    if (fr != FLAGS_DONE)
        return fr;
    const char *sp = NULL, *dp = NULL;
    cleanup_free char *sc = split_ctr(it.args[0], &sp);
    cleanup_free char *dc = split_ctr(it.args[1], &dp);
    if ((sc == NULL) == (dc == NULL))
        return cli_usage_error("cp", "exactly one of SRC and DST must be CONTAINER:PATH"),
               EXIT_ENGINE;
    q.to_ctr = dc != NULL;
    q.ctr = sc ? sc : dc;
    q.ctr_path = sc ? sp : dp;
    q.host_path = sc ? it.args[1] : it.args[0];
    q.tar_fd = q.to_ctr ? 0 : 1;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    /* a reader that goes away is an error of the write, not a kill */
    signal(SIGPIPE, SIG_IGN);
    merr_t err = MERR_INIT;
    int ret = 0;
    if (ctr_cp(&s, &q, &err) < 0) {
        cli_fail(&err);
        ret = EXIT_ENGINE;
    }
    store_close(&s);
    return ret;
}
