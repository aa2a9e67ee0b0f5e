/* cmd_container.c: the engine's container commands, shaped like Docker's:
 * run, create, start, stop, kill, rm, ps, logs, inspect, wait, exec. */
#include "cli.h"
#include "flags.h"
#include "../engine/ctr.h"
#include "../engine/ctr_config.h"
#include "../engine/imgio.h"
#include "../engine/monitor.h"
#include "../engine/pull.h"
#include "../engine/ref.h"
#include "../engine/rwlayer.h"
#include "../engine/store.h"
#include "../engine/volume.h"
#include "../kernel/caps.h"
#include "../kernel/lsm.h"
#include "../runtime/exec.h"
#include "../runtime/ops.h"
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

static char *new_id(void)
{
    uint8_t b[32];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        abort();
    char *id = xmalloc(65);
    for (int i = 0; i < 32; i++)
        snprintf(id + 2 * i, 3, "%02x", b[i]);
    return id;
}

/* Create the record and directories of a new container; its id in id. */
static int create_container(struct store *s, struct run_opts *o, char id[65], merr_t *err)
{
    struct rwl_plan lp;
    if (rwl_plan(s, o->storage_size, &lp, err) < 0)
        return -1;
    char img_id[72];
    if (store_image_find(s, o->image, img_id, err) < 0) {
        /* not in the store: pull it, as Docker does */
        merr_t e2 = MERR_INIT;
        struct ref r;
        if (ref_parse(o->image, &r, &e2) < 0) {
            err_clear(&e2);
            rwl_plan_free(&lp);
            return -1;
        }
        ref_free(&r);
        err_clear(err);
        fprintf(stderr, "Unable to find image '%s' locally\n", o->image);
        struct pull_opts po = {.out_fd = 2};
        if (image_pull(s, o->image, &po, img_id, err) < 0) {
            rwl_plan_free(&lp);
            return -1;
        }
    }
    struct image img;
    if (store_image_load(s, img_id, &img, err) < 0) {
        rwl_plan_free(&lp);
        return -1;
    }
    cleanup_free char *nid = new_id();
    snprintf(id, 65, "%s", nid);
    json_t *layers = json_array();
    for (size_t i = 0; i < img.nlayers; i++)
        json_array_append_new(layers, json_string(img.diff_ids[i]));
    int ret = -1;
    cleanup_free char *name = NULL;
    if (store_lock(s, err) < 0)
        goto out;
    ctr_clean_partial(s);
    char other[65];
    if (o->name && ctr_find(s, o->name, other, err) == 0) {
        err_set(err, 0, "the name \"%s\" is in use by container %.12s; remove or rename it",
                o->name, other);
        goto unlock;
    }
    err_clear(err);
    name = o->name ? xstrdup(o->name) : ctr_make_name(s);
    uint64_t base = 0;
    if (!o->userns_host && !o->privileged && ctr_alloc_userns(s, &base, err) < 0)
        goto unlock;
    json_t *rec = ctr_record(s, o, id, name, img_id, img.config, layers, base, err);
    if (!rec)
        goto unlock;
    ret = ctr_make(s, id, rec, &lp, err);
    json_decref(rec);
unlock:
    store_unlock(s);
out:
    if (ret == 0 && lp.warning)
        log_warn("%s", lp.warning);
    rwl_plan_free(&lp);
    json_decref(layers);
    image_free(&img);
    return ret;
}

static volatile sig_atomic_t wait_expired;

static void on_wait_alarm(int sig)
{
    (void)sig;
    wait_expired = 1;
}

/* wait up to `secs` (negative: for ever) for the monitor to finish: it
 * holds its lock until then, so block on the lock, with SIGALRM (no
 * SA_RESTART) to end the wait at the deadline */
