/* cmd_ctrinfo.c: the engine's ps, logs, inspect and exec. */
#include "cli.h"
#include "../engine/ctr.h"
#include "../engine/ctr_config.h"
#include "../engine/logfile.h"
#include "../engine/ref.h"
#include "../engine/store.h"
#include "../kernel/mount.h"
#include "../runtime/exec.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_ENGINE 125

struct row {
    const char *id, *name, *image, *state;
    char command[64], created[48], status[80];
};

static void fill_row(json_t *r, struct row *w)
{
    json_t *st = json_object_get(r, "State");
    w->id = json_string_value(json_object_get(r, "Id")) ?: "";
    w->name = json_string_value(json_object_get(r, "Name")) ?: "";
    w->image = json_string_value(json_object_get(r, "ImageName")) ?: "";
    w->state = json_string_value(json_object_get(st, "Status")) ?: "created";
    struct sbuf b = {0};
    json_t *args = json_object_get(r, "Args");
    for (size_t i = 0; i < json_array_size(args); i++)
        sbuf_printf(&b, "%s%s", i ? " " : "", json_string_value(json_array_get(args, i)) ?: "");
    if (b.len > 20)
        snprintf(w->command, sizeof(w->command), "\"%.19s…\"", b.buf);
    else
        snprintf(w->command, sizeof(w->command), "\"%s\"", b.buf ? b.buf : "");
    free(b.buf);
    human_since(json_string_value(json_object_get(r, "Created")), true, w->created,
                sizeof(w->created));
    char d[48];
    if (strcmp(w->state, "running") == 0) {
        human_since(json_string_value(json_object_get(st, "StartedAt")), false, d, sizeof(d));
        snprintf(w->status, sizeof(w->status), "Up %s", d);
    } else if (strcmp(w->state, "exited") == 0) {
        human_since(json_string_value(json_object_get(st, "FinishedAt")), true, d, sizeof(d));
        snprintf(w->status, sizeof(w->status), "Exited (%lld) %s",
                 (long long)json_integer_value(json_object_get(st, "ExitCode")), d);
    } else {
        snprintf(w->status, sizeof(w->status), "Created");
    }
}

/* {{.ID}} {{.Names}} {{.Image}} {{.Command}} {{.Status}} {{.State}}
 * {{.CreatedAt}}, and \t */
static void print_format(const char *fmt, const struct row *w, json_t *r)
{
    struct sbuf b = {0};
    for (const char *p = fmt; *p;) {
        if (p[0] == '\\' && p[1] == 't') {
            sbuf_add(&b, "\t", 1);
            p += 2;
            continue;
        }
        if (strncmp(p, "{{", 2) != 0) {
            sbuf_add(&b, p++, 1);
            continue;
        }
        const char *e = strstr(p, "}}");
        if (!e) {
            sbuf_puts(&b, p);
            break;
        }
        cleanup_free char *k = xstrndup(p + 2, (size_t)(e - p - 2));
        char *t = k;
        while (*t == ' ')
            t++;
        char *end = t + strlen(t);
        while (end > t && end[-1] == ' ')
            *--end = 0;
        if (strcmp(t, ".ID") == 0)
            sbuf_printf(&b, "%.12s", w->id);
        else if (strcmp(t, ".Names") == 0)
            sbuf_puts(&b, w->name);
        else if (strcmp(t, ".Image") == 0)
            sbuf_puts(&b, w->image);
        else if (strcmp(t, ".Command") == 0)
            sbuf_puts(&b, w->command);
        else if (strcmp(t, ".Status") == 0)
            sbuf_puts(&b, w->status);
        else if (strcmp(t, ".State") == 0)
            sbuf_puts(&b, w->state);
        else if (strcmp(t, ".CreatedAt") == 0)
            sbuf_puts(&b, json_string_value(json_object_get(r, "Created")) ?: "");
        else if (strcmp(t, "json .") == 0 || strcmp(t, "json.") == 0) {
            cleanup_free char *j = json_dumps(r, JSON_COMPACT);
            sbuf_puts(&b, j);
        }
        p = e + 2;
    }
    printf("%s\n", b.buf ? b.buf : "");
    free(b.buf);
}

