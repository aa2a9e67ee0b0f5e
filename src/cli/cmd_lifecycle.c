/* cmd_lifecycle.c: create, run, start, state, list, kill, delete, pause,
 * resume, ps. */
#include "cli.h"
#include "../oci/spec.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/signame.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* getopt error for cmd, given the last getopt result */
static int bad_flag(const char *cmd, char **argv)
{
    if (optopt && optopt != '?')
        return cli_usage_error(cmd, "unknown flag or missing value: -%c", optopt);
    return cli_usage_error(cmd, "unknown flag or missing value: %s", argv[optind - 1]);
}

static int check_id(const char *cmd, const char *id)
{
    if (!state_valid_id(id))
        return cli_usage_error(cmd, "invalid container id \"%s\" (letters, digits, _ + - .)", id);
    return 0;
}

/* run in the foreground: relay until it ends, then delete it (unless
 * --keep); its exit status */
static int run_foreground(struct container *c, bool keep)
{
    merr_t err = MERR_INIT;
    int code = 0;
    if (rt_wait(c, &code, &err) < 0) {
        log_error("%s", err.msg);
        err_clear(&err);
        code = 1;
    }
    log_debug("phase: container exited");
    if (!keep && rt_destroy(c, &err) < 0)
        log_error("%s", err.msg);
    err_clear(&err);
    log_debug("phase: container deleted");
    return code;
}

static int container_cmd(const struct global *g, int argc, char **argv, enum run_mode mode)
{
    static const struct option opts[] = {
        {"bundle", required_argument, NULL, 'b'},
        {"console-socket", required_argument, NULL, 'c'},
        {"pid-file", required_argument, NULL, 'p'},
        {"no-pivot", no_argument, NULL, 'P'},
        {"no-new-keyring", no_argument, NULL, 'K'},
        {"preserve-fds", required_argument, NULL, 'f'},
        {"detach", no_argument, NULL, 'd'},
        {"keep", no_argument, NULL, 'k'},
        {"no-subreaper", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *cmd = argv[0];
    struct rt_create_opts o = {.mode = mode};
    bool keep = false; /* run --keep: do not delete after exit */
    const char *bundle = ".";
    uint64_t pfds = 0;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, mode == RUN_CREATE ? "b:h" : "b:dh", opts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            bundle = optarg;
            break;
        case 'c':
            o.console_socket = optarg;
            break;
        case 'p':
            o.pid_file = optarg;
            break;
        case 'P':
            o.no_pivot = true;
            break;
        case 'K':
            o.no_new_keyring = true;
            break;
        case 'f':
            if (parse_u64(optarg, &pfds) < 0 || pfds > 65536)
                return cli_usage_error(cmd, "--preserve-fds: \"%s\" is not a number", optarg);
            o.preserve_fds = (int)pfds;
            break;
        case 'd':
            if (mode == RUN_CREATE)
                return bad_flag(cmd, argv);
            o.mode = RUN_DETACHED;
            break;
        case 'k':
            keep = true;
            break;
        case 'S':
            break;
        case 'h':
            printf("usage: moat %s [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] "
                   "[--preserve-fds N] [--no-pivot] [--no-new-keyring]%s ID\n",
                   cmd, mode == RUN_CREATE ? "" : " [--detach] [--keep]");
            return 0;
        default:
            return bad_flag(cmd, argv);
        }
    }
    if (cli_want_args(cmd, argc, argv, optind, 1, "container id"))
        return 1;
    o.id = argv[optind];
    if (check_id(cmd, o.id))
        return 1;
    merr_t err = MERR_INIT;
    int code = 0;
    char real[PATH_MAX];
    if (!realpath(bundle, real)) {
        err_sys(&err, "--bundle: \"%s\"", bundle);
        return cli_fail(&err);
    }
    o.bundle = real;
    cleanup_free char *cfg = xasprintf("%s/config.json", real);
    cleanup_free char *text = NULL;
    struct container *c = NULL;
    if (spec_read_file(cfg, &text, &o.config_len, &err) < 0)
        return cli_fail(&err);
    o.config = text;
    if (rt_new(&o, &c, &err) < 0)
        return cli_fail(&err);
    int rootfd = cli_root(g, true, &err);
    if (rootfd < 0) {
        rt_free(c);
        return cli_fail(&err);
    }
    sigset_t old;
    if (o.mode == RUN_FOREGROUND)
        run_block_signals(&old);
    if (rt_create(c, rootfd, &err) < 0) {
        close(rootfd);
        rt_free(c);
        return cli_fail(&err);
    }
    if (o.mode == RUN_FOREGROUND)
        code = run_foreground(c, keep);
    close(rootfd);
    rt_free(c);
    log_debug("phase: resources released");
    return code;
}

int cmd_create(const struct global *g, int argc, char **argv)
{
    return container_cmd(g, argc, argv, RUN_CREATE);
}