static bool wait_monitor(struct store *s, const char *id, int secs)
{
    cleanup_close int fd = ctr_lock_open(s, id, false);
    if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB) == 0)
        return true;
    if (secs == 0)
        return false;
    struct sigaction sa = {.sa_handler = on_wait_alarm}, old;
    sigemptyset(&sa.sa_mask);
    struct itimerval it = {.it_value = {.tv_sec = secs}}, off = {0};
    sigset_t alrm, oldmask;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    wait_expired = 0;
    if (secs > 0) {
        sigaction(SIGALRM, &sa, &old);
        sigprocmask(SIG_UNBLOCK, &alrm, &oldmask);
        setitimer(ITIMER_REAL, &it, NULL);
    }
    int r;
    while ((r = flock(fd, LOCK_SH)) < 0 && errno == EINTR && !wait_expired)
        ;
    if (secs > 0) {
        setitimer(ITIMER_REAL, &off, NULL);
        sigprocmask(SIG_SETMASK, &oldmask, NULL);
        sigaction(SIGALRM, &old, NULL);
    }
    return r == 0;
}

static int start_and_attach(struct store *s, const char *id, bool attach, bool in, bool tty,
                            bool rm, int *code, merr_t *err)
{
    int status = -1;
    if (monitor_spawn(s, id, attach, &status, err) < 0)
        return -1;
    if (!attach)
        return 0;
    int sock = monitor_connect(s, id, err);
    if (sock >= 0 && tty)
        monitor_send_winsize(sock);
    if (monitor_started(status, err) < 0) {
        if (sock >= 0)
            close(sock);
        return -1;
    }
    if (sock < 0)
        return -1;
    int r = monitor_relay(s, id, sock, in, tty, !tty, code, err);
    close(sock);
    /* --rm: the monitor removes the container after it reports the exit
     * code; like docker run --rm, return only when it is gone (a lock
     * file already renamed away counts as gone) */
    if (r == 0 && rm)
        wait_monitor(s, id, -1);
    return r;
}