int engine_ps(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'a'},      {"quiet", no_argument, NULL, 'q'},
        {"no-trunc", no_argument, NULL, 'T'}, {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},     {0, 0, 0, 0}};
    bool all = false, quiet = false, notrunc = false;
    const char *format = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+aqh", opts, NULL)) != -1) {
        if (c == 'a')
            all = true;
        else if (c == 'q')
            quiet = true;
        else if (c == 'T')
            notrunc = true;
        else if (c == 'f')
            format = optarg;
        else if (c == 'h') {
            printf("usage: moat ps [-a] [-q] [--no-trunc] [--format TEMPLATE]\n");
            return 0;
        } else
            return cli_usage_error("ps", "unknown or incomplete flag \"%s\"", argv[optind - 1]),
                   EXIT_ENGINE;
    }
    struct store s;
    merr_t err = MERR_INIT;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    if (format && strncmp(format, "table ", 6) == 0)
        format += 6;
    if (!quiet && !format)
        printf("%-14s %-20s %-22s %-24s %-28s %s\n", "CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
               "STATUS", "NAMES");
    if (store_lock(&s, &err) == 0) { /* what a killed `create` left */
        ctr_clean_partial(&s);
        store_unlock(&s);
    }
    err_clear(&err);
    char **ids = ctr_list(&s);
    for (size_t i = 0; ids[i]; i++) {
        json_t *r = ctr_refresh(&s, ids[i], &err);
        err_clear(&err);
        if (!r)
            continue;
        struct row w;
        fill_row(r, &w);
        if (all || strcmp(w.state, "running") == 0) {
            if (quiet)
                printf("%.*s\n", notrunc ? 64 : 12, w.id);
            else if (format)
                print_format(format, &w, r);
            else
                printf("%-14.12s %-20s %-22s %-24s %-28s %s\n", w.id, w.image, w.command, w.created,
                       w.status, w.name);
        }
        json_decref(r);
    }
    strv_free(ids);
    store_close(&s);
    return 0;
}

/* one record, to stdout or stderr as it was written; with -t, each line
 * after the time the monitor got it (a record always starts a line) */
static void show_log(const struct log_rec *r, bool ts)
{
    int fd = r->stream == 2 ? 2 : 1;
    if (!ts) {
        (void)write_all(fd, r->data, r->len);
        return;
    }
    char t[48];
    utc_rfc3339(r->ns / 1000000000, (long)(r->ns % 1000000000), t, sizeof(t) - 1);
    strcat(t, " ");
    struct sbuf b = {0};
    for (size_t i = 0; i < r->len;) {
        const char *nl = memchr(r->data + i, '\n', r->len - i);
        size_t end = nl ? (size_t)(nl - r->data) + 1 : r->len;
        sbuf_puts(&b, t);
        sbuf_add(&b, r->data + i, end - i);
        i = end;
    }
    (void)write_all(fd, b.buf, b.len);
    free(b.buf);
}

/* print what the container's log has from r on; with follow, until its
 * monitor is gone */
static int follow_log(struct store *s, const char *id, struct log_reader *r, bool follow, bool ts)
{
    int ret = 0;
    merr_t err = MERR_INIT;
    for (;;) {
        struct log_rec rec;
        int n = logr_next(r, &rec, &err);
        if (n > 0) {
            show_log(&rec, ts);
            continue;
        }
        if (n < 0) {
            ret = cli_fail(&err); /* a damaged file: the next one */
            continue;
        }
        if (!follow)
            break;
        if (!ctr_monitor_alive(s, id)) {
            follow = false; /* one more pass: all it wrote is there now */
            continue;
        }
        poll(NULL, 0, 100);
    }
    return ret;
}

