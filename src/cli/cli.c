/* cli.c: global flags and command dispatch. */
#include "cli.h"
#include "flags.h"
#include "tmpl.h"
#include "../engine/engine.h"
#include "../runtime/runtime.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef MOAT_VERSION
#define MOAT_VERSION "0.0.0"
#endif

struct command {
    const char *name;
    int (*fn)(const struct global *, int, char **);
    const char *help;
};

/* The engine's commands: --root names the store (default /var/lib/moat). */
static const struct command engine_commands[] = {
    {"pull", cmd_pull, "fetch an image from a registry (--tls-verify=false for plain HTTP)"},
    {"login", cmd_login, "keep credentials for a registry"},
    {"logout", cmd_logout, "forget the credentials of a registry"},
    {"images", cmd_images, "list images"},
    {"image", cmd_image, "manage images (ls, inspect, rm, prune, tag, load, save, import)"},
    {"tag", cmd_tag, "give an image another name"},
    {"rmi", cmd_rmi, "remove images"},
    {"load", cmd_load, "load images from a docker-archive or OCI layout tarball"},
    {"save", cmd_save, "write images to a tarball (docker-archive and OCI layout in one)"},
    {"import", cmd_import, "make an image from a root filesystem tarball"},
    {"attach", engine_attach, "attach to a running container's input and output"},
    {"stop", engine_stop, "stop containers (TERM, then KILL after -t seconds)"},
    {"rm", engine_rm, "remove containers (-f: running ones too)"},
    {"logs", engine_logs, "show a container's output (-f, --tail N, -t)"},
    {"inspect", engine_inspect, "show containers or images as JSON"},
    {"wait", engine_wait, "wait for containers to stop and print their exit codes"},
    {"restart", engine_restart, "stop and start containers again (-t SECONDS)"},
    {"top", engine_top, "list the processes of a container"},
    {"port", engine_port, "list a container's published ports"},
    {"stats", engine_stats, "live CPU, memory, block I/O and pids of containers (--no-stream)"},
    {"cp", engine_cp, "copy files between a container and the host"},
    {"volume", engine_volume, "named volumes (create, ls, inspect, rm, prune)"},
    {"network", engine_network, "networks (create, ls, inspect, rm, prune, connect, disconnect)"},
    {"rename", engine_rename, "give a container another name"},
    {"unpause", engine_unpause, "thaw the processes of paused containers"},
    {"diff", engine_diff, "list what a container changed in its files (A, C, D)"},
    {"export", engine_export, "write a container's files as a tar archive"},
    {"commit", engine_commit, "make an image of a container's files and settings (-c, -m)"},
    {"history", engine_history, "show the steps an image was made of"},
    {"info", engine_info, "show the engine's facts (--format)"},
    {"system", engine_system, "system info, df (disk use), prune (everything unused)"},
    {"events", engine_events, "show what happens in the engine (--since, --until, --filter)"},
};

/* Verbs both have: the engine's unless the arguments are a runtime's
 * (see engine_wanted). */
static const struct command shared_commands[] = {
    {"run", engine_run, "run a command in a new container from an image (-d, -it, --rm, ...)"},
    {"create", engine_create, "create a container from an image"},
    {"start", engine_start, "start created or stopped containers (-a: attach)"},
    {"kill", engine_kill, "send a signal to containers (-s SIGNAL, default KILL)"},
    {"ps", engine_ps, "list containers (-a, -q, --format)"},
    {"exec", engine_exec, "run a command in a running container (-it, -u, -e, -w)"},
    {"pause", engine_pause, "freeze every process of containers (unpause thaws them)"},
    {"update", engine_update, "change the resource limits and restart policy of containers"},
};

static bool is_store(const char *dir)
{
    cleanup_free char *p = xasprintf("%s/blobs", dir);
    return access(p, F_OK) == 0;
}

static bool flag_takes_arg(const char *a)
{
    static const char *const with_arg[] = {
        "-e",
        "--env",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--cwd",
        "-c",
        "--cap",
        "-p",
        "--process",
        "--console-socket",
        "--pid-file",
        "--apparmor",
        "--process-label",
        "-g",
        "--additional-gids",
        "--preserve-fds",
        "-s",
        "--signal",
        "--format",
        "-f",
        /* update's */
        "-m",
        "--memory",
        "--memory-reservation",
        "--memory-swap",
        "--cpus",
        "--cpu-shares",
        "--cpu-period",
        "--cpu-quota",
        "--cpu-rt-period",
        "--cpu-rt-runtime",
        "--cpuset-cpus",
        "--cpuset-mems",
        "--pids-limit",
        "--blkio-weight",
        "--restart",
    };
    for (size_t i = 0; i < ARRAY_SIZE(with_arg); i++)
        if (strcmp(a, with_arg[i]) == 0)
            return true;
    return false;
}