static int run_or_create(const struct global *g, int argc, char **argv, bool run)
{
    struct run_opts o;
    run_opts_init(&o);
    int at = cli_parse_run(argc, argv, &o, run);
    if (at <= 0) {
        run_opts_free(&o);
        return at < 0 ? EXIT_ENGINE : 0;
    }
    struct store s;
    if (cli_store(g, &s) < 0) {
        run_opts_free(&o);
        return EXIT_ENGINE;
    }
    merr_t err = MERR_INIT;
    char id[65];
    int code = 0;
    if (create_container(&s, &o, id, &err) < 0) {
        code = fail(&err);
    } else if (!run) {
        printf("%s\n", id);
    } else if (start_and_attach(&s, id, !o.detach, o.interactive, o.tty, o.rm, &code, &err) < 0) {
        int st = ctr_exec_status(&err);
        code = fail(&err);
        code = st ? st : code;
        if (o.rm) { /* the monitor removed it, or it never started */
            ctr_remove(&s, id, &err);
            err_clear(&err);
        }
    } else if (o.detach) {
        printf("%s\n", id);
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

/* for each container argument: find it, call fn; report failures */
/* fn on each container the arguments name; 1 if any failed (each said) */
static int each(const struct global *g, const struct flags_it *it,
                int (*fn)(struct store *, const char *id, const char *arg, void *ctx, merr_t *),
                void *ctx)
{
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    int ret = 0;
    for (size_t i = 0; i < it->nargs; i++) {
        merr_t err = MERR_INIT;
        char id[65];
        if (ctr_find(&s, it->args[i], id, &err) < 0 || fn(&s, id, it->args[i], ctx, &err) < 0) {
            cli_fail(&err);
            ret = 1;
        }
    }
    store_close(&s);
    return ret;
}

static int start_one(struct store *s, const char *id, const char *arg, bool attach, bool say,
                     int *code, merr_t *err)
{
    json_t *r = ctr_refresh(s, id, err);
    if (!r)
        return -1;
    bool running = json_is_true(json_object_get(json_object_get(r, "State"), "Running"));
    bool tty = json_is_true(json_object_get(json_object_get(r, "Config"), "Tty"));
    bool in = json_is_true(json_object_get(json_object_get(r, "Config"), "OpenStdin"));
    bool rm = json_is_true(json_object_get(json_object_get(r, "HostConfig"), "AutoRemove"));
    json_decref(r);
    if (running) {
        if (!attach && say)
            printf("%s\n", arg);
        return 0;
    }
    if (start_and_attach(s, id, attach, in && attach, tty, rm, code, err) < 0)
        return -1;
    if (!attach && say)
        printf("%s\n", arg);
    return 0;
}

struct start_ctx {
    bool attach;
    int code; /* the attached container's exit code */
};

static int do_start(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    struct start_ctx *c = ctx;
    return start_one(s, id, arg, c->attach, true, &c->code, err);
}

enum { F_ATTACH = 1, F_INTERACTIVE, F_SIGNAL, F_TIMEOUT, F_FORCE, F_VOLUMES, F_LINK };

static const struct cmd_flags start_flags = {
    "start",
    "[OPTIONS] CONTAINER [CONTAINER...]",
    "Start one or more stopped containers",
    (const struct flag[]){
        {"attach", 'a', NULL, "Attach STDOUT/STDERR and forward signals", F_ATTACH},
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
        c->attach = flags_bool(it);
    return 0;
}

int engine_start(const struct global *g, int argc, char **argv)
{
    struct start_ctx c = {false, 0};
    struct flags_it it;
    flags_begin(&it, &start_flags, argc, argv);
    int r = flags_parse(&it, on_start, &c);
    if (r == FLAGS_DONE && c.attach && it.nargs > 1) {
        flags_error(&it, "you cannot start and attach multiple containers at once");
        r = EXIT_ENGINE;
    } else if (r == FLAGS_DONE) {
        r = each(g, &it, do_start, &c);
        /* attached: the container's exit code, as Docker */
        r = r == 0 && c.attach ? c.code : r;
    }
    flags_end(&it);
    return r;
}

static int signal_ctr(struct store *s, const char *id, int sig, merr_t *err)
{
    int rootfd = ctr_runtime_rootfd(s, err);
    if (rootfd < 0)
        return -1;
    int r = op_kill(rootfd, id, sig, false, err);
    close(rootfd);
    return r;
}

/* how stop, restart and kill go about it */
struct stop_ctx {
    int secs; /* before SIGKILL; -1: wait for ever */
    int sig;  /* 0: the container's stop signal */
};

/* the signal, then SIGKILL after secs */
static int stop_one(struct store *s, const char *id, const struct stop_ctx *c, merr_t *err)
{
    json_t *r = ctr_refresh(s, id, err);
    if (!r)
        return -1;
    bool running = json_is_true(json_object_get(json_object_get(r, "State"), "Running"));
    int sig = c->sig ? c->sig
                     : cli_signal(json_string_value(
                                      json_object_get(json_object_get(r, "Config"), "StopSignal"))
                                      ?: "TERM");
    json_decref(r);
    if (running) {
        merr_t e = MERR_INIT;
        signal_ctr(s, id, sig ? sig : SIGTERM, &e);
        err_clear(&e);
        if (!wait_monitor(s, id, c->secs)) {
            signal_ctr(s, id, SIGKILL, &e);
            err_clear(&e);
            wait_monitor(s, id, -1);
        }
    }
    return 0;
}

static int do_stop(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    if (stop_one(s, id, ctx, err) < 0)
        return -1;
    printf("%s\n", arg);
    return 0;
}

static int do_restart(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    int code = 0;
    if (stop_one(s, id, ctx, err) < 0 || start_one(s, id, arg, false, false, &code, err) < 0)
        return -1;
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
static const struct cmd_flags stop_flags = {"stop",
                                            "[OPTIONS] CONTAINER [CONTAINER...]",
                                            "Stop one or more running containers",
                                            stop_table,
                                            true,
                                            1,
                                            -1};
static const struct cmd_flags restart_flags = {"restart",
                                               "[OPTIONS] CONTAINER [CONTAINER...]",
                                               "Restart one or more containers",
                                               stop_table,
                                               true,
                                               1,
                                               -1};
static const struct cmd_flags kill_flags = {
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
        c->sig = cli_signal(it->val);
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
        r = each(g, &it, fn, &c);
    flags_end(&it);
    return r;
}

int engine_stop(const struct global *g, int argc, char **argv)
{
    return stop_like(g, &stop_flags, argc, argv, (struct stop_ctx){10, 0}, do_stop);
}

int engine_restart(const struct global *g, int argc, char **argv)
{
    return stop_like(g, &restart_flags, argc, argv, (struct stop_ctx){10, 0}, do_restart);
}

static int do_kill(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    json_t *r = ctr_refresh(s, id, err);
    if (!r)
        return -1;
    bool running = json_is_true(json_object_get(json_object_get(r, "State"), "Running"));
    json_decref(r);
    if (!running)
        return err_set(err, 0, "container %s is not running", arg);
    if (signal_ctr(s, id, ((struct stop_ctx *)ctx)->sig, err) < 0)
        return -1;
    printf("%s\n", arg);
    return 0;
}

int engine_kill(const struct global *g, int argc, char **argv)
{
    return stop_like(g, &kill_flags, argc, argv, (struct stop_ctx){0, SIGKILL}, do_kill);
}

static int do_rm(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    bool force = *(bool *)ctx;
    json_t *r = ctr_refresh(s, id, err);
    if (!r)
        return -1;
    bool running = json_is_true(json_object_get(json_object_get(r, "State"), "Running"));
    json_decref(r);
    if (running && !force)
        return err_set(err, 0, "container %s is running: stop it first, or use rm --force", arg);
    if (running) {
        merr_t e = MERR_INIT;
        signal_ctr(s, id, SIGKILL, &e);
        err_clear(&e);
        wait_monitor(s, id, -1);
    }
    if (ctr_monitor_alive(s, id)) {
        /* a monitor still starting the container (or stuck at it, or
         * finishing): --force stops it, and the removal cleans up */
        bool killed = force && ctr_monitor_kill(s, id) == 0;
        if (!killed && ctr_monitor_alive(s, id))
            return err_set(err, 0, "container %s is starting; try again", arg);
        wait_monitor(s, id, -1);
    }
    if (ctr_remove(s, id, err) < 0)
        return -1;
    printf("%s\n", arg);
    return 0;
}

static const struct cmd_flags rm_flags = {
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
    if (f == F_FORCE)
        *(bool *)ctx = flags_bool(it);
    if (f == F_LINK && flags_bool(it))
        return flags_error(it, "--link: moat has no container links"), -1;
    return 0;
}

int engine_rm(const struct global *g, int argc, char **argv)
{
    bool force = false;
    struct flags_it it;
    flags_begin(&it, &rm_flags, argc, argv);
    int r = flags_parse(&it, on_rm, &force);
    if (r == FLAGS_DONE)
        r = each(g, &it, do_rm, &force);
    flags_end(&it);
    return r;
}

static int do_wait(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    (void)arg;
    (void)ctx;
    json_t *r;
    /* a container that has not run yet: wait for it to run and end, as
     * Docker does */
    for (;;) {
        wait_monitor(s, id, -1);
        r = ctr_refresh(s, id, err);
        if (!r)
            return -1;
        const char *st = json_string_value(json_object_get(json_object_get(r, "State"), "Status"));
        if (!st || strcmp(st, "created") != 0)
            break;
        json_decref(r);
        poll(NULL, 0, 100);
    }
    printf("%lld\n",
           (long long)json_integer_value(json_object_get(json_object_get(r, "State"), "ExitCode")));
    json_decref(r);
    return 0;
}

static const struct cmd_flags wait_flags = {
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
        r = each(g, &it, do_wait, NULL);
    flags_end(&it);
    return r;
}