int cmd_run(const struct global *g, int argc, char **argv)
{
    return container_cmd(g, argc, argv, RUN_FOREGROUND);
}

/* Commands that take only an id (and maybe -f/-a). */
static int simple_args(int argc, char **argv, const char *shortopts, const struct option *opts,
                       bool *flag, char flagch)
{
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        if (ch == 'h') {
            printf("usage: moat %s%s ID\n", argv[0], flag ? " [--force]" : "");
            return 2;
        }
        if (flag && (ch == 'x' || ch == flagch)) {
            *flag = true;
            continue;
        }
        bad_flag(argv[0], argv);
        return 1;
    }
    return 0;
}

static const struct option help_only[] = {{"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};

#define ID_COMMAND(fname, call)                                                                    \
    int fname(const struct global *g, int argc, char **argv)                                       \
    {                                                                                              \
        int r = simple_args(argc, argv, "h", help_only, NULL, 0);                                  \
        if (r)                                                                                     \
            return r == 2 ? 0 : r;                                                                 \
        if (cli_want_args(argv[0], argc, argv, optind, 1, "container id"))                         \
            return 1;                                                                              \
        merr_t err = MERR_INIT;                                                                    \
        const char *id = argv[optind];                                                             \
        int rootfd = cli_root_for(g, id, &err);                                                    \
        if (rootfd < 0)                                                                            \
            return cli_fail(&err);                                                                 \
        int ret = call;                                                                            \
        close(rootfd);                                                                             \
        return ret < 0 ? cli_fail(&err) : 0;                                                       \
    }

ID_COMMAND(cmd_start, op_start(rootfd, id, &err))
ID_COMMAND(cmd_pause, op_pause(rootfd, id, true, &err))
ID_COMMAND(cmd_resume, op_pause(rootfd, id, false, &err))

int cmd_state(const struct global *g, int argc, char **argv)
{
    int r = simple_args(argc, argv, "h", help_only, NULL, 0);
    if (r)
        return r == 2 ? 0 : r;
    if (cli_want_args(argv[0], argc, argv, optind, 1, "container id"))
        return 1;
    merr_t err = MERR_INIT;
    const char *id = argv[optind];
    int rootfd = cli_root_for(g, id, &err);
    if (rootfd < 0)
        return cli_fail(&err);
    char *json = NULL;
    r = op_state(rootfd, id, &json, &err);
    close(rootfd);
    if (r < 0)
        return cli_fail(&err);
    puts(json);
    free(json);
    return 0;
}

int cmd_delete(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"force", no_argument, NULL, 'x'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    bool force = false;
    int r = simple_args(argc, argv, "fh", opts, &force, 'f');
    if (r)
        return r == 2 ? 0 : r;
    if (cli_want_args(argv[0], argc, argv, optind, 1, "container id"))
        return 1;
    merr_t err = MERR_INIT;
    const char *id = argv[optind];
    int rootfd = cli_root(g, false, &err);
    if (rootfd < 0) {
        err_clear(&err);
        if (force)
            return 0;
        err_set(&err, ENOENT, "container \"%s\" does not exist", id);
        return cli_fail(&err);
    }
    r = op_delete(rootfd, id, force, &err);
    close(rootfd);
    return r < 0 ? cli_fail(&err) : 0;
}

int cmd_kill(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'x'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    bool all = false;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
        if (ch == 'x' || ch == 'a')
            all = true;
        else if (ch == 'h') {
            printf("usage: moat kill [--all] ID [SIGNAL]\n");
            return 0;
        } else
            return bad_flag(argv[0], argv);
    }
    int n = argc - optind;
    if (n < 1 || n > 2)
        return cli_usage_error("kill", n < 1 ? "missing container id" : "too many arguments");
    const char *id = argv[optind];
    int sig = SIGTERM;
    if (n == 2 && !(sig = signal_parse(argv[optind + 1])))
        return cli_usage_error("kill", "unknown signal \"%s\"", argv[optind + 1]);
    merr_t err = MERR_INIT;
    int rootfd = cli_root_for(g, id, &err);
    if (rootfd < 0)
        return cli_fail(&err);
    int r = op_kill(rootfd, id, sig, all, &err);
    close(rootfd);
    return r < 0 ? cli_fail(&err) : 0;
}

int cmd_list(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    bool quiet = false, json = false;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "f:qh", opts, NULL)) != -1) {
        if (ch == 'q')
            quiet = true;
        else if (ch == 'f') {
            if (strcmp(optarg, "json") == 0)
                json = true;
            else if (strcmp(optarg, "table") != 0)
                return cli_usage_error("list", "--format: \"%s\" is not table or json", optarg);
        } else if (ch == 'h') {
            printf("usage: moat list [--quiet] [--format table|json]\n");
            return 0;
        } else
            return bad_flag(argv[0], argv);
    }
    if (cli_want_args("list", argc, argv, optind, 0, ""))
        return 1;
    merr_t err = MERR_INIT;
    int rootfd = cli_root(g, false, &err);
    if (rootfd < 0 && err.errnum != ENOENT) /* a missing root holds nothing */
        return cli_fail(&err);
    err_clear(&err);
    size_t n = 0;
    struct rt_info *v = rootfd >= 0 ? rt_list(rootfd, &n) : NULL;
    struct sbuf out = {0};
    if (json)
        sbuf_puts(&out, "[");
    else if (!quiet)
        sbuf_printf(&out, "%-24s %-8s %-8s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE",
                    "CREATED", "OWNER");
    for (size_t i = 0; i < n; i++) {
        const struct rt_info *c = &v[i];
        if (json) {
            cleanup_free char *st = rt_info_json(c);
            sbuf_printf(&out, "%s%s", i ? "," : "", st);
        } else if (quiet) {
            sbuf_printf(&out, "%s\n", c->id);
        } else {
            sbuf_printf(&out, "%-24s %-8d %-8s %-40s %-31s %s\n", c->id, (int)c->pid,
                        cstatus_name(c->status), c->bundle, c->created,
                        c->owner == 0 ? "root" : "user");
        }
    }
    if (json)
        sbuf_puts(&out, "]\n");
    if (out.len)
        fwrite(out.buf, 1, out.len, stdout);
    free(out.buf);
    rt_list_free(v, n);
    if (rootfd >= 0)
        close(rootfd);
    return 0;
}

