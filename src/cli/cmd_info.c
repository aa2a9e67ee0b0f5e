/* cmd_info.c: features, spec, checkpoint/restore. */
#include "cli.h"
#include "../oci/capname.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int cmd_features(const struct global *g, int argc, char **argv)
{
    (void)g;
    if (argc > 1 && strcmp(argv[1], "--help") != 0)
        return cli_usage_error("features", "unexpected argument \"%s\"", argv[1]);
    if (argc > 1) {
        printf("usage: moat features\n");
        return 0;
    }
    json_t *f = rt_features();
    char *text = json_dumps(f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(text);
    free(text);
    json_decref(f);
    return 0;
}

/* config.json of the profile po, in bundle (never over one) */
static int write_spec(const char *bundle, const struct profile_opts *po)
{
    merr_t err = MERR_INIT;
    cleanup_close int dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        err_sys(&err, "--bundle: \"%s\"", bundle);
        return cli_fail(&err);
    }
    if (faccessat(dfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        err_set(&err, EEXIST, "%s/config.json exists: remove it first", bundle);
        return cli_fail(&err);
    }
    json_t *cfg = profile_config(po, &err);
    if (!cfg)
        return cli_fail(&err);
    char *text = json_dumps(cfg, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(cfg);
    int fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    int r = fd >= 0 && write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0;
    free(text);
    if (!r) {
        err_sys(&err, "write %s/config.json", bundle);
        if (fd >= 0)
            close(fd);
        return cli_fail(&err);
    }
    close(fd);
    return 0;
}

int cmd_spec(const struct global *g, int argc, char **argv)
{
    (void)g;
    enum {
        O_BUNDLE = 'b',
        O_HELP = 'h',
        O_ROOTLESS = 256,
        O_CAPADD,
        O_CAPDROP,
        O_SECCOMP,
        O_NOLANDLOCK,
        O_USERNS,
        O_MEMORY,
        O_PIDS,
        O_WRITABLE,
        O_PRIV
    };
    static const struct option opts[] = {{"bundle", required_argument, NULL, O_BUNDLE},
                                         {"rootless", no_argument, NULL, O_ROOTLESS},
                                         {"cap-add", required_argument, NULL, O_CAPADD},
                                         {"cap-drop", required_argument, NULL, O_CAPDROP},
                                         {"seccomp", required_argument, NULL, O_SECCOMP},
                                         {"no-landlock", no_argument, NULL, O_NOLANDLOCK},
                                         {"userns", required_argument, NULL, O_USERNS},
                                         {"memory", required_argument, NULL, O_MEMORY},
                                         {"pids-limit", required_argument, NULL, O_PIDS},
                                         {"writable-rootfs", no_argument, NULL, O_WRITABLE},
                                         {"privileged", no_argument, NULL, O_PRIV},
                                         {"help", no_argument, NULL, O_HELP},
                                         {0, 0, 0, 0}};
    const char *bundle = ".";
    struct profile_opts po;
    profile_defaults(&po);
    int ch, cap;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
        switch (ch) {
        case O_BUNDLE:
            bundle = optarg;
            break;
        case O_ROOTLESS:
            po.rootless = true;
            break;
        case O_CAPADD:
        case O_CAPDROP:
            if (ch == O_CAPDROP && strcasecmp(optarg, "ALL") == 0) {
                po.cap_drop = ~0ULL;
                break;
            }
            if ((cap = cap_from_name(optarg, 1)) < 0)
                return cli_usage_error("spec", "--%s: unknown capability \"%s\"",
                                       ch == O_CAPADD ? "cap-add" : "cap-drop", optarg);
            if (ch == O_CAPADD)
                po.cap_add |= 1ULL << cap;
            else
                po.cap_drop |= 1ULL << cap;
            break;
        case O_SECCOMP:
            po.seccomp = optarg;
            break;
        case O_NOLANDLOCK:
            po.no_landlock = true;
            break;
        case O_USERNS:
            if (strcmp(optarg, "host") == 0)
                po.userns_host = true;
            else if (strcmp(optarg, "auto") != 0)
                return cli_usage_error("spec", "--userns: \"%s\" is not auto or host", optarg);
            break;
        case O_MEMORY:
            if (parse_size(optarg, &po.memory) < 0)
                return cli_usage_error("spec", "--memory: \"%s\" is not a size or max", optarg);
            break;
        case O_PIDS:
            if (strcmp(optarg, "max") == 0)
                po.pids = -1;
            else if (parse_i64(optarg, &po.pids) < 0 || po.pids == 0)
                return cli_usage_error("spec", "--pids-limit: \"%s\" is not a number or max",
                                       optarg);
            break;
        case O_WRITABLE:
            po.writable_root = true;
            break;
        case O_PRIV:
            po.privileged = true;
            break;
        case O_HELP:
            printf("usage: moat spec [--bundle DIR] [--rootless] [--cap-add CAP] [--cap-drop "
                   "CAP|ALL]\n"
                   "                 [--seccomp unconfined|FILE] [--no-landlock] [--userns "
                   "auto|host]\n"
                   "                 [--memory SIZE|max] [--pids-limit N|max] [--writable-rootfs] "
                   "[--privileged]\n");
            return 0;
        default:
            return cli_usage_error("spec", "unknown flag or missing value: %s", argv[optind - 1]);
        }
    }
    if (cli_want_args("spec", argc, argv, optind, 0, ""))
        return 1;
    return write_spec(bundle, &po);
}

int cmd_checkpoint(const struct global *g, int argc, char **argv)
{
    (void)g;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: moat %s ID (not supported on this host)\n", argv[0]);
            return 0;
        }
    log_error("%s: not supported on this host: moat has no CRIU integration", argv[0]);
    return 1;
}
