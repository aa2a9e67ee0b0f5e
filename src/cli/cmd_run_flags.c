/* cmd_run_flags.c: the flags of run and create, into struct run_opts. */
#include "cli.h"
#include "flags.h"
#include "run_net.h"
#include "run_res.h"
#include "../engine/engine.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/duration.h"
#include "../util/signame.h"
#include "../util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int env_file_read(const char *path, char ***env)
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
            strv_push(env, l);
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
    if (m.volume && !src) { /* a volume of its own, as -v /path */
        m.anonymous = true;
        src = m.src = volume_random_name();
    }
    if (!src || (!m.volume && src[0] != '/') || (m.volume && !volume_name_ok(src)))
        return cli_usage_error("run",
                               "--mount \"%s\": a bind needs an absolute source, a volume a "
                               "name",
                               spec);
    if (m.volume && (m.chown || m.idmap))
        return cli_usage_error("run", "--mount \"%s\": U and idmap are for binds", spec);
    if (!m.src)
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
    O_LABEL,
    O_LABELFILE,
    O_CIDFILE,
    O_STOPSIGNAL,
    O_STOPTIMEOUT,
    O_PULL,
    O_QUIET,
    O_OOMSCORE,
    O_GROUPADD,
    O_SYSCTL,
    O_SHMSIZE,
    O_ANNOTATION,
    O_DOMAINNAME,
    O_CPUSHARES,
    O_CPUSET,
    O_MEMSWAP,
    O_MEMRES,
    O_RESTART,
    O_ATTACH,
    O_DETACHKEYS,
    O_SIGPROXY,
    O_VOLUMESFROM,
    O_HEALTHCMD,
    O_HEALTHINTERVAL,
    O_HEALTHTIMEOUT,
    O_HEALTHSTARTPERIOD,
    O_HEALTHSTARTINTERVAL,
    O_HEALTHRETRIES,
    O_NOHEALTHCHECK,
};