/* table: run ps(1) and keep the header and the container's rows */
static int ps_table(const pid_t *pids, size_t n, char **ps_args)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    size_t na = strv_len(ps_args);
    char **av = xzalloc((na + 3) * sizeof(char *));
    av[0] = "ps";
    if (na)
        memcpy(av + 1, ps_args, na * sizeof(char *));
    else
        av[1] = "-ef";
    pid_t c = fork();
    if (c == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execvp("ps", av);
        _exit(127);
    }
    free(av);
    close(p[1]);
    char *text = NULL;
    read_fd(p[0], &text, NULL);
    close(p[0]);
    int st;
    waitpid(c, &st, 0);
    if (!text || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        free(text);
        log_error("ps: running ps(1) failed");
        return 1;
    }
    char *save = NULL;
    int pidcol = -1;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (pidcol < 0) {
            /* header: find the PID column */
            cleanup_free char *h = xstrdup(line);
            char *s2 = NULL;
            int col = 0;
            for (char *t = strtok_r(h, " \t", &s2); t; t = strtok_r(NULL, " \t", &s2), col++)
                if (strcmp(t, "PID") == 0)
                    pidcol = col;
            if (pidcol < 0) {
                log_error("ps: no PID column in the output of ps");
                free(text);
                return 1;
            }
            puts(line);
            continue;
        }
        cleanup_free char *copy = xstrdup(line);
        char *s2 = NULL, *t = strtok_r(copy, " \t", &s2);
        for (int col = 0; t && col < pidcol; col++)
            t = strtok_r(NULL, " \t", &s2);
        pid_t pid = t ? (pid_t)atoi(t) : -1;
        for (size_t i = 0; i < n; i++)
            if (pids[i] == pid) {
                puts(line);
                break;
            }
    }
    free(text);
    return 0;
}

int cmd_ps(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    bool json = false;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
        if (ch == 'f') {
            if (strcmp(optarg, "json") == 0)
                json = true;
            else if (strcmp(optarg, "table") != 0)
                return cli_usage_error("ps", "--format: \"%s\" is not table or json", optarg);
        } else if (ch == 'h') {
            printf("usage: moat ps [--format table|json] ID [ps options]\n");
            return 0;
        } else
            return bad_flag(argv[0], argv);
    }
    if (optind >= argc)
        return cli_usage_error("ps", "missing container id");
    const char *id = argv[optind];
    merr_t err = MERR_INIT;
    int rootfd = cli_root_for(g, id, &err);
    if (rootfd < 0)
        return cli_fail(&err);
    pid_t *pids = NULL;
    size_t n = 0;
    int r = op_pids(rootfd, id, &pids, &n, &err);
    close(rootfd);
    if (r < 0)
        return cli_fail(&err);
    if (json) {
        struct sbuf b = {0};
        sbuf_puts(&b, "[");
        for (size_t i = 0; i < n; i++)
            sbuf_printf(&b, "%s%d", i ? "," : "", (int)pids[i]);
        sbuf_puts(&b, "]\n");
        fwrite(b.buf, 1, b.len, stdout);
        free(b.buf);
        free(pids);
        return 0;
    }
    r = ps_table(pids, n, argv + optind + 1);
    free(pids);
    return r;
}
