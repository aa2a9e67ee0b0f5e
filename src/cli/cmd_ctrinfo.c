/* cmd_ctrinfo.c: the engine's ps, logs, inspect and exec. */
#include "cli.h"
#include "flags.h"
#include "table.h"
#include "../engine/engine.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* the row of c under Docker's field names */
static json_t *ps_row_of(const struct ctr_rec *c, bool notrunc)
{
    const char *id = c->id ?: "";
    const char *state = ctr_rec_state(c);
    struct sbuf b = {0};
    json_t *args = json_object_get(c->json, "Args");
    for (size_t i = 0; i < json_array_size(args); i++)
        sbuf_printf(&b, "%s%s", i ? " " : "", json_string_value(json_array_get(args, i)) ?: "");
    char cmd[64], created[48], status[80];
    if (b.len > 20 && !notrunc) {
        /* 19 bytes, less to end on a whole UTF-8 character */
        int n = 19;
        while (n > 0 && ((unsigned char)b.buf[n] & 0xC0) == 0x80)
            n--;
        snprintf(cmd, sizeof(cmd), "\"%.*s…\"", n, b.buf);
    }
    cleanup_free char *full = xasprintf("\"%s\"", b.buf ? b.buf : "");
    free(b.buf);
    human_since(c->created, true, created, sizeof(created));
    ctr_status_text(c, status, sizeof(status));
    const char *name = c->name ?: "";
    struct sbuf labels = {0};
    const char *k;
    json_t *v;
    json_object_foreach(c->config.labels, k, v)
    {
        sbuf_printf(&labels, "%s%s=%s", labels.len ? "," : "", k, json_string_value(v) ?: "");
    }
    json_t *ns = json_object_get(c->json, "NetworkSettings");
    cleanup_free char *ports = ports_summary(json_object_get(ns, "Ports"));
    struct sbuf nets = {0};
    json_object_foreach(json_object_get(ns, "Networks"), k, v)
    {
        sbuf_printf(&nets, "%s%s", nets.len ? "," : "", k);
    }
    if (!nets.len)
        sbuf_puts(&nets, c->host.network_mode);
    json_t *row = json_pack("{s:s%,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id,
                            notrunc ? strlen(id) : 12, "Image", c->image_name ?: "", "Command",
                            b.len > 20 && !notrunc ? cmd : full, "CreatedAt", c->created ?: "",
                            "RunningFor", created, "Ports", ports, "State", state, "Status", status,
                            "Names", name[0] == '/' ? name + 1 : name, "Labels",
                            labels.buf ? labels.buf : "", "Networks", nets.buf);
    free(labels.buf);
    free(nets.buf);
    return row;
}

/* a container as `ps` shows it, under Docker's field names */
static json_t *ps_row(json_t *r, bool notrunc)
{
    struct ctr_rec c;
    ctr_rec_view(r, &c);
    json_t *row = ps_row_of(&c, notrunc);
    ctr_rec_free(&c);
    return row;
}

enum {
    F_ALL = 1,
    F_QUIET,
    F_NOTRUNC,
    F_FORMAT,
    F_FOLLOW,
    F_TAIL,
    F_TIMESTAMPS,
    F_TYPE,
    F_SIZE,
    F_DETAILS,
    F_SINCE,
    F_UNTIL,
    F_INTERACTIVE,
    F_TTY,
    F_USER,
    F_ENV,
    F_ENVFILE,
    F_WORKDIR,
    F_DETACH,
    F_PRIVILEGED,
    F_KEYS,
    F_UNSUPPORTED,
    F_FILTER,
    F_LAST,
    F_LATEST,
};

const struct cmd_flags ps_flags = {
    "ps",
    "[OPTIONS]",
    "List containers",
    (const struct flag[]){
        {"all", 'a', NULL, "Show all containers (default shows just running)", F_ALL},
        {"filter", 'f', "filter", "Filter output based on conditions provided", F_FILTER},
        {"format", 0, "string", "Format output using a template ('table', 'json' or a Go template)",
         F_FORMAT},
        {"last", 'n', "int", "Show n last created containers (includes all states)", F_LAST},
        {"latest", 'l', NULL, "Show the latest created container (includes all states)", F_LATEST},
        {"no-trunc", 0, NULL, "Don't truncate output", F_NOTRUNC},
        {"quiet", 'q', NULL, "Only display container IDs", F_QUIET},
        {"size", 's', NULL, "Display total file sizes", F_SIZE},
        {0},
    },
    true,
    0,
    0};