int engine_logs(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {{"follow", no_argument, NULL, 'f'},
                                         {"tail", required_argument, NULL, 'n'},
                                         {"timestamps", no_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    bool follow = false, ts = false;
    int64_t tail = -1;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+fn:th", opts, NULL)) != -1) {
        if (c == 'f')
            follow = true;
        else if (c == 't')
            ts = true;
        else if (c == 'n') {
            if (strcmp(optarg, "all") != 0 && (parse_i64(optarg, &tail) < 0 || tail < 0))
                return cli_usage_error("logs", "--tail \"%s\": a number or all", optarg),
                       EXIT_ENGINE;
        } else if (c == 'h') {
            printf("usage: moat logs [-f] [--tail N] [-t] CONTAINER\n");
            return 0;
        } else
            return cli_usage_error("logs", "unknown or incomplete flag \"%s\"", argv[optind - 1]),
                   EXIT_ENGINE;
    }
    if (cli_want_args("logs", argc, argv, optind, 1, "CONTAINER"))
        return EXIT_ENGINE;
    struct store s;
    merr_t err = MERR_INIT;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    char id[65];
    int ret = 1;
    cleanup_close int d = -1;
    json_t *rec = NULL;
    struct log_limits lim;
    struct log_reader r;
    if (ctr_find(&s, argv[optind], id, &err) < 0 || (d = ctr_dirfd(&s, id, &err)) < 0 ||
        !(rec = ctr_load(&s, id, &err)))
        goto out;
    log_limits_from_json(json_object_get(json_object_get(rec, "HostConfig"), "LogConfig"), &lim);
    if (lim.none) {
        err_set(&err, 0, "container %.12s: its log driver is none: nothing was kept", id);
        goto out;
    }
    if (logr_open(d, tail, &r, &err) < 0)
        goto out;
    ret = follow_log(&s, id, &r, follow, ts);
    logr_close(&r);
out:
    if (err.msg)
        cli_fail(&err);
    json_decref(rec);
    store_close(&s);
    return ret;
}

int engine_inspect(const struct global *g, int argc, char **argv)
{
    int first = 1;
    if (argc > 2 && (strcmp(argv[1], "--type") == 0)) {
        if (strcmp(argv[2], "image") == 0) {
            argv[2] = "inspect";
            return cmd_image(g, argc - 1, argv + 1);
        }
        first = 3;
    }
    if (first >= argc)
        return cli_usage_error("inspect", "missing CONTAINER or IMAGE"), EXIT_ENGINE;
    struct store s;
    merr_t err = MERR_INIT;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    json_t *out = json_array();
    int ret = 0;
    for (int i = first; i < argc; i++) {
        char id[65];
        json_t *r = ctr_find(&s, argv[i], id, &err) == 0 ? ctr_refresh(&s, id, &err) : NULL;
        if (r) {
            json_array_append_new(out, r);
            continue;
        }
        /* not a container: an image? */
        char iid[72];
        merr_t e2 = MERR_INIT;
        if (store_image_find(&s, argv[i], iid, &e2) == 0) {
            err_clear(&err);
            char *args[] = {"image", "inspect", argv[i], NULL};
            json_decref(out);
            store_close(&s);
            return cmd_image(g, 3, args);
        }
        err_clear(&e2);
        cli_fail(&err);
        ret = 1;
    }
    char *t = json_dumps(out, JSON_INDENT(4));
    printf("%s\n", t);
    free(t);
    json_decref(out);
    store_close(&s);
    return ret;
}

int engine_exec(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"interactive", no_argument, NULL, 'i'},   {"tty", no_argument, NULL, 't'},
        {"user", required_argument, NULL, 'u'},    {"env", required_argument, NULL, 'e'},
        {"workdir", required_argument, NULL, 'w'}, {"detach", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},          {0, 0, 0, 0}};
    struct exec_opts o = {0};
    char **env = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+itu:e:w:dh", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            o.stdin_open = true;
            break;
        case 't':
            o.tty = true;
            break;
        case 'u':
            o.user = optarg;
            break;
        case 'e':
            strv_push(&env, optarg);
            break;
        case 'w':
            o.cwd = optarg;
            break;
        case 'd':
            o.detach = true;
            break;
        case 'h':
            printf("usage: moat exec [-i] [-t] [-u USER[:GROUP]] [-e K=V] [-w DIR] CONTAINER "
                   "COMMAND [ARG...]\n");
            strv_free(env);
            return 0;
        default:
            strv_free(env);
            return cli_usage_error("exec", "unknown or incomplete flag \"%s\"", argv[optind - 1]),
                   EXIT_ENGINE;
        }
    }
    if (argc - optind < 2) {
        strv_free(env);
        return cli_usage_error("exec", "missing CONTAINER and COMMAND"), EXIT_ENGINE;
    }
    struct store s;
    merr_t err = MERR_INIT;
    if (cli_store(g, &s) < 0) {
        strv_free(env);
        return EXIT_ENGINE;
    }
    char id[65];
    int code = EXIT_ENGINE;
    json_t *r = NULL;
    cleanup_free char *user = NULL;
    if (ctr_find(&s, argv[optind], id, &err) < 0 || !(r = ctr_refresh(&s, id, &err)))
        goto out;
    if (!json_is_true(json_object_get(json_object_get(r, "State"), "Running"))) {
        err_set(&err, 0, "container %s is not running", argv[optind]);
        goto out;
    }
    /* looked up in the container's own files, as run does (a number too:
     * its group comes from /etc/passwd) */
    if (o.user) {
        cleanup_free char *rootfs = xasprintf("%s/containers/%s/rootfs", s.root, id);
        cleanup_close int rfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        uint64_t uid, gid;
        if (rfd < 0 || ctr_resolve_user(rfd, o.user, &uid, &gid, &err) < 0) {
            if (rfd < 0)
                err_sys(&err, "open %s", rootfs);
            goto out;
        }
        user = xasprintf("%llu:%llu", (unsigned long long)uid, (unsigned long long)gid);
        o.user = user;
    }
    o.id = id;
    o.args = argv + optind + 1;
    /* never the caller's own descriptors: pipes (or a pty) relayed by moat */
    o.relay_stdio = true;
    bool term = false;
    for (size_t i = 0; env && env[i]; i++)
        term = term || strncmp(env[i], "TERM=", 5) == 0;
    if (o.tty && !term)
        strv_push(&env, "TERM=xterm");
    o.env = env;
    int rootfd = ctr_runtime_rootfd(&s, &err);
    if (rootfd < 0)
        goto out;
    int st = 0;
    /* Docker's codes: 126 when the command cannot be run */
    code = op_exec(rootfd, &o, &st, &err) == 0 ? st : 126;
    close(rootfd);
out:
    if (err.msg)
        cli_fail(&err);
    json_decref(r);
    strv_free(env);
    store_close(&s);
    return code;
}