static const struct flag run_table[] = {
    {"add-host", 0, "list", "Add a custom host-to-IP mapping (host:ip, or host:host-gateway)",
     N_ADD_HOST},
    {"annotation", 0, "map",
     "Add an annotation to the container (passed through to the OCI "
     "runtime)",
     O_ANNOTATION},
    {"attach", 'a', "list", "Attach to STDIN, STDOUT or STDERR", O_ATTACH},
    {"blkio-weight", 0, "uint16",
     "Block IO (relative weight), between 10 and 1000, or 0 to disable", R_BLKIO_WEIGHT},
    {"blkio-weight-device", 0, "list", "Block IO weight (relative device weight, PATH:WEIGHT)",
     R_BLKIO_WEIGHT_DEVICE},
    {"cap-add", 0, "list", "Add Linux capabilities", O_CAPADD},
    {"cap-drop", 0, "list", "Drop Linux capabilities", O_CAPDROP},
    {"cgroup-parent", 0, "string", "Optional parent cgroup for the container", R_CGROUP_PARENT},
    {"cgroupns", 0, "string", "Cgroup namespace to use (host|private)", R_CGROUPNS},
    {"cidfile", 0, "string", "Write the container ID to the file", O_CIDFILE},
    {"cpu-period", 0, "int", "Limit CPU CFS (Completely Fair Scheduler) period", R_CPU_PERIOD},
    {"cpu-quota", 0, "int", "Limit CPU CFS (Completely Fair Scheduler) quota", R_CPU_QUOTA},
    {"cpu-rt-period", 0, "int", "Limit CPU real-time period in microseconds", R_CPU_RT_PERIOD},
    {"cpu-rt-runtime", 0, "int", "Limit CPU real-time runtime in microseconds", R_CPU_RT_RUNTIME},
    {"cpu-shares", 'c', "int", "CPU shares (relative weight)", O_CPUSHARES},
    {"cpus", 0, "decimal", "Number of CPUs", O_CPUS},
    {"cpuset-cpus", 0, "string", "CPUs in which to allow execution (0-3, 0,1)", O_CPUSET},
    {"cpuset-mems", 0, "string", "MEMs in which to allow execution (0-3, 0,1)", R_CPUSET_MEMS},
    {"detach", 'd', NULL, "Run container in background and print container ID", 'd'},
    {"detach-keys", 0, "string", "Override the key sequence for detaching a container",
     O_DETACHKEYS},
    {"device", 0, "list", "Add a host device to the container (HOST[:CONTAINER][:rwm])", R_DEVICE},
    {"device-cgroup-rule", 0, "list", "Add a rule to the cgroup allowed devices list",
     R_DEVICE_RULE},
    {"device-read-bps", 0, "list", "Limit read rate (bytes per second) from a device", R_READ_BPS},
    {"device-read-iops", 0, "list", "Limit read rate (IO per second) from a device", R_READ_IOPS},
    {"device-write-bps", 0, "list", "Limit write rate (bytes per second) to a device", R_WRITE_BPS},
    {"device-write-iops", 0, "list", "Limit write rate (IO per second) to a device", R_WRITE_IOPS},
    {"disable-content-trust", 0, NULL,
     "Skip image verification (moat always checks digests; no effect)", R_CONTENT_TRUST},
    {"dns", 0, "list", "Set custom DNS servers", N_DNS},
    {"dns-opt", 0, "list", "Set DNS options (alias of --dns-option)", N_DNS_OPTION},
    {"dns-option", 0, "list", "Set DNS options", N_DNS_OPTION},
    {"dns-search", 0, "list", "Set custom DNS search domains", N_DNS_SEARCH},
    {"domainname", 0, "string", "Container NIS domain name", O_DOMAINNAME},
    {"entrypoint", 0, "string", "Overwrite the default ENTRYPOINT of the image", O_ENTRY},
    {"env", 'e', "list", "Set environment variables", 'e'},
    {"env-file", 0, "list", "Read in a file of environment variables", O_ENVFILE},
    {"expose", 0, "list", "Expose a port or a range of ports", N_EXPOSE},
    {"gpus", 0, "gpu-request", "GPU devices to add to the container (moat has no GPU support)",
     R_GPUS},
    {"group-add", 0, "list", "Add additional groups to join", O_GROUPADD},
    {"health-cmd", 0, "string", "Command to run to check health", O_HEALTHCMD},
    {"health-interval", 0, "duration", "Time between running the check (ms|s|m|h) (default 0s)",
     O_HEALTHINTERVAL},
    {"health-retries", 0, "int", "Consecutive failures needed to report unhealthy",
     O_HEALTHRETRIES},
    {"health-start-interval", 0, "duration",
     "Time between running the check during the start period (ms|s|m|h) (default 0s)",
     O_HEALTHSTARTINTERVAL},
    {"health-start-period", 0, "duration",
     "Start period for the container to initialize before starting health-retries countdown "
     "(ms|s|m|h) (default 0s)",
     O_HEALTHSTARTPERIOD},
    {"health-timeout", 0, "duration",
     "Maximum time to allow one check to run (ms|s|m|h) (default 0s)", O_HEALTHTIMEOUT},
    {"hostname", 'h', "string", "Container host name", 'h'},
    {"init", 0, NULL, "Run an init inside the container that forwards signals and reaps processes",
     O_INIT},
    {"interactive", 'i', NULL, "Keep STDIN open even if not attached", 'i'},
    {"ip", 0, "string", "IPv4 address (e.g., 10.90.0.10)", N_IP},
    {"ip6", 0, "string", "IPv6 address (moat has no IPv6 networks yet)", N_IP6},
    {"ipc", 0, "string", "IPC mode to use (private, shareable, none or host)", R_IPC},
    {"isolation", 0, "string", "Container isolation technology (default, or vm: a VM of its own)",
     R_ISOLATION},
    {"kernel-memory", 0, "bytes", "Kernel memory limit (deprecated, no effect)", R_KERNEL_MEMORY},
    {"label", 'l', "list", "Set meta data on a container", O_LABEL},
    {"label-file", 0, "list", "Read in a line delimited file of labels", O_LABELFILE},
    {"link", 0, "list", "Add link to another container (an alias on a user network)", N_LINK},
    {"log-driver", 0, "string", "Logging driver for the container (json-file, local or none)",
     O_LOGDRIVER},
    {"log-opt", 0, "list", "Log driver options (max-size, max-file)", O_LOGOPT},
    {"mac-address", 0, "string", "Container MAC address (e.g., 02:6d:0a:5a:00:0a)", N_MAC},
    {"memory", 'm', "bytes", "Memory limit", 'm'},
    {"memory-reservation", 0, "bytes", "Memory soft limit", O_MEMRES},
    {"memory-swap", 0, "bytes",
     "Swap limit equal to memory plus swap: '-1' to enable unlimited "
     "swap",
     O_MEMSWAP},
    {"memory-swappiness", 0, "int", "Tune container memory swappiness (0 to 100, -1: the host's)",
     R_SWAPPINESS},
    {"mount", 0, "mount", "Attach a filesystem mount to the container", O_MOUNT},
    {"name", 0, "string", "Assign a name to the container", O_NAME},
    {"no-healthcheck", 0, NULL, "Disable any container-specified HEALTHCHECK", O_NOHEALTHCHECK},
    {"net", 0, "network", "Connect a container to a network (alias of --network)", O_NETWORK},
    {"net-alias", 0, "list", "Add network-scoped alias (alias of --network-alias)", N_ALIAS},
    {"network", 0, "network", "Connect a container to a network", O_NETWORK},
    {"network-alias", 0, "list", "Add network-scoped alias for the container", N_ALIAS},
    {"oom-kill-disable", 0, NULL, "Disable OOM Killer", R_OOM_KILL_DISABLE},
    {"oom-score-adj", 0, "int", "Tune host's OOM preferences (-1000 to 1000)", O_OOMSCORE},
    {"pid", 0, "string", "PID namespace to use (private or host)", R_PID},
    {"pids-limit", 0, "int", "Tune container pids limit (set -1 for unlimited)", O_PIDS},
    PLATFORM_FLAG,
    {"privileged", 0, NULL, "Give extended privileges to this container", O_PRIV},
    {"publish", 'p', "list",
     "Publish a container's port(s) to the host (host address 127.0.0.1 unless given)", N_PUBLISH},
    {"publish-all", 'P', NULL, "Publish all exposed ports to random ports (on 127.0.0.1)",
     N_PUBLISH_ALL},
    {"pull", 0, "string", "Pull image before running (\"always\", \"missing\", \"never\")", O_PULL},
    {"quiet", 'q', NULL, "Suppress the pull output", O_QUIET},
    {"read-only", 0, NULL, "Mount the container's root filesystem as read only", O_READONLY},
    {"restart", 0, "string",
     "Restart policy to apply when a container exits (no, always, "
     "unless-stopped, on-failure[:N])",
     O_RESTART},
    {"rm", 0, NULL,
     "Automatically remove the container and its associated anonymous volumes when "
     "it exits",
     O_RM},
    {"runtime", 0, "string", "Runtime to use for this container (moat)", R_RUNTIME},
    {"security-opt", 0, "list", "Security Options", O_SECOPT},
    {"shm-size", 0, "bytes", "Size of /dev/shm", O_SHMSIZE},
    {"sig-proxy", 0, NULL, "Proxy received signals to the process (default true)", O_SIGPROXY},
    {"stop-signal", 0, "string", "Signal to stop the container", O_STOPSIGNAL},
    {"stop-timeout", 0, "int", "Timeout (in seconds) to stop a container", O_STOPTIMEOUT},
    {"storage-opt", 0, "list", "Storage driver options for the container (size)", O_STORAGEOPT},
    {"sysctl", 0, "map", "Sysctl options", O_SYSCTL},
    {"tmpfs", 0, "list", "Mount a tmpfs directory", O_TMPFS},
    {"tty", 't', NULL, "Allocate a pseudo-TTY", 't'},
    {"ulimit", 0, "ulimit", "Ulimit options", O_ULIMIT},
    {"user", 'u', "string", "Username or UID (format: <name|uid>[:<group|gid>])", 'u'},
    {"userns", 0, "string", "User namespace to use (private or host)", O_USERNS},
    {"uts", 0, "string", "UTS namespace to use (private or host)", R_UTS},
    {"volume", 'v', "list", "Bind mount a volume", 'v'},
    {"volume-driver", 0, "string", "Optional volume driver for the container (local)",
     R_VOLUME_DRIVER},
    {"volumes-from", 0, "list", "Mount volumes from the specified container(s)", O_VOLUMESFROM},
    {"workdir", 'w', "string", "Working directory inside the container", 'w'},
    {0},
};

