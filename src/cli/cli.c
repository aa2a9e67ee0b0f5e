/* cli.c: global flags and command dispatch. */
#include "cli.h"
#include "../engine/store.h"
#include "../runtime/state.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
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
    {"images", cmd_images, "list images"},
    {"image", cmd_image, "manage images (ls, inspect, rm, prune, tag, load, save, import)"},
    {"tag", cmd_tag, "give an image another name"},
    {"rmi", cmd_rmi, "remove images"},
    {"load", cmd_load, "load images from a docker-archive or OCI layout tarball"},
    {"save", cmd_save, "write images to a tarball (docker-archive and OCI layout in one)"},
    {"import", cmd_import, "make an image from a root filesystem tarball"},
};

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

static void usage(FILE *f)
{
    fprintf(f, "usage: moat [global flags] COMMAND [flags] [args]\n\n"
               "moat is a container engine and an OCI runtime (runc's command line), locked\n"
               "down by default.\n\n"
               "Image commands (--root: the store, default " STORE_DEFAULT_ROOT "):\n");
    for (size_t i = 0; i < ARRAY_SIZE(engine_commands); i++)
        fprintf(f, "  %-11s %s\n", engine_commands[i].name, engine_commands[i].help);
    fprintf(f, "\nRuntime commands (--root: the state directory):\n");
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

int cli_root_for(const struct global *g, const char *id, merr_t *err)
{
    int fd = state_root_open(g->root, false, err);
    if (fd < 0)
        err_set(err, ENOENT, "container \"%s\" does not exist", id);
    return fd;
}

static const struct {
    const char *name;
    int sig;
} signals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int cli_signal(const char *s)
{
    uint64_t n;
    if (parse_u64(s, &n) == 0)
        return n >= 1 && n <= 64 ? (int)n : 0;
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
        if (strcasecmp(signals[i].name, s) == 0)
            return signals[i].sig;
    if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
        int64_t off = 0;
        if (s[5] && parse_i64(s + 5, &off) < 0)
            return 0;
        int v = (strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX) + (int)off;
        return v >= SIGRTMIN && v <= SIGRTMAX ? v : 0;
    }
    return 0;
}

int cli_main(int argc, char **argv)
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
            usage(stdout);
            return 0;
        default:
            log_open(NULL, false, false);
            if (optopt)
                return cli_usage_error(NULL, "unknown flag -%c", optopt);
            return cli_usage_error(NULL, "unknown or incomplete flag \"%s\"", argv[optind - 1]);
        }
    }
    bool json = false;
    if (g.log_format) {
        if (strcmp(g.log_format, "json") == 0)
            json = true;
        else if (strcmp(g.log_format, "text") != 0) {
            log_open(NULL, false, false);
            return cli_usage_error(NULL, "--log-format: \"%s\" is not text or json", g.log_format);
        }
    }
    if (log_open(g.log, json, g.debug) < 0) {
        log_open(NULL, false, g.debug);
        log_error("--log: cannot open \"%s\": %s", g.log, strerror(errno));
        return 1;
    }
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    const char *name = argv[optind];
    if (strcmp(name, "version") == 0) {
        version();
        return 0;
    }
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (g.systemd_cgroup) {
        log_error("--systemd-cgroup: not supported: moat manages cgroups through cgroupfs (use "
                  "cgroup_manager = \"cgroupfs\")");
        return 1;
    }
    int ret = -1, at = optind;
    for (size_t i = 0; i < ARRAY_SIZE(engine_commands); i++)
        if (strcmp(engine_commands[i].name, name) == 0) {
            g.store = root ? root : STORE_DEFAULT_ROOT;
            optind = 1;
            ret = engine_commands[i].fn(&g, argc - at, argv + at);
            log_close();
            return ret;
        }
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
