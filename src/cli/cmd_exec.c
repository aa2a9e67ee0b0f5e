/* cmd_exec.c: moat exec. */
#include "cli.h"
#include "../runtime/exec.h"
#include "../runtime/ops.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
    uint64_t n;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+w:e:tu:g:p:dc:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C':
            o.console_socket = optarg;
            break;
        case 'w':
            if (optarg[0] != '/') {
                cli_usage_error("exec", "--cwd: \"%s\" is not an absolute path", optarg);
                goto out;
            }
            o.cwd = optarg;
            break;
        case 'e':
            if (!strchr(optarg, '=') || optarg[0] == '=') {
                cli_usage_error("exec", "--env: \"%s\" is not KEY=VALUE", optarg);
                goto out;
            }
            strv_push(&o.env, optarg);
            break;
        case 't':
            o.tty = true;
            break;
        case 'u':
            o.user = optarg;
            break;
        case 'g':
            strv_push(&o.additional_gids, optarg);
            break;
        case 'p':
            o.process_file = optarg;
            break;
        case 'd':
            o.detach = true;
            break;
        case 'P':
            o.pid_file = optarg;
            break;
        case 'L':
            o.process_label = optarg;
            break;
        case 'A':
            o.apparmor = optarg;
            break;
        case 'N':
            o.no_new_privs = true;
            break;
        case 'c':
            strv_push(&o.caps, optarg);
            break;
        case 'F':
            if (parse_u64(optarg, &n) < 0 || n > 65536) {
                cli_usage_error("exec", "--preserve-fds: \"%s\" is not a number", optarg);
                goto out;
            }
            o.preserve_fds = (int)n;
            break;
        case 'G':
            cli_usage_error("exec", "--cgroup: sub-cgroups are not supported");
            goto out;
        case 'I':
            o.ignore_paused = true;
            break;
        case 'h':
            printf("usage: moat exec [flags] ID COMMAND [ARG...]\n"
                   "       moat exec [flags] --process process.json ID\n");
            ret = 0;
            goto out;
        default:
            if (optopt && optopt != '?')
                cli_usage_error("exec", "unknown flag or missing value: -%c", optopt);
            else
                cli_usage_error("exec", "unknown flag or missing value: %s", argv[optind - 1]);
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