const struct cmd_flags run_flags = {"run",
                                    "[OPTIONS] IMAGE [COMMAND] [ARG...]",
                                    "Create and run a new container from an image",
                                    run_table,
                                    false,
                                    1,
                                    -1};
const struct cmd_flags create_flags = {
    "create", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container", run_table, false, 1,
    -1};

/* --cap-add and --cap-drop: a name (CAP_ optional) or ALL */
static int cap_flag(struct run_opts *o, int ch, const char *v, const char *cmd)
{
    if (run_cap(o, ch == O_CAPADD, v) < 0)
        return cli_usage_error(cmd, "--%s: unknown capability \"%s\"",
                               ch == O_CAPADD ? "cap-add" : "cap-drop", v),
               -1;
    return 0;
}

/* --security-opt */
static int security_opt(struct run_opts *o, const char *v, const char *cmd)
{
    merr_t e = MERR_INIT;
    if (run_security_opt(o, v, "--security-opt", &e) < 0) {
        cli_usage_error(cmd, "%s", e.msg);
        err_clear(&e);
        return -1;
    }
    return 0;
}

/* the flags of what happens around the process: its log, labels, how it
 * stops, where its image comes from */
static int life_flag(struct run_opts *o, int ch, struct flags_it *it, const char *cmd)
{
    const char *v = it->val;
    switch (ch) {
    case O_LOGDRIVER:
    case O_LOGOPT: {
        merr_t e = MERR_INIT;
        if ((ch == O_LOGOPT ? log_parse_opt(v, &o->log, &e) : log_parse_driver(v, &o->log, &e)) <
            0) {
            cli_usage_error(cmd, "%s", e.msg);
            err_clear(&e);
            return -1;
        }
        break;
    }
    case O_LABEL:
        strv_push(&o->labels, v);
        break;
    case O_LABELFILE:
        if (env_file_read(v, &o->labels) < 0)
            return -1;
        break;
    case O_CIDFILE:
        o->cidfile = v;
        break;
    case O_ATTACH:
        if (!o->attach_given)
            o->attach.in = o->attach.out = o->attach.err = false;
        o->attach_given = true;
        if (strcasecmp(v, "stdin") == 0)
            o->attach.in = true;
        else if (strcasecmp(v, "stdout") == 0)
            o->attach.out = true;
        else if (strcasecmp(v, "stderr") == 0)
            o->attach.err = true;
        else
            return flags_error(it,
                               "invalid argument \"%s\" for \"-a, --attach\": valid streams "
                               "are STDIN, STDOUT and STDERR",
                               v),
                   -1;
        break;
    case O_DETACHKEYS: {
        merr_t e = MERR_INIT;
        if (keyseq_parse(v, &o->attach.keys, &e) < 0) {
            flags_error(it, "%s", e.msg);
            err_clear(&e);
            return -1;
        }
        break;
    }
    case O_SIGPROXY:
        o->attach.sig_proxy = flags_bool(it);
        break;
    case O_VOLUMESFROM:
        strv_push(&o->volumes_from, v);
        break;
    case O_STOPSIGNAL:
        if (!signal_parse(v))
            return cli_usage_error(cmd, "--stop-signal \"%s\": not a signal", v), -1;
        o->stop_signal = v;
        break;
    case O_STOPTIMEOUT:
        if (flags_int(it, -1, 86400, &o->stop_timeout) < 0)
            return -1;
        break;
    case O_PULL:
        if (strcmp(v, "always") && strcmp(v, "missing") && strcmp(v, "never"))
            return cli_usage_error(cmd, "--pull \"%s\": always, missing or never", v), -1;
        o->pull = v;
        break;
    case O_QUIET:
        o->quiet = flags_bool(it);
        break;
    case O_STORAGEOPT: {
        merr_t e = MERR_INIT;
        if (rwl_parse_opt(v, &o->storage_size, &e) < 0) {
            cli_usage_error(cmd, "--storage-opt %s", e.msg);
            err_clear(&e);
            return -1;
        }
        break;
    }
    }
    return 0;
}