struct ps_opts {
    bool all, quiet, notrunc, size;
    int64_t last;
    const char *format;
    char **filters;
};

static int on_ps(struct flags_it *it, int f, void *ctx)
{
    struct ps_opts *o = ctx;
    if (f == F_ALL)
        o->all = flags_bool(it);
    else if (f == F_QUIET)
        o->quiet = flags_bool(it);
    else if (f == F_NOTRUNC)
        o->notrunc = flags_bool(it);
    else if (f == F_SIZE)
        o->size = flags_bool(it);
    else if (f == F_FORMAT)
        o->format = it->val;
    else if (f == F_FILTER)
        strv_push(&o->filters, it->val);
    else if (f == F_LATEST)
        o->last = flags_bool(it) ? 1 : o->last;
    else if (f == F_LAST && flags_int(it, -1, INT32_MAX, &o->last) < 0)
        return -1;
    return 0;
}

/* the rows to show, newest first */
static json_t *ps_records(struct store *s, const struct ps_opts *o, merr_t *err)
{
    struct ctr_list_opts lo = {.all = o->all, .last = o->last, .filters = o->filters};
    json_t *recs = ctr_list_records(s, &lo, err);
    if (!recs)
        return json_array();
    json_t *out = json_array(), *r;
    size_t i;
    json_array_foreach(recs, i, r)
    {
        json_t *row = ps_row(r, o->notrunc);
        if (!row) /* a record it cannot show (not UTF-8, say) */
            continue;
        char *size = NULL;
        if (o->size)
            ctr_sizes(s, json_string_value(json_object_get(r, "Id")) ?: "", r, NULL, &size);
        json_object_set_new(row, "Size", json_string(size ? size : "0B"));
        free(size);
        json_array_append_new(out, row);
    }
    json_decref(recs);
    return out;
}

int engine_ps(const struct global *g, int argc, char **argv)
{
    struct ps_opts o = {.last = -1};
    struct flags_it it;
    flags_begin(&it, &ps_flags, argc, argv);
    int r = flags_parse(&it, on_ps, &o);
    struct store s;
    if (r != FLAGS_DONE || cli_store(g, &s) < 0) {
        strv_free(o.filters);
        return r != FLAGS_DONE ? r : EXIT_ENGINE;
    }
    merr_t err = MERR_INIT;
    json_t *rows = ps_records(&s, &o, &err);
    int ret = 0;
    if (err.msg) {
        cli_fail(&err);
        ret = EXIT_ENGINE;
    } else {
        json_t *headers = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID",
                                    "CONTAINER ID", "Image", "IMAGE", "Command", "COMMAND",
                                    "CreatedAt", "CREATED AT", "RunningFor", "CREATED", "Ports",
                                    "PORTS", "State", "STATE", "Status", "STATUS", "Names", "NAMES",
                                    "Labels", "LABELS", "Networks", "NETWORKS", "Size", "SIZE");
        const char *fallback =
            o.quiet  ? "{{.ID}}"
            : o.size ? "table "
                       "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}"
                       "\t{{.Names}}\t{{.Size}}"
                     : "table "
                       "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}"
                       "\t{{.Names}}";
        ret = table_print(rows, o.quiet ? NULL : o.format, headers, fallback);
        json_decref(headers);
    }
    json_decref(rows);
    strv_free(o.filters);
    store_close(&s);
    return ret;
}

/* one record, to stdout or stderr as it was written; with -t, each line
 * after the time the monitor got it (a record always starts a line) */
static int show_log(const struct log_rec *r, void *ctx)
{
    bool ts = *(bool *)ctx;
    int fd = r->stream == 2 ? 2 : 1;
    if (!ts)
        return write_all(fd, r->data, r->len) < 0 ? -1 : 0;
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
    int ret = write_all(fd, b.buf, b.len) < 0 ? -1 : 0;
    free(b.buf);
    return ret;
}

