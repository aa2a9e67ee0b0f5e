/* cmd_container.c: the engine's container commands, shaped like Docker's:
 * run, create, start, stop, kill, rm, ps, logs, inspect, wait, exec. */
#include "cli.h"
#include "flags.h"
#include "../engine/engine.h"
#include "../oci/ref.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/signame.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/time.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail(merr_t *err)
{
    cli_fail(err);
    return EXIT_ENGINE;
}

static int run_or_create(const struct global *g, int argc, char **argv, bool run)
{
    struct run_opts o;
    run_opts_init(&o);
    int at = cli_parse_run(argc, argv, &o, run);
    if (at <= 0) {
        run_opts_free(&o);
        return at == -2 ? 1 : at < 0 ? EXIT_ENGINE : 0;
    }
    struct store s;
    if (cli_store(g, &s) < 0) {
        run_opts_free(&o);
        return EXIT_ENGINE;
    }
    merr_t err = MERR_INIT;
    char id[65];
    int code = 0;
    /* made first, and only if it is not there: a script keys on it */
    int cid = o.cidfile ? open(o.cidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
    if (o.cidfile && cid < 0) {
        if (errno == EEXIST)
            err_set(&err, 0,
                    "container ID file found, make sure the other container isn't running or "
                    "delete %s",
                    o.cidfile);
        else
            err_sys(&err, "--cidfile \"%s\"", o.cidfile);
        code = fail(&err);
    } else if (ctr_create(&s, &o, id, &err) < 0) {
        code = fail(&err);
        if (cid >= 0)
            unlink(o.cidfile);
    } else if (cid >= 0 && write_all(cid, id, strlen(id)) < 0) {
        err_sys(&err, "--cidfile \"%s\"", o.cidfile);
        code = fail(&err);
    }
    if (cid >= 0)
        close(cid);
    int r = 0;
    if (code) {
        /* nothing to start */
    } else if (!run) {
        printf("%s\n", id);
    } else if ((r = ctr_start_attach(&s, id, o.detach ? NULL : &o.attach, o.rm, &code, &err)) < 0) {
        int st = ctr_exec_status(&err);
        code = fail(&err);
        code = st ? st : code;
        if (o.rm) { /* the monitor removed it, or it never started */
            ctr_remove(&s, id, &err);
            err_clear(&err);
        }
    } else if (o.detach) {
        printf("%s\n", id);
    } else if (r == ATTACH_DETACHED) {
        code = 0;
    }
    store_close(&s);
    run_opts_free(&o);
    return code;
}

int engine_run(const struct global *g, int argc, char **argv)
{
    return run_or_create(g, argc, argv, true);
}

int engine_create(const struct global *g, int argc, char **argv)
{
    return run_or_create(g, argc, argv, false);
}

struct start_ctx {
    bool attach;
    struct attach_opts ao;
    const char *keys;
    int code; /* the attached container's exit code */
};

static int do_start(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    struct start_ctx *c = ctx;
    int r = ctr_start(s, id, c->attach ? &c->ao : NULL, &c->code, err);
    if (r < 0)
        return -1;
    if (r == ATTACH_DETACHED)
        c->code = 0;
    if (!c->attach)
        printf("%s\n", arg);
    return 0;
}

enum {
    F_ATTACH = 1,
    F_INTERACTIVE,
    F_SIGNAL,
    F_TIMEOUT,
    F_FORCE,
    F_VOLUMES,
    F_LINK,
    F_KEYS,
    F_NOSTDIN,
    F_SIGPROXY,
    F_CHECKPOINT,
    F_FILTER
};

const struct cmd_flags start_flags = {
    "start",
    "[OPTIONS] CONTAINER [CONTAINER...]",
    "Start one or more stopped containers",
    (const struct flag[]){
        {"attach", 'a', NULL, "Attach STDOUT/STDERR and forward signals", F_ATTACH},
        {"checkpoint", 0, "string", "Restore from this checkpoint (refused: no CRIU here)",
         F_CHECKPOINT},
        {"checkpoint-dir", 0, "string", "Use a custom checkpoint storage directory (refused)",
         F_CHECKPOINT},
        {"detach-keys", 0, "string", "Override the key sequence for detaching a container", F_KEYS},
        {"interactive", 'i', NULL, "Attach container's STDIN", F_INTERACTIVE},
        {0},
    },
    true,
    1,
    -1};

static int on_start(struct flags_it *it, int f, void *ctx)
{
    struct start_ctx *c = ctx;
    if (f == F_ATTACH)
        c->attach = c->attach || flags_bool(it);
    else if (f == F_INTERACTIVE) /* -i attaches, as Docker's */
        c->attach = c->ao.in = flags_bool(it);
    else if (f == F_KEYS)
        c->keys = it->val;
    else if (f == F_CHECKPOINT)
        return flags_error(it,
                           "%s: moat does not checkpoint or restore containers (no CRIU support)",
                           it->seen),
               -1;
    return 0;
}

/* --detach-keys into ao; -1 after a message */
static int detach_keys(struct flags_it *it, const char *keys, struct attach_opts *ao)
{
    merr_t e = MERR_INIT;
    if (keyseq_parse(keys, &ao->keys, &e) < 0) {
        flags_error(it, "%s", e.msg);
        err_clear(&e);
        return -1;
    }
    return 0;
}

int engine_start(const struct global *g, int argc, char **argv)
{
    struct start_ctx c = {.ao = {.out = true, .err = true, .sig_proxy = true}};
    struct flags_it it;
    flags_begin(&it, &start_flags, argc, argv);
    int r = flags_parse(&it, on_start, &c);
    if (r == FLAGS_DONE && detach_keys(&it, c.keys, &c.ao) < 0)
        r = EXIT_ENGINE;
    if (r == FLAGS_DONE && c.attach && it.nargs > 1) {
        flags_error(&it, "you cannot start and attach multiple containers at once");
        r = EXIT_ENGINE;
    } else if (r == FLAGS_DONE) {
        r = cli_each_ctr(g, it.args, it.nargs, do_start, &c, 1);
        /* attached: the container's exit code, as Docker */
        r = r == 0 && c.attach ? c.code : r;
    }
    return r;
}

/* how stop, restart and kill go about it */
struct stop_ctx {
    int secs; /* before SIGKILL; -1: wait for ever */
    int sig;  /* 0: the container's stop signal */
};

static int do_stop(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    const struct stop_ctx *c = ctx;
    if (ctr_stop(s, id, c->secs, c->sig, err) < 0)
        return -1;
    printf("%s\n", arg);
    return 0;
}

static int do_restart(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    int code = 0;
    const struct stop_ctx *c = ctx;
    if (ctr_stop(s, id, c->secs, c->sig, err) < 0 || ctr_start(s, id, NULL, &code, err) < 0)
        return -1;
    events_container(s, id, NULL, "restart", NULL);
    printf("%s\n", arg);
    return 0;
}

static const struct flag stop_table[] = {
    {"signal", 's', "string", "Signal to send to the container", F_SIGNAL},
    {"timeout", 't', "int", "Seconds to wait before killing the container", F_TIMEOUT},
    {"time", 0, "int", "Seconds to wait before killing the container (deprecated: --timeout)",
     F_TIMEOUT},
    {0},
};
const struct cmd_flags stop_flags = {"stop",
                                     "[OPTIONS] CONTAINER [CONTAINER...]",
                                     "Stop one or more running containers",
                                     stop_table,
                                     true,
                                     1,
                                     -1};
const struct cmd_flags restart_flags = {"restart",
                                        "[OPTIONS] CONTAINER [CONTAINER...]",
                                        "Restart one or more containers",
                                        stop_table,
                                        true,
                                        1,
                                        -1};
const struct cmd_flags kill_flags = {
    "kill",
    "[OPTIONS] CONTAINER [CONTAINER...]",
    "Kill one or more running containers",
    (const struct flag[]){
        {"signal", 's', "string", "Signal to send to the container (default \"KILL\")", F_SIGNAL},
        {0},
    },
    true,
    1,
    -1};

static int on_stop(struct flags_it *it, int f, void *ctx)
{
    struct stop_ctx *c = ctx;
    int64_t v;
    if (f == F_TIMEOUT) {
        if (flags_int(it, -1, 86400, &v) < 0)
            return -1;
        c->secs = (int)v;
    } else if (f == F_SIGNAL) {
        c->sig = signal_parse(it->val);
        if (!c->sig || c->sig >= 65)
            return flags_error(it, "invalid signal: %s", it->val), -1;
    }
    return 0;
}

static int stop_like(const struct global *g, const struct cmd_flags *t, int argc, char **argv,
                     struct stop_ctx c,
                     int (*fn)(struct store *, const char *, const char *, void *, merr_t *))
{
    struct flags_it it;
    flags_begin(&it, t, argc, argv);
    int r = flags_parse(&it, on_stop, &c);
    if (r == FLAGS_DONE)
        r = cli_each_ctr(g, it.args, it.nargs, fn, &c, 1);
    return r;
}

int engine_stop(const struct global *g, int argc, char **argv)
{
    return stop_like(g, &stop_flags, argc, argv, (struct stop_ctx){CTR_STOP_DEFAULT, 0}, do_stop);
}

int engine_restart(const struct global *g, int argc, char **argv)
{
    return stop_like(g, &restart_flags, argc, argv, (struct stop_ctx){CTR_STOP_DEFAULT, 0},
                     do_restart);
}

static int do_kill(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    if (ctr_kill(s, id, ((struct stop_ctx *)ctx)->sig, err) < 0)
        return -1;
    printf("%s\n", arg);
    return 0;
}

int engine_kill(const struct global *g, int argc, char **argv)
{
    return stop_like(g, &kill_flags, argc, argv, (struct stop_ctx){0, SIGKILL}, do_kill);
}

struct rm_ctx {
    bool force, volumes;
    char **filters; /* container prune's */
};

static int do_rm(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    const struct rm_ctx *c = ctx;
    if (ctr_rm(s, id, c->force, c->volumes, err) < 0)
        return -1;
    printf("%s\n", arg);
    return 0;
}

const struct cmd_flags rm_flags = {
    "rm",
    "[OPTIONS] CONTAINER [CONTAINER...]",
    "Remove one or more containers",
    (const struct flag[]){
        {"force", 'f', NULL, "Force the removal of a running container (uses SIGKILL)", F_FORCE},
        {"link", 'l', NULL, "Remove the specified link (no links in moat: refused)", F_LINK},
        {"volumes", 'v', NULL, "Remove anonymous volumes associated with the container", F_VOLUMES},
        {0},
    },
    true,
    1,
    -1};

static int on_rm(struct flags_it *it, int f, void *ctx)
{
    struct rm_ctx *c = ctx;
    if (f == F_FORCE)
        c->force = flags_bool(it);
    if (f == F_VOLUMES)
        c->volumes = flags_bool(it);
    if (f == F_FILTER)
        strv_push(&c->filters, it->val);
    if (f == F_LINK && flags_bool(it))
        return flags_error(it, "--link: moat has no container links"), -1;
    return 0;
}

int engine_rm(const struct global *g, int argc, char **argv)
{
    struct rm_ctx c = {false, false, NULL};
    struct flags_it it;
    flags_begin(&it, &rm_flags, argc, argv);
    int r = flags_parse(&it, on_rm, &c);
    if (r == FLAGS_DONE)
        r = cli_each_ctr(g, it.args, it.nargs, do_rm, &c, 1);
    return r;
}

static int do_wait(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    (void)arg;
    (void)ctx;
    int64_t code;
    if (ctr_wait(s, id, &code, err) < 0)
        return -1;
    printf("%lld\n", (long long)code);
    return 0;
}

const struct cmd_flags wait_flags = {
    "wait",
    "CONTAINER [CONTAINER...]",
    "Block until one or more containers stop, then print their exit codes",
    (const struct flag[]){{0}},
    true,
    1,
    -1};

int engine_wait(const struct global *g, int argc, char **argv)
{
    struct flags_it it;
    flags_begin(&it, &wait_flags, argc, argv);
    int r = flags_parse(&it, NULL, NULL);
    if (r == FLAGS_DONE)
        r = cli_each_ctr(g, it.args, it.nargs, do_wait, NULL, 1);
    return r;
}

const struct cmd_flags container_prune_flags = {
    "container prune",
    "[OPTIONS]",
    "Remove all stopped containers",
    (const struct flag[]){
        {"filter", 0, "filter", "Provide filter values (e.g. \"until=<timestamp>\")", F_FILTER},
        {"force", 'f', NULL, "Do not prompt for confirmation", F_FORCE},
        {0},
    },
    true,
    0,
    0};

int engine_container_prune(const struct global *g, int argc, char **argv)
{
    struct rm_ctx c = {false, false, NULL};
    struct flags_it it;
    flags_begin(&it, &container_prune_flags, argc, argv);
    int r = flags_parse(&it, on_rm, &c);
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    /* a bad filter is refused before the question */
    if (r == FLAGS_DONE && prune_filter_parse(c.filters, PRUNE_CONTAINERS, false, &pf, &err) < 0)
        r = (cli_fail(&err), EXIT_ENGINE);
    strv_free(c.filters);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (!c.force && !flags_confirm("WARNING! This will remove all stopped containers.")) {
        prune_filter_free(&pf);
        return 0;
    }
    if (cli_store(g, &s) < 0) {
        prune_filter_free(&pf);
        return EXIT_ENGINE;
    }
    json_t *deleted = json_array();
    uint64_t freed = 0;
    prune_containers(&s, &pf, deleted, &freed);
    prune_filter_free(&pf);
    cli_print_pruned("Deleted Containers", deleted, "", freed);
    json_decref(deleted);
    store_close(&s);
    return 0;
}