/* a size flag: bytes, at least min (or -1 when minus_one) */
static int size_flag(const char *cmd, const char *flag, const char *v, int64_t min, bool minus_one,
                     int64_t *out)
{
    if (minus_one && strcmp(v, "-1") == 0) {
        *out = -1;
        return 0;
    }
    if (v[0] == '-' || parse_size(v, out) < 0 || *out < min)
        return cli_usage_error(cmd, "%s \"%s\": not a size of at least %lld bytes (like 64m)", flag,
                               v, (long long)min),
               -1;
    return 0;
}

/* --health-*: Docker's (pflag's) words for a value that is not a duration */
static int health_flag(struct run_opts *o, int ch, struct flags_it *it, const char *cmd)
{
    const char *v = it->val;
    int64_t *d = ch == O_HEALTHINTERVAL      ? &o->health_interval
                 : ch == O_HEALTHTIMEOUT     ? &o->health_timeout
                 : ch == O_HEALTHSTARTPERIOD ? &o->health_start_period
                                             : &o->health_start_interval;
    switch (ch) {
    case O_HEALTHCMD:
        o->health_cmd = *v ? v : NULL; /* Docker: empty is not given */
        return 0;
    case O_NOHEALTHCHECK:
        o->no_healthcheck = flags_bool(it);
        return 0;
    case O_HEALTHRETRIES:
        return flags_int(it, INT32_MIN, INT32_MAX, &o->health_retries);
    default:
        if (duration_parse(v, d) < 0)
            return cli_usage_error(cmd,
                                   "invalid argument \"%s\" for \"%s\" flag: time: invalid "
                                   "duration \"%s\"",
                                   v, it->seen, v),
                   -1;
        return 0;
    }
}