const struct cmd_flags logs_flags = {
    "logs",
    "[OPTIONS] CONTAINER",
    "Fetch the logs of a container",
    (const struct flag[]){
        {"details", 0, NULL,
         "Show extra details provided to logs (moat's logs carry none: no effect)", F_DETAILS},
        {"follow", 'f', NULL, "Follow log output", F_FOLLOW},
        {"since", 0, "string",
         "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for "
         "42 minutes)",
         F_SINCE},
        {"tail", 'n', "string",
         "Number of lines to show from the end of the logs (default \"all\")", F_TAIL},
        {"timestamps", 't', NULL, "Show timestamps", F_TIMESTAMPS},
        {"until", 0, "string",
         "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" "
         "for 42 minutes)",
         F_UNTIL},
        {0},
    },
    true,
    1,
    1};

int engine_logs(const struct global *g, int argc, char **argv)
{
    bool ts = false;
    struct ctr_logs_opts o = {.tail = -1};
    struct flags_it it;
    int f;
    flags_begin(&it, &logs_flags, argc, argv);
    while ((f = flags_next(&it)) > 0) {
        if ((f == F_SINCE || f == F_UNTIL) &&
            timearg_parse(it.val, timearg_now(), f == F_SINCE ? &o.since : &o.until) < 0)
            f = flags_error(&it,
                            "%s \"%s\": not a time (RFC 3339, Unix seconds or a duration "
                            "like 10m)",
                            it.seen, it.val);
        else if (f == F_FOLLOW)
            o.follow = flags_bool(&it);
        else if (f == F_TIMESTAMPS)
            ts = flags_bool(&it);
        else if (f == F_TAIL && strcmp(it.val, "all") != 0 &&
                 flags_int(&it, 0, INT64_MAX, &o.tail) < 0)
            f = FLAGS_ERROR;
        if (f == FLAGS_ERROR)
            break;
    }
    if (f != FLAGS_DONE)
        return flags_exit(f);
    struct store st;
    if (cli_store(g, &st) < 0)
        return EXIT_ENGINE;
    merr_t err = MERR_INIT;
    int ret = ctr_logs(&st, it.args[0], &o, show_log, &ts, &err) < 0 ? cli_fail(&err) : 0;
    store_close(&st);
    return ret;
}

const struct cmd_flags inspect_flags = {
    "inspect",
    "[OPTIONS] NAME|ID [NAME|ID...]",
    "Return low-level information on Docker objects",
    (const struct flag[]){
        {"format", 'f', "string", "Format output using a Go template, or 'json'", F_FORMAT},
        {"size", 's', NULL, "Display total file sizes if the type is container", F_SIZE},
        {"type", 0, "string", "Only inspect objects of the given type (container or image)",
         F_TYPE},
        {0},
    },
    true,
    1,
    -1};

/* containers first, then images, as Docker looks them up */
static json_t *inspect_one(struct store *s, const char *name, const char *type, bool size,
                           merr_t *err)
{
    char id[72];
    bool any = !type;
    if ((any || strcmp(type, "container") == 0) && ctr_find(s, name, id, err) == 0) {
        json_t *rec = ctr_refresh(s, id, err);
        json_t *o = rec ? ctr_inspect_json(rec) : NULL;
        if (o && size) /* Docker's keys, measured only when asked for */
            ctr_sizes(s, id, rec, o, NULL);
        json_decref(rec);
        return o;
    }
    if (!any && strcmp(type, "image") != 0 && strcmp(type, "container") != 0) {
        err_clear(err);
        err_set(err, 0, "--type \"%s\": container or image", type);
        return NULL;
    }
    if (any || strcmp(type, "image") == 0) {
        merr_t e2 = MERR_INIT;
        if (store_image_find(s, name, id, &e2) == 0) {
            err_clear(err);
            return image_inspect_json(s, id, err);
        }
        if (!any)
            err_set(err, 0, "%s", e2.msg);
        err_clear(&e2);
    }
    err_clear(err);
    return NULL;
}

