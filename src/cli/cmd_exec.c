/* cmd_exec.c: moat exec. */
#include "cli.h"
#include "../runtime/runtime.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* one runc exec flag into o: 0, -1 after a message, 1 after --help, -2
 * for a flag it does not know */
static int exec_flag(struct exec_opts *o, int ch, const char *arg)
{
    uint64_t n;
    switch (ch) {
    case 'C':
        o->console_socket = arg;
        break;
    case 'w':
        if (arg[0] != '/') {
            cli_usage_error("exec", "--cwd: \"%s\" is not an absolute path", arg);
            return -1;
        }
        o->cwd = arg;
        break;
    case 'e':
        if (!strchr(arg, '=') || arg[0] == '=') {
            cli_usage_error("exec", "--env: \"%s\" is not KEY=VALUE", arg);
            return -1;
        }
        strv_push(&o->env, arg);
        break;
    case 't':
        o->tty = true;
        break;
    case 'u':
        o->user = arg;
        break;
    case 'g':
        strv_push(&o->additional_gids, arg);
        break;
    case 'p':
        o->process_file = arg;
        break;
    case 'd':
        o->detach = true;
        break;
    case 'P':
        o->pid_file = arg;
        break;
    case 'L':
        o->process_label = arg;
        break;
    case 'A':
        o->apparmor = arg;
        break;
    case 'N':
        o->no_new_privs = true;
        break;
    case 'c':
        strv_push(&o->caps, arg);
        break;
    case 'F':
        if (parse_u64(arg, &n) < 0 || n > 65536) {
            cli_usage_error("exec", "--preserve-fds: \"%s\" is not a number", arg);
            return -1;
        }
        o->preserve_fds = (int)n;
        break;
    case 'G':
        cli_usage_error("exec", "--cgroup: sub-cgroups are not supported");
        return -1;
    case 'I':
        o->ignore_paused = true;
        break;
    case 'h':
        printf("usage: moat exec [flags] ID COMMAND [ARG...]\n"
               "       moat exec [flags] --process process.json ID\n");
        return 1;
    default:
        return -2; /* the caller names it */
    }
    return 0;
}

int cmd_exec(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"console-socket", required_argument, NULL, 'C'},
        {"cwd", required_argument, NULL, 'w'},
        {"env", required_argument, NULL, 'e'},
        {"tty", no_argument, NULL, 't'},
        {"user", required_argument, NULL, 'u'},
        {"additional-gids", required_argument, NULL, 'g'},
        {"process", required_argument, NULL, 'p'},
        {"detach", no_argument, NULL, 'd'},
        {"pid-file", required_argument, NULL, 'P'},
        {"process-label", required_argument, NULL, 'L'},
        {"apparmor", required_argument, NULL, 'A'},
        {"no-new-privs", no_argument, NULL, 'N'},
        {"cap", required_argument, NULL, 'c'},
        {"preserve-fds", required_argument, NULL, 'F'},
        {"cgroup", required_argument, NULL, 'G'},
        {"ignore-paused", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    struct exec_opts o = {0};
    int ch, ret = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+w:e:tu:g:p:dc:h", opts, NULL)) != -1) {
        int r = exec_flag(&o, ch, optarg);
        if (r == -2 && optopt && optopt != '?')
            cli_usage_error("exec", "unknown flag or missing value: -%c", optopt);
        else if (r == -2)
            cli_usage_error("exec", "unknown flag or missing value: %s", argv[optind - 1]);
        if (r != 0) {
            ret = r > 0 ? 0 : 1;
            goto out;
        }
    }
    if (optind >= argc) {
        cli_usage_error("exec", "missing container id");
        goto out;
    }
    o.id = argv[optind];
    o.args = argv + optind + 1;
    if (!o.process_file && !o.args[0]) {
        cli_usage_error("exec", "missing the command to run (or --process)");
        goto out;
    }
    merr_t err = MERR_INIT;
    int rootfd = cli_root_for(g, o.id, &err);
    if (rootfd < 0) {
        cli_fail(&err);
        goto out;
    }
    int code = 0;
    if (op_exec(rootfd, &o, &code, &err) < 0) {
        close(rootfd);
        cli_fail(&err);
        ret = code ? code : 1;
        goto out;
    }
    close(rootfd);
    ret = code;
out:
    strv_free(o.env);
    strv_free(o.caps);
    strv_free(o.additional_gids);
    return ret;
}
