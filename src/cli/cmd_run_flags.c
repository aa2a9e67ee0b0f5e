/* cmd_run_flags.c: the flags of run and create, into struct run_opts. */
#include "cli.h"
#include "../engine/ctr_config.h"
#include "../engine/rwlayer.h"
#include "../engine/volume.h"
#include "../kernel/caps.h"
#include "../kernel/lsm.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int env_file(struct run_opts *o, const char *path)
{
    cleanup_free char *text = NULL;
    merr_t err = MERR_INIT;
    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0) {
        log_error("--env-file: %s", err.msg);
        err_clear(&err);
        return -1;
    }
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        while (*l == ' ' || *l == '\t')
            l++;
        if (*l && *l != '#')
            strv_push(&o->env, l);
    }
    return 0;
}

/* --mount type=bind|volume|tmpfs,source=S,target=T[,readonly][,tmpfs-size=N]
 *   [,tmpfs-mode=M][,idmap][,U] as the -v or --tmpfs it stands for; kept
 *   structured (a source may hold any character, ':' too) */
static int mount_flag(struct run_opts *o, const char *spec)
{
    cleanup_free char *b = xstrdup(spec);
    const char *type = "volume", *src = NULL, *dst = NULL;
    struct mount_req m = {0};
    cleanup_free char *size = NULL;
    cleanup_free char *mode = NULL;
    char *save = NULL;
    for (char *kv = strtok_r(b, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq++ = 0;
        bool yes = !eq || !strcmp(eq, "true") || !strcmp(eq, "1");
        if (!strcmp(kv, "type") && eq)
            type = eq;
        else if ((!strcmp(kv, "source") || !strcmp(kv, "src")) && eq)
            src = eq;
        else if ((!strcmp(kv, "target") || !strcmp(kv, "destination") || !strcmp(kv, "dst")) && eq)
            dst = eq;
        else if (!strcmp(kv, "readonly") || !strcmp(kv, "ro"))
            m.ro = yes;
        else if (!strcmp(kv, "idmap"))
            m.idmap = yes;
        else if (!strcmp(kv, "U") || !strcmp(kv, "chown"))
            m.chown = yes;
        else if (!strcmp(kv, "tmpfs-size") && eq)
            size = xasprintf(",size=%s", eq);
        else if (!strcmp(kv, "tmpfs-mode") && eq)
            mode = xasprintf(",mode=%s", eq);
        else
            return cli_usage_error("run", "--mount \"%s\": unknown option \"%s\"", spec, kv);
    }
    if (!dst)
        return cli_usage_error("run", "--mount \"%s\": target is required", spec);
    if (!strcmp(type, "tmpfs")) {
        cleanup_free char *t =
            xasprintf("%s%s%s%s", dst, size || mode ? ":" : "", size ? size + 1 : "",
                      mode ? (size ? mode : mode + 1) : "");
        strv_push(&o->tmpfs, t);
        return 0;
    }
    if (strcmp(type, "bind") != 0 && strcmp(type, "volume") != 0)
        return cli_usage_error("run", "--mount \"%s\": type must be bind, volume or tmpfs", spec);
    m.volume = !strcmp(type, "volume");
    if (!src || (!m.volume && src[0] != '/') || (m.volume && !volume_name_ok(src)))
        return cli_usage_error("run",
                               "--mount \"%s\": a bind needs an absolute source, a volume a "
                               "name",
                               spec);
    if (m.volume && (m.chown || m.idmap))
        return cli_usage_error("run", "--mount \"%s\": U and idmap are for binds", spec);
    m.src = xstrdup(src);
    m.dst = xstrdup(dst);
    m.what = xasprintf("--mount \"%.256s\"", spec);
    run_opts_add_mount(o, &m);
    return 0;
}

enum {
    O_NAME = 256,
    O_RM,
    O_ENVFILE,
    O_TMPFS,
    O_READONLY,
    O_CAPADD,
    O_CAPDROP,
    O_SECOPT,
    O_PRIV,
    O_MEMORY,
    O_CPUS,
    O_PIDS,
    O_ULIMIT,
    O_HOSTNAME,
    O_NETWORK,
    O_USERNS,
    O_ENTRY,
    O_INIT,
    O_MOUNT,
    O_LOGDRIVER,
    O_LOGOPT,
    O_STORAGEOPT,
};

/* run and create flags; returns the index of IMAGE, or -1 */
int cli_parse_run(int argc, char **argv, struct run_opts *o, bool run)
{
    static const struct option opts[] = {
        {"detach", no_argument, NULL, 'd'},
        {"interactive", no_argument, NULL, 'i'},
        {"tty", no_argument, NULL, 't'},
        {"rm", no_argument, NULL, O_RM},
        {"name", required_argument, NULL, O_NAME},
        {"env", required_argument, NULL, 'e'},
        {"env-file", required_argument, NULL, O_ENVFILE},
        {"workdir", required_argument, NULL, 'w'},
        {"user", required_argument, NULL, 'u'},
        {"volume", required_argument, NULL, 'v'},
        {"tmpfs", required_argument, NULL, O_TMPFS},
        {"read-only", no_argument, NULL, O_READONLY},
        {"cap-add", required_argument, NULL, O_CAPADD},
        {"cap-drop", required_argument, NULL, O_CAPDROP},
        {"security-opt", required_argument, NULL, O_SECOPT},
        {"privileged", no_argument, NULL, O_PRIV},
        {"memory", required_argument, NULL, 'm'},
        {"cpus", required_argument, NULL, O_CPUS},
        {"pids-limit", required_argument, NULL, O_PIDS},
        {"ulimit", required_argument, NULL, O_ULIMIT},
        {"hostname", required_argument, NULL, 'h'},
        {"network", required_argument, NULL, O_NETWORK},
        {"net", required_argument, NULL, O_NETWORK},
        {"userns", required_argument, NULL, O_USERNS},
        {"entrypoint", required_argument, NULL, O_ENTRY},
        {"init", no_argument, NULL, O_INIT},
        {"mount", required_argument, NULL, O_MOUNT},
        {"log-driver", required_argument, NULL, O_LOGDRIVER},
        {"log-opt", required_argument, NULL, O_LOGOPT},
        {"storage-opt", required_argument, NULL, O_STORAGEOPT},
        {"help", no_argument, NULL, 'H'},
        {0, 0, 0, 0},
    };
    const char *cmd = run ? "run" : "create";
    int ch, cap;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+ditie:w:u:v:m:h:", opts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            o->detach = true;
            break;
        case 'i':
            o->interactive = true;
            break;
        case 't':
            o->tty = true;
            break;
        case O_RM:
            o->rm = true;
            break;
        case O_NAME:
            o->name = optarg;
            break;
        case 'e':
            strv_push(&o->env, optarg);
            break;
        case O_ENVFILE:
            if (env_file(o, optarg) < 0)
                return -1;
            break;
        case 'w':
            if (optarg[0] != '/')
                return cli_usage_error(cmd, "--workdir \"%s\": must be an absolute path", optarg),
                       -1;
            o->workdir = optarg;
            break;
        case 'u':
            o->user = optarg;
            break;
        case 'v': {
            struct mount_req m;
            merr_t e = MERR_INIT;
            if (ctr_parse_volume(optarg, &m, &e) < 0) {
                mount_req_free(&m);
                cli_usage_error(cmd, "%s", e.msg);
                err_clear(&e);
                return -1;
            }
            strv_push(&o->binds, optarg);
            run_opts_add_mount(o, &m);
            break;
        }
        case O_TMPFS:
            strv_push(&o->tmpfs, optarg);
            break;
        case O_READONLY:
            o->read_only = true;
            break;
        case O_CAPADD:
        case O_CAPDROP:
            if (strcasecmp(optarg, "ALL") == 0) {
                if (ch == O_CAPDROP)
                    o->po.cap_drop = ~0ULL;
                else
                    o->po.cap_add = ~0ULL >> (63 - cap_last_cap());
                break;
            }
            if ((cap = cap_from_name(optarg, 1)) < 0)
                return cli_usage_error(cmd, "--%s: unknown capability \"%s\"",
                                       ch == O_CAPADD ? "cap-add" : "cap-drop", optarg),
                       -1;
            if (ch == O_CAPADD)
                o->po.cap_add |= 1ULL << cap;
            else
                o->po.cap_drop |= 1ULL << cap;
            break;
        case O_SECOPT:
            if (strncmp(optarg, "seccomp=", 8) == 0 || strncmp(optarg, "seccomp:", 8) == 0) {
                o->po.seccomp = optarg + 8; /* read (once) and checked at create */
            } else if (strcmp(optarg, "no-new-privileges") == 0 ||
                       strcmp(optarg, "no-new-privileges=true") == 0 ||
                       strcmp(optarg, "no-new-privileges:true") == 0) {
                /* always on */
            } else if (strcmp(optarg, "landlock=unconfined") == 0 ||
                       strcmp(optarg, "landlock=off") == 0) {
                o->po.no_landlock = true;
            } else if (strcmp(optarg, "allow-sensitive-mounts") == 0) {
                o->allow_sensitive = true;
            } else if (strncmp(optarg, "apparmor=", 9) == 0 ||
                       strncmp(optarg, "apparmor:", 9) == 0) {
                const char *prof = optarg + 9;
                if (!*prof || strspn(prof, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_.-/") != strlen(prof))
                    return cli_usage_error(cmd, "--security-opt %s: not a profile name", optarg),
                           -1;
                if (strcmp(prof, "unconfined") != 0 && !lsm_apparmor_enabled())
                    return cli_usage_error(cmd,
                                           "--security-opt %s: AppArmor is not enabled on this "
                                           "host",
                                           optarg),
                           -1;
                o->apparmor = prof;
            } else {
                return cli_usage_error(cmd,
                                       "--security-opt \"%s\": expected seccomp=FILE|unconfined, "
                                       "no-new-privileges, landlock=unconfined, "
                                       "apparmor=PROFILE|unconfined or allow-sensitive-mounts",
                                       optarg),
                       -1;
            }
            break;
        case O_PRIV:
            o->privileged = true;
            break;
        case 'm':
            if (optarg[0] == '-' || parse_size(optarg, &o->po.memory) < 0)
                return cli_usage_error(cmd, "--memory \"%s\": not a size (like 512m or 2g)",
                                       optarg),
                       -1;
            break;
        case O_CPUS: {
            char *end;
            o->cpus = strtod(optarg, &end);
            if (*end || end == optarg || o->cpus <= 0 || o->cpus > 4096)
                return cli_usage_error(cmd, "--cpus \"%s\": not a positive number", optarg), -1;
            break;
        }
        case O_PIDS:
            if (parse_i64(optarg, &o->po.pids) < 0 || o->po.pids == 0 || o->po.pids < -1)
                return cli_usage_error(cmd, "--pids-limit \"%s\": not a number or -1", optarg), -1;
            break;
        case O_ULIMIT:
            strv_push(&o->ulimits, optarg);
            break;
        case 'h':
            o->hostname = optarg;
            break;
        case O_NETWORK:
            if (strcmp(optarg, "host") == 0)
                o->net_host = true;
            else if (strcmp(optarg, "none") != 0)
                return cli_usage_error(cmd,
                                       "--network \"%s\": only none (the default) and host for "
                                       "now",
                                       optarg),
                       -1;
            break;
        case O_USERNS:
            if (strcmp(optarg, "host") == 0)
                o->userns_host = true;
            else if (strcmp(optarg, "private") != 0 && strcmp(optarg, "auto") != 0)
                return cli_usage_error(cmd, "--userns \"%s\": private (the default) or host",
                                       optarg),
                       -1;
            break;
        case O_ENTRY:
            o->entrypoint = optarg;
            break;
        case O_INIT:
            o->init = true;
            break;
        case O_MOUNT:
            if (mount_flag(o, optarg) != 0)
                return -1;
            break;
        case O_LOGDRIVER:
        case O_LOGOPT: {
            merr_t e = MERR_INIT;
            if ((ch == O_LOGOPT ? log_parse_opt(optarg, &o->log, &e)
                                : log_parse_driver(optarg, &o->log, &e)) < 0) {
                cli_usage_error(cmd, "%s", e.msg);
                err_clear(&e);
                return -1;
            }
            break;
        }
        case O_STORAGEOPT: {
            merr_t e = MERR_INIT;
            if (rwl_parse_opt(optarg, &o->storage_size, &e) < 0) {
                cli_usage_error(cmd, "--storage-opt %s", e.msg);
                err_clear(&e);
                return -1;
            }
            break;
        }
        case 'H':
            printf("usage: moat %s [flags] IMAGE [COMMAND [ARG...]]\n", cmd);
            return 0;
        default:
            if (optopt && optopt < 256)
                return cli_usage_error(cmd, "unknown or incomplete flag -%c", optopt), -1;
            return cli_usage_error(cmd, "unknown or incomplete flag \"%s\"", argv[optind - 1]), -1;
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "missing IMAGE"), -1;
    if (o->detach && o->rm && !run)
        return cli_usage_error(cmd, "--rm with --detach is for run"), -1;
    if (o->name &&
        (strspn(o->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
                         ".-") != strlen(o->name) ||
         !o->name[0] || o->name[0] == '.' || o->name[0] == '-' || strlen(o->name) > 128))
        return cli_usage_error(
                   cmd, "--name \"%s\": letters, digits, _ . - (not first), at most 128", o->name),
               -1;
    o->image = argv[optind];
    for (int i = optind + 1; i < argc; i++)
        strv_push(&o->cmd, argv[i]);
    return optind;
}
