/* cmd_ctrinfo.c: the engine's ps, logs, inspect and exec. */
#include "cli.h"
#include "flags.h"
#include "../engine/ctr.h"
#include "../engine/ctr_config.h"
#include "../engine/image_info.h"
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
    F_INTERACTIVE,
    F_TTY,
    F_USER,
    F_ENV,
    F_ENVFILE,
    F_WORKDIR,
    F_DETACH,
    F_PRIVILEGED,
    F_UNSUPPORTED,
};

static const struct cmd_flags ps_flags = {
    "ps",
    "[OPTIONS]",
    "List containers",
    (const struct flag[]){
        {"all", 'a', NULL, "Show all containers (default shows just running)", F_ALL},
        {"format", 0, "string", "Format output using a template ('table', 'json' or a Go template)",
         F_FORMAT},
        {"no-trunc", 0, NULL, "Don't truncate output", F_NOTRUNC},
        {"quiet", 'q', NULL, "Only display container IDs", F_QUIET},
        {0},
    },
    true,
    0,
    0};

int engine_ps(const struct global *g, int argc, char **argv)
{
    bool all = false, quiet = false, notrunc = false;
    const char *format = NULL;
    struct flags_it it;
    int f;
    flags_begin(&it, &ps_flags, argc, argv);
    while ((f = flags_next(&it)) > 0) {
        if (f == F_ALL)
            all = flags_bool(&it);
        else if (f == F_QUIET)
            quiet = flags_bool(&it);
        else if (f == F_NOTRUNC)
            notrunc = flags_bool(&it);
        else if (f == F_FORMAT)
            format = it.val;
    }
    flags_end(&it);
    if (f != FLAGS_DONE)
        return flags_exit(f);
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

static const struct cmd_flags logs_flags = {
    "logs",
    "[OPTIONS] CONTAINER",
    "Fetch the logs of a container",
    (const struct flag[]){
        {"follow", 'f', NULL, "Follow log output", F_FOLLOW},
        {"tail", 'n', "string",
         "Number of lines to show from the end of the logs (default \"all\")", F_TAIL},
        {"timestamps", 't', NULL, "Show timestamps", F_TIMESTAMPS},
        {0},
    },
    true,
    1,
    1};

int engine_logs(const struct global *g, int argc, char **argv)
{
    bool follow = false, ts = false;
    int64_t tail = -1;
    struct flags_it it;
    int f;
    flags_begin(&it, &logs_flags, argc, argv);
    while ((f = flags_next(&it)) > 0) {
        if (f == F_FOLLOW)
            follow = flags_bool(&it);
        else if (f == F_TIMESTAMPS)
            ts = flags_bool(&it);
        else if (f == F_TAIL && strcmp(it.val, "all") != 0 &&
                 flags_int(&it, 0, INT64_MAX, &tail) < 0)
            f = FLAGS_ERROR;
        if (f == FLAGS_ERROR)
            break;
    }
    const char *name = it.nargs ? it.args[0] : NULL;
    flags_end(&it);
    if (f != FLAGS_DONE)
        return flags_exit(f);
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
    if (ctr_find(&s, name, id, &err) < 0 || (d = ctr_dirfd(&s, id, &err)) < 0 ||
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

static const struct cmd_flags inspect_flags = {
    "inspect",
    "[OPTIONS] NAME|ID [NAME|ID...]",
    "Return low-level information on Docker objects",
    (const struct flag[]){
        {"format", 'f', "string", "Format output using a Go template, or 'json'", F_FORMAT},
        {"type", 0, "string", "Only inspect objects of the given type (container or image)",
         F_TYPE},
        {0},
    },
    true,
    1,
    -1};

/* containers first, then images, as Docker looks them up */
static json_t *inspect_one(struct store *s, const char *name, const char *type, merr_t *err)
{
    char id[72];
    bool any = !type;
    if ((any || strcmp(type, "container") == 0) && ctr_find(s, name, id, err) == 0)
        return ctr_refresh(s, id, err);
    if (!any && strcmp(type, "image") != 0) {
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
    struct flags_it it;
    int f;
    flags_begin(&it, &inspect_flags, argc, argv);
    while ((f = flags_next(&it)) > 0) {
        if (f == F_FORMAT)
            format = it.val;
        else if (f == F_TYPE)
            type = it.val;
    }
    struct store s;
    int ret = f == FLAGS_DONE ? 0 : flags_exit(f);
    if (ret != 0 || f == FLAGS_HELP || cli_store(g, &s) < 0) {
        flags_end(&it);
        return f == FLAGS_DONE ? EXIT_ENGINE : ret;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < it.nargs; i++) {
        merr_t err = MERR_INIT;
        json_t *r = inspect_one(&s, it.args[i], type, &err);
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
    flags_end(&it);
    return pr ? pr : ret;
}

static const struct cmd_flags exec_flags = {
    "exec",
    "[OPTIONS] CONTAINER COMMAND [ARG...]",
    "Execute a command in a running container",
    (const struct flag[]){
        {"detach", 'd', NULL, "Detached mode: run command in the background", F_DETACH},
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

static int exec_flag(struct flags_it *it, int f, struct exec_opts *o, char ***env)
{
    switch (f) {
    case F_INTERACTIVE:
        o->stdin_open = flags_bool(it);
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
        o->cwd = it->val;
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
    struct exec_opts o = {0};
    char **env = NULL;
    struct flags_it it;
    int f;
    flags_begin(&it, &exec_flags, argc, argv);
    while ((f = flags_next(&it)) > 0 && (f = exec_flag(&it, f, &o, &env)) > 0)
        ;
    if (f != FLAGS_DONE) {
        flags_end(&it);
        strv_free(env);
        return flags_exit(f);
    }
    const char *name = it.args[0];
    char **args = it.args + 1;
    struct store s;
    merr_t err = MERR_INIT;
    if (cli_store(g, &s) < 0) {
        flags_end(&it);
        strv_free(env);
        return EXIT_ENGINE;
    }
    char id[65];
    int code = EXIT_ENGINE;
    json_t *r = NULL;
    cleanup_free char *user = NULL;
    if (ctr_find(&s, name, id, &err) < 0 || !(r = ctr_refresh(&s, id, &err)))
        goto out;
    if (!json_is_true(json_object_get(json_object_get(r, "State"), "Running"))) {
        err_set(&err, 0, "container %s is not running", name);
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
    o.args = args;
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
    /* Docker's codes: 126 when the command cannot be run, 127 when it is
     * not there */
    code = op_exec(rootfd, &o, &st, &err) == 0 ? st : 126;
    if (code == 126 && err.msg && ctr_exec_status(&err))
        code = ctr_exec_status(&err);
    close(rootfd);
out:
    if (err.msg)
        cli_fail(&err);
    flags_end(&it);
    json_decref(r);
    strv_free(env);
    store_close(&s);
    return code;
}