/* Is this verb (shared by both) meant for the engine? The runtime's when
 * --root names anything but an engine store, when a flag only
 * the runtime has is given (--bundle, --pid-file, --console-socket,
 * --process, --preserve-fds, --no-pivot, --no-new-keyring, --keep, or the
 * global --log, --log-format, --systemd-cgroup), when the container named
 * exists in the runtime's state directory, or (run, create) when the
 * current directory is a bundle and only an id follows. */
static bool engine_wanted(const char *root, bool runtime_globals, int argc, char **argv)
{
    /* engines always pass --root: a directory that is not a store (yet)
     * is a runtime's (a new store is made by pull, load or import) */
    if (root)
        return is_store(root);
    bool build = strcmp(argv[0], "run") == 0 || strcmp(argv[0], "create") == 0;
    if (runtime_globals)
        return false;
    static const char *const rt[] = {"--bundle",          "-b",
                                     "--pid-file",        "--console-socket",
                                     "--preserve-fds",    "--no-pivot",
                                     "--no-new-keyring",  "--keep",
                                     "--process",         "--no-subreaper",
                                     "--resources",       "-r",
                                     "--kernel-memory",   "--kernel-memory-tcp",
                                     "--l3-cache-schema", "--mem-bw-schema"};
    bool exec = strcmp(argv[0], "exec") == 0;
    const char *pos = NULL;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] != '-') {
            /* what follows is the id's (runtime) or the command's (engine) */
            pos = a;
            npos = argc - i;
            break;
        }
        for (size_t k = 0; k < ARRAY_SIZE(rt); k++) {
            size_t l = strlen(rt[k]);
            if (strncmp(a, rt[k], l) == 0 && (a[l] == 0 || a[l] == '='))
                return false;
        }
        if (exec && strcmp(a, "-p") == 0)
            return false;
        if (!npos && flag_takes_arg(a) && !strchr(a, '='))
            i++;
    }
    if (!pos)
        return true;
    if (build) /* never the runtime because of a config.json here: moat-runtime is */
        return true;
    cleanup_free char *def = state_default_root();
    cleanup_free char *p = xasprintf("%s/%s", def, pos);
    return access(p, F_OK) != 0;
}

/* The OCI runtime's commands (runc's CLI): --root names the state
 * directory (default /run/moat). */
static const struct command commands[] = {
    {"create", cmd_create, "create a container (its init waits for start)"},
    {"start", cmd_start, "start the user process of a created container"},
    {"run", cmd_run, "create and start a container (foreground, or --detach)"},
    {"state", cmd_state, "print the state of a container as JSON"},
    {"list", cmd_list, "list containers (-q ids, -f json)"},
    {"kill", cmd_kill, "send a signal to the container's init (or --all processes)"},
    {"delete", cmd_delete, "delete a stopped container (--force: any)"},
    {"exec", cmd_exec, "run a process in a container"},
    {"ps", cmd_ps, "list the processes of a container"},
    {"pause", cmd_pause, "freeze every process of a container"},
    {"resume", cmd_resume, "thaw a paused container"},
    {"update", cmd_update, "change the resource limits of a container"},
    {"features", cmd_features, "print what this runtime supports as JSON"},
    {"spec", cmd_spec, "write a config.json for a new bundle"},
    {"checkpoint", cmd_checkpoint, "not supported on this host"},
    {"restore", cmd_checkpoint, "not supported on this host"},
};