/* Docker's checks of the --health-* flags together */
static int health_flags_check(const struct run_opts *o, const char *cmd)
{
    bool any = o->health_cmd || o->health_interval || o->health_timeout || o->health_start_period ||
               o->health_retries || o->health_start_interval;
    if (!any)
        return 0;
    const char *neg = o->health_interval < 0         ? "interval"
                      : o->health_timeout < 0        ? "timeout"
                      : o->health_retries < 0        ? "retries"
                      : o->health_start_period < 0   ? "start-period"
                      : o->health_start_interval < 0 ? "start-interval"
                                                     : NULL;
    if (o->no_healthcheck)
        return cli_usage_error(cmd, "--no-healthcheck conflicts with --health-* options"), -1;
    if (neg)
        return cli_usage_error(cmd, "--health-%s cannot be negative", neg), -1;
    return 0;
}

/* the process and resource flags Docker has beyond moat's profile */
static int res_flag(struct run_opts *o, int ch, struct flags_it *it, const char *cmd)
{
    const char *v = it->val;
    switch (ch) {
    case O_OOMSCORE:
        return flags_int(it, -1000, 1000, &o->oom_score_adj);
    case O_GROUPADD:
        strv_push(&o->group_add, v);
        return 0;
    case O_SYSCTL: /* checked once --network is known */
        strv_push(&o->sysctls, v);
        return 0;
    case O_ANNOTATION:
        if (!run_annotation_ok(v))
            return cli_usage_error(cmd,
                                   "--annotation \"%s\": KEY=VALUE, and run.moat.* keys are "
                                   "moat's own",
                                   v),
                   -1;
        strv_push(&o->annotations, v);
        return 0;
    case O_DOMAINNAME:
        o->domainname = v;
        return 0;
    case O_RESTART: {
        json_t *pol = NULL;
        merr_t e = MERR_INIT;
        if (restart_parse(v, &pol, &e) < 0) {
            cli_usage_error(cmd, "%s", e.msg);
            err_clear(&e);
            return -1;
        }
        json_decref(pol);
        o->restart = v;
        return 0;
    }
    case O_SHMSIZE:
        return size_flag(cmd, "--shm-size", v, 4096, false, &o->shm_size);
    case O_MEMSWAP:
        return size_flag(cmd, "--memory-swap", v, 6 << 20, true, &o->memory_swap);
    case O_MEMRES:
        return size_flag(cmd, "--memory-reservation", v, 6 << 20, false, &o->memory_reservation);
    case O_CPUSHARES:
        return flags_int(it, 2, 262144, &o->cpu_shares);
    case O_HEALTHCMD:
    case O_HEALTHINTERVAL:
    case O_HEALTHTIMEOUT:
    case O_HEALTHSTARTPERIOD:
    case O_HEALTHSTARTINTERVAL:
    case O_HEALTHRETRIES:
    case O_NOHEALTHCHECK:
        return health_flag(o, ch, it, cmd);
    case O_CPUSET:
        if (!run_cpuset_ok(v))
            return cli_usage_error(cmd, "--cpuset-cpus \"%s\": CPU numbers and ranges (0-3,5)", v),
                   -1;
        o->cpuset_cpus = v;
        return 0;
    }
    return life_flag(o, ch, it, cmd);
}