int engine_inspect(const struct global *g, int argc, char **argv)
{
    const char *format = NULL, *type = NULL;
    bool size = false;
    struct flags_it it;
    int f;
    flags_begin(&it, &inspect_flags, argc, argv);
    while ((f = flags_next(&it)) > 0) {
        if (f == F_FORMAT)
            format = it.val;
        else if (f == F_TYPE)
            type = it.val;
        else if (f == F_SIZE)
            size = flags_bool(&it);
    }
    struct store s;
    int ret = f == FLAGS_DONE ? 0 : flags_exit(f);
    if (ret != 0 || f == FLAGS_HELP || cli_store(g, &s) < 0) {
        return f == FLAGS_DONE ? EXIT_ENGINE : ret;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < it.nargs; i++) {
        merr_t err = MERR_INIT;
        json_t *r = inspect_one(&s, it.args[i], type, size, &err);
        if (r) {
            json_array_append_new(out, r);
            continue;
        }
        if (!err.msg)
            err_set(&err, 0, "no such object: %s", it.args[i]);
        cli_fail(&err);
        ret = 1;
    }
    int pr = cli_print_objects(out, format);
    json_decref(out);
    store_close(&s);
    return pr ? pr : ret;
}

const struct cmd_flags exec_flags = {
    "exec",
    "[OPTIONS] CONTAINER COMMAND [ARG...]",
    "Execute a command in a running container",
    (const struct flag[]){
        {"detach", 'd', NULL, "Detached mode: run command in the background", F_DETACH},
        {"detach-keys", 0, "string", "Override the key sequence for detaching a container", F_KEYS},
        {"env", 'e', "list", "Set environment variables", F_ENV},
        {"env-file", 0, "list", "Read in a file of environment variables", F_ENVFILE},
        {"interactive", 'i', NULL, "Keep STDIN open even if not attached", F_INTERACTIVE},
        {"privileged", 0, NULL,
         "Give extended privileges to the command (refused: see moat's "
         "security model)",
         F_PRIVILEGED},
        {"tty", 't', NULL, "Allocate a pseudo-TTY", F_TTY},
        {"user", 'u', "string", "Username or UID (format: \"<name|uid>[:<group|gid>]\")", F_USER},
        {"workdir", 'w', "string", "Working directory inside the container", F_WORKDIR},
        {0},
    },
    false,
    2,
    -1};

static int exec_flag(struct flags_it *it, int f, struct ctr_exec_opts *o, char ***env)
{
    switch (f) {
    case F_INTERACTIVE:
        o->interactive = flags_bool(it);
        break;
    case F_TTY:
        o->tty = flags_bool(it);
        break;
    case F_DETACH:
        o->detach = flags_bool(it);
        break;
    case F_USER:
        o->user = it->val;
        break;
    case F_KEYS: {
        merr_t e = MERR_INIT;
        int r = keyseq_parse(it->val, &o->detach_keys, &e);
        if (r < 0) {
            flags_error(it, "%s", e.msg);
            err_clear(&e);
            return FLAGS_ERROR;
        }
        break;
    }
    case F_ENV:
        strv_push(env, it->val);
        break;
    case F_ENVFILE:
        if (env_file_read(it->val, env) < 0)
            return FLAGS_ERROR;
        break;
    case F_WORKDIR:
        if (it->val[0] != '/')
            return flags_error(it, "--workdir \"%s\": must be an absolute path", it->val);
        o->workdir = it->val;
        break;
    case F_PRIVILEGED:
        if (flags_bool(it))
            return flags_error(it, "--privileged: moat does not give an exec more than the "
                                   "container has; create the container with what it needs");
        break;
    }
    return f;
}

int engine_exec(const struct global *g, int argc, char **argv)
{
    struct ctr_exec_opts o = {0};
    char **env = NULL;
    struct flags_it it;
    keyseq_parse(NULL, &o.detach_keys, NULL);
    int f;
    flags_begin(&it, &exec_flags, argc, argv);
    while ((f = flags_next(&it)) > 0 && (f = exec_flag(&it, f, &o, &env)) > 0)
        ;
    if (f != FLAGS_DONE) {
        strv_free(env);
        return flags_exit(f);
    }
    struct store s;
    merr_t err = MERR_INIT;
    if (cli_store(g, &s) < 0) {
        strv_free(env);
        return EXIT_ENGINE;
    }
    o.args = it.args + 1;
    o.env = env;
    int code;
    if (ctr_exec(&s, it.args[0], &o, &code, &err) < 0)
        cli_fail(&err);
    strv_free(env);
    store_close(&s);
    return code;
}