static void usage(FILE *f, bool runtime_only)
{
    if (runtime_only) {
        fprintf(f, "usage: moat-runtime [global flags] COMMAND [flags] [args]\n\n"
                   "moat's OCI runtime (runc's command line), locked down by default.\n\n"
                   "Commands (--root: the state directory, default /run/moat):\n");
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
            fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
        fprintf(f, "\nGlobal flags: --root DIR, --log FILE, --log-format text|json, --debug, "
                   "--version\n");
        return;
    }
    fprintf(f, "usage: moat [global flags] COMMAND [flags] [args]\n\n"
               "moat is a container engine and an OCI runtime (runc's command line), locked\n"
               "down by default.\n\n"
               "Engine commands (--root: the store, default " STORE_DEFAULT_ROOT "):\n");
    for (size_t i = 0; i < ARRAY_SIZE(shared_commands); i++)
        fprintf(f, "  %-11s %s\n", shared_commands[i].name, shared_commands[i].help);
    for (size_t i = 0; i < ARRAY_SIZE(engine_commands); i++)
        fprintf(f, "  %-11s %s\n", engine_commands[i].name, engine_commands[i].help);
    fprintf(f, "\nRuntime commands (--root: the state directory). run, create, start, kill, ps\n"
               "and exec are the runtime's with its flags (--bundle, ...), with --root naming\n"
               "a state directory, or for a container in the state directory:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nGlobal flags:\n"
               "  --root DIR           state directory (default /run/moat)\n"
               "  --log FILE           also write errors to FILE\n"
               "  --log-format FORMAT  text or json (dockerd and containerd read json)\n"
               "  --debug              debug output, including the setup plan\n"
               "  --systemd-cgroup     not supported (moat manages cgroupfs directly)\n"
               "  -v, --version        print the version\n");
}

static void version(void)
{
    printf("moat version %s\nspec: 1.1.0\n", MOAT_VERSION);
}

/* `moat version`: runc's lines; with flags Docker's (--format) */
static int version_cmd(struct global *g, int argc, char **argv)
{
    if (optind + 1 >= argc) {
        version();
        return 0;
    }
    int at = optind;
    optind = 1;
    int ret = engine_version(g, argc - at, argv + at);
    log_close();
    return ret;
}

int cli_fail(merr_t *err)
{
    log_error("%s", err && err->msg ? err->msg : "failed");
    err_clear(err);
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char *m;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&m, fmt, ap) < 0)
        m = NULL;
    va_end(ap);
    log_error("%s%s%s (see moat %s --help)", cmd ? cmd : "", cmd ? ": " : "", m ? m : "usage error",
              cmd ? cmd : "");
    free(m);
    return 1;
}

int cli_want_args(const char *cmd, int argc, char **argv, int optind_, int n, const char *what)
{
    int got = argc - optind_;
    if (got < n)
        return cli_usage_error(cmd, "missing %s", what);
    if (got > n)
        return cli_usage_error(cmd, "unexpected argument \"%s\"", argv[optind_ + n]);
    return 0;
}

int cli_root(const struct global *g, bool create, merr_t *err)
{
    return state_root_open(g->root, create, err);
}

int cli_store(const struct global *g, struct store *s)
{
    merr_t err = MERR_INIT;
    if (store_open(s, g->store, &err) < 0) {
        cli_fail(&err);
        return -1;
    }
    return 0;
}

int cli_each_ctr(const struct global *g, char *const *args, size_t n, cli_ctr_fn fn, void *ctx,
                 int fail)
{
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    int ret = 0;
    for (size_t i = 0; i < n; i++) {
        merr_t err = MERR_INIT;
        char id[65];
        if (ctr_find(&s, args[i], id, &err) < 0 || fn(&s, id, args[i], ctx, &err) < 0) {
            cli_fail(&err);
            ret = fail;
        }
    }
    store_close(&s);
    return ret;
}

void cli_print_pruned(const char *title, json_t *deleted, const char *prefix, uint64_t freed)
{
    printf("%s:\n", title);
    size_t i;
    json_t *v;
    json_array_foreach(deleted, i, v)
    {
        printf("%s%s\n", prefix, json_string_value(v));
    }
    char sz[24];
    human_bytes(freed, false, sz, sizeof(sz));
    printf("\nTotal reclaimed space: %s\n", sz);
}

/* A file beside `path` to write to, renamed over it when whole (nothing
 * is left of it, and what was there stays, when the command fails). */