/* one flag of run or create into o; -1 after a message */
static int run_flag(struct run_opts *o, int ch, struct flags_it *it, const char *cmd)
{
    const char *v = it->val;
    if (ch >= R_FIRST && ch < R_LAST)
        return run_res_flag(o, ch, it) < 0 ? -1 : 0;
    if (ch >= N_FIRST && ch < N_LAST)
        return run_net_flag(o, ch, it) < 0 ? -1 : 0;
    switch (ch) {
    case 'd':
        o->detach = flags_bool(it);
        break;
    case 'i':
        o->interactive = flags_bool(it);
        break;
    case 't':
        o->tty = flags_bool(it);
        break;
    case O_RM:
        o->rm = flags_bool(it);
        break;
    case O_NAME:
        o->name = v;
        break;
    case 'e':
        strv_push(&o->env, v);
        break;
    case O_ENVFILE:
        if (env_file_read(v, &o->env) < 0)
            return -1;
        break;
    case 'w':
        if (v[0] != '/')
            return cli_usage_error(cmd, "--workdir \"%s\": must be an absolute path", v), -1;
        o->workdir = v;
        break;
    case 'u':
        o->user = v;
        break;
    case 'v': {
        struct mount_req m;
        merr_t e = MERR_INIT;
        if (ctr_parse_volume(v, &m, &e) < 0) {
            mount_req_free(&m);
            cli_usage_error(cmd, "%s", e.msg);
            err_clear(&e);
            return -1;
        }
        strv_push(&o->binds, v);
        run_opts_add_mount(o, &m);
        break;
    }
    case O_TMPFS:
        strv_push(&o->tmpfs, v);
        break;
    case O_READONLY:
        o->read_only = flags_bool(it);
        break;
    case O_CAPADD:
    case O_CAPDROP:
        return cap_flag(o, ch, v, cmd);
    case O_SECOPT:
        return security_opt(o, v, cmd);
    case O_PRIV:
        o->privileged = flags_bool(it);
        break;
    case 'm':
        if (v[0] == '-' || parse_size(v, &o->po.memory) < 0)
            return cli_usage_error(cmd, "--memory \"%s\": not a size (like 512m or 2g)", v), -1;
        break;
    case O_CPUS: {
        char *end;
        o->cpus = strtod(v, &end);
        if (*end || end == v || o->cpus <= 0 || o->cpus > 4096)
            return cli_usage_error(cmd, "--cpus \"%s\": not a positive number", v), -1;
        break;
    }
    case O_PIDS:
        if (parse_i64(v, &o->po.pids) < 0 || !run_pids_ok(o->po.pids))
            return cli_usage_error(cmd, "--pids-limit \"%s\": a number from 1 to 4194304, or -1",
                                   v),
                   -1;
        break;
    case O_ULIMIT:
        strv_push(&o->ulimits, v);
        break;
    case 'h':
        o->hostname = v;
        break;
    case O_NETWORK:
        if (!o->hc)
            o->hc = json_object();
        if (json_object_get(o->hc, "NetworkMode"))
            return cli_usage_error(cmd, "--network given twice: connect the container to more "
                                        "networks with `moat network connect`"),
                   -1;
        o->net_host = strcmp(v, "host") == 0;
        json_object_set_new(o->hc, "NetworkMode", json_string(v));
        break;
    case O_USERNS:
        if (strcmp(v, "host") == 0)
            o->userns_host = true;
        else if (strcmp(v, "private") != 0 && strcmp(v, "auto") != 0)
            return cli_usage_error(cmd, "--userns \"%s\": private (the default) or host", v), -1;
        break;
    case O_ENTRY:
        o->entrypoint = v;
        break;
    case O_INIT:
        o->init = flags_bool(it);
        break;
    case O_MOUNT:
        if (mount_flag(o, v) != 0)
            return -1;
        break;
    default:
        return res_flag(o, ch, it, cmd);
    }
    return 0;
}