int cli_out_open(const char *path, char **tmp, merr_t *err)
{
    *tmp = xasprintf("%s.moat-XXXXXX", path);
    int fd = mkostemp(*tmp, O_CLOEXEC);
    if (fd < 0 || fchmod(fd, 0644) < 0) {
        err_sys(err, "--output \"%s\"", path);
        if (fd >= 0) {
            close(fd);
            unlink(*tmp);
        }
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    return fd;
}

int cli_out_finish(int fd, const char *path, char *tmp, bool ok, merr_t *err)
{
    if (ok && (fsync(fd) < 0 || rename(tmp, path) < 0)) {
        err_sys(err, "--output \"%s\"", path);
        ok = false;
    }
    close(fd);
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

int cli_root_for(const struct global *g, const char *id, merr_t *err)
{
    int fd = state_root_open(g->root, false, err);
    if (fd < 0)
        err_set(err, ENOENT, "container \"%s\" does not exist", id);
    return fd;
}

/* Docker's management group: `container ls` is ps, `container prune`
 * its own, the rest the verbs (argv[*at] is then the verb to run); -1 to
 * go on with it, else the exit status */
static int container_group(struct global *g, const char *root, int argc, char **argv, int *at)
{
    if (optind + 1 >= argc || strcmp(argv[optind + 1], "--help") == 0) {
        printf("\nUsage:  moat container COMMAND\n\nManage containers: attach, commit, cp, create, "
               "diff, exec, export, inspect, kill, logs, ls, pause, prune, rename, restart, rm, "
               "run, start, stats, stop, top, unpause, update, wait\n");
        return optind + 1 >= argc ? 125 : 0;
    }
    *at = ++optind;
    if (!strcmp(argv[*at], "ls") || !strcmp(argv[*at], "list"))
        argv[*at] = "ps";
    if (strcmp(argv[*at], "prune") != 0)
        return -1;
    g->store = root ? root : STORE_DEFAULT_ROOT;
    return engine_container_prune(g, argc - *at, argv + *at);
}

/* --log and --log-format: -1 after a message */
static int open_log(const struct global *g)
{
    bool json = false;
    if (g->log_format) {
        if (strcmp(g->log_format, "json") == 0)
            json = true;
        else if (strcmp(g->log_format, "text") != 0) {
            log_open(NULL, false, false);
            cli_usage_error(NULL, "--log-format: \"%s\" is not text or json", g->log_format);
            return -1;
        }
    }
    if (log_open(g->log, json, g->debug) < 0) {
        log_open(NULL, false, g->debug);
        log_error("--log: cannot open \"%s\": %s", g->log, strerror(errno));
        return -1;
    }
    return 0;
}

int cli_main(int argc, char **argv, bool runtime_only)
{
    static const struct option opts[] = {
        {"root", required_argument, NULL, 'r'},
        {"log", required_argument, NULL, 'l'},
        {"log-format", required_argument, NULL, 'f'},
        {"debug", no_argument, NULL, 'd'},
        {"systemd-cgroup", no_argument, NULL, 's'},
        {"rootless", required_argument, NULL, 'R'},
        {"criu", required_argument, NULL, 'c'},
        {"version", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    struct global g = {.argv = argv};
    /* the runtime may restart us from a sealed binary, with these
     * arguments: a copy, as the flag parser reorders argv in place */
    char **again = xmalloc(((size_t)argc + 1) * sizeof(char *));
    memcpy(again, argv, ((size_t)argc + 1) * sizeof(char *));
    seal_set_argv(again);
    const char *root = NULL;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            root = optarg;
            break;
        case 'l':
            g.log = optarg;
            break;
        case 'f':
            g.log_format = optarg;
            break;
        case 'd':
            g.debug = true;
            break;
        case 's':
            g.systemd_cgroup = true;
            break;
        case 'R':
        case 'c':
            break; /* accepted for compatibility */
        case 'v':
            version();
            return 0;
        case 'h':
            usage(stdout, runtime_only);
            return 0;
        default:
            log_open(NULL, false, false);
            if (optopt)
                return cli_usage_error(NULL, "unknown flag -%c", optopt);
            return cli_usage_error(NULL, "unknown or incomplete flag \"%s\"", argv[optind - 1]);
        }
    }
    if (open_log(&g) < 0)
        return 1;
    if (optind >= argc) {
        usage(stderr, runtime_only);
        return 1;
    }
    const char *name = argv[optind];
    int ret = -1, at = optind;
    if (runtime_only)
        goto runtime;
    if (strcmp(name, "__docs") == 0) /* man pages and completion, for meson install */
        return cli_docs(argc - optind, argv + optind);
    if (strcmp(name, "__boot") == 0) /* dist/moat-restart.service, at boot */
        return restart_at_boot(root);
    if (strcmp(name, "version") == 0)
        return version_cmd(&g, argc, argv);
    if (strcmp(name, "help") == 0) {
        usage(stdout, runtime_only);
        return 0;
    }
    if (g.systemd_cgroup) {
        log_error("--systemd-cgroup: not supported: moat manages cgroups through cgroupfs (use "
                  "cgroup_manager = \"cgroupfs\")");
        return 1;
    }
    const struct command *eng = NULL;
    if (strcmp(name, "container") == 0) {
        ret = container_group(&g, root, argc, argv, &at);
        if (ret != -1) {
            log_close();
            return ret;
        }
        name = argv[at];
    }
    for (size_t i = 0; i < ARRAY_SIZE(engine_commands); i++)
        if (strcmp(engine_commands[i].name, name) == 0)
            eng = &engine_commands[i];
    for (size_t i = 0; i < ARRAY_SIZE(shared_commands) && !eng; i++)
        if (strcmp(shared_commands[i].name, name) == 0 &&
            engine_wanted(root, g.log || g.log_format, argc - at, argv + at))
            eng = &shared_commands[i];
    if (eng) {
        g.store = root ? root : STORE_DEFAULT_ROOT;
        optind = 1;
        ret = eng->fn(&g, argc - at, argv + at);
        log_close();
        return ret;
    }
runtime:
    g.root = root ? xstrdup(root) : state_default_root();
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        if (strcmp(commands[i].name, name) == 0) {
            optind = 1; /* the command parses its own argv, argv[0] = its name */
            ret = commands[i].fn(&g, argc - at, argv + at);
            break;
        }
    if (ret == -1) {
        ret = cli_usage_error(NULL, "unknown command \"%s\"", name);
    }
    free(g.root);
    log_close();
    return ret;
}

/* each as the template says, one line each; or all as a JSON array */
int cli_print_objects(json_t *all, const char *format)
{
    if (!format || strcmp(format, "json") == 0) {
        char *t = json_dumps(all, JSON_INDENT(4));
        printf("%s\n", t);
        free(t);
        return 0;
    }
    size_t i;
    json_t *r;
    json_array_foreach(all, i, r)
    {
        merr_t err = MERR_INIT;
        char *out = tmpl_render(format, r, &err);
        if (!out) {
            log_error("%s", err.msg);
            err_clear(&err);
            return 125;
        }
        printf("%s\n", out);
        free(out);
    }
    return 0;
}

int cli_inspect_each(struct store *s, char **args, size_t n,
                     json_t *(*lookup)(struct store *s, const char *what, merr_t *err),
                     const char *format)
{
    json_t *out = json_array();
    int ret = 0;
    for (size_t i = 0; i < n; i++) {
        merr_t err = MERR_INIT;
        json_t *o = lookup(s, args[i], &err);
        if (!o)
            ret = cli_fail(&err);
        else
            json_array_append_new(out, o);
    }
    int pr = cli_print_objects(out, format);
    json_decref(out);
    return pr ? pr : ret;
}

int cli_group(const struct global *g, const char *group, const char *title,
              const struct cli_sub *subs, size_t n, int argc, char **argv,
              int (*on_flag)(struct flags_it *, int, void *), void *ctx)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("\nUsage:  moat %s COMMAND\n\n%s\n\nCommands:\n", group, title);
        for (size_t i = 0; i < n; i++)
            printf("  %-10s %s\n", subs[i].name, subs[i].flags->summary);
        return argc < 2 ? EXIT_ENGINE : 0;
    }
    const struct cli_sub *sc = NULL;
    for (size_t i = 0; i < n && !sc; i++)
        if (strcmp(argv[1], subs[i].name) == 0 ||
            (subs[i].alias && !strcmp(argv[1], subs[i].alias)))
            sc = &subs[i];
    if (!sc) {
        cli_usage_error(group, "unknown command \"%s\"", argv[1]);
        return EXIT_ENGINE;
    }
    struct flags_it it;
    flags_begin(&it, sc->flags, argc - 1, argv + 1);
    int r = flags_parse(&it, on_flag, ctx);
    if (r == FLAGS_DONE && sc->check)
        r = sc->check(&it, ctx);
    struct store s;
    if (r == FLAGS_DONE && cli_store(g, &s) < 0)
        r = EXIT_ENGINE;
    else if (r == FLAGS_DONE) {
        r = sc->fn(&s, &it, ctx);
        store_close(&s);
    }
    return r;
}