/* run and create flags; returns the index of IMAGE, or -1 */
int cli_parse_run(int argc, char **argv, struct run_opts *o, bool run)
{
    const char *cmd = run ? "run" : "create";
    int ch;
    struct flags_it it;
    flags_begin(&it, run ? &run_flags : &create_flags, argc, argv);
    while ((ch = flags_next(&it)) > 0) {
        if (run_flag(o, ch, &it, cmd) < 0)
            return -1;
    }
    if (ch != FLAGS_DONE) {
        return ch == FLAGS_HELP ? 0 : ch == FLAGS_ARGS ? -2 : -1;
    }
    for (size_t i = 0; o->sysctls && o->sysctls[i]; i++) {
        const char *why = ctr_sysctl_bad(o->sysctls[i], o->net_host);
        if (why)
            return cli_usage_error(cmd, "--sysctl \"%s\": %s", o->sysctls[i], why), -1;
    }
    if (o->detach && o->attach_given)
        return cli_usage_error(cmd, "conflicting options: cannot specify both --attach and "
                                    "--detach"),
               -1;
    /* stdin is relayed with -i, unless -a names other streams only */
    o->attach.in = o->interactive && (!o->attach_given || o->attach.in);
    o->attach.tty = o->tty;
    /* as Docker's CLI: an attached stdin is the container's only once */
    o->stdin_once = o->attach.in && !o->detach;
    if (health_flags_check(o, cmd) < 0)
        return -1;
    if (o->rm && o->restart && strcmp(o->restart, "no") != 0)
        return cli_usage_error(cmd, "conflicting options: --restart and --rm"), -1;
    if (o->detach && o->rm && !run)
        return cli_usage_error(cmd, "--rm with --detach is for run"), -1;
    if (o->name && !run_name_ok(o->name))
        return cli_usage_error(
                   cmd, "--name \"%s\": letters, digits, _ . - (not first), at most 128", o->name),
               -1;
    o->image = it.args[0];
    for (size_t i = 1; i < it.nargs; i++)
        strv_push(&o->cmd, it.args[i]);
    return 1;
}
