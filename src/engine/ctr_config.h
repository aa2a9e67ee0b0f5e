/* ctr_config.h: `moat run` flags + an image -> the container's record and
 * its OCI config.json, on top of moat's hardening profile. */
#ifndef MOAT_CTR_CONFIG_H
#define MOAT_CTR_CONFIG_H

#include "attach.h"
#include "ctr_mounts.h"
#include "ctr_user.h"
#include "logfile.h"
#include "store.h"
#include "../runtime/runtime.h"
#include <stdbool.h>

struct run_opts {
    bool detach, interactive, tty, rm, read_only, privileged, net_host, userns_host, init;
    bool allow_sensitive; /* --security-opt allow-sensitive-mounts */
    bool stdin_once;      /* a client's end of stdin closes it (Docker's StdinOnce) */
    const char *name, *workdir, *user, *hostname, *entrypoint, *image;
    const char *apparmor;     /* a profile, "unconfined", or NULL: moat-default where enabled */
    char **env;               /* KEY=VALUE (and KEY: taken from moat's environment) */
    char **binds;             /* -v as given (HostConfig.Binds, for inspect) */
    struct mount_req *mounts; /* -v and --mount, parsed */
    size_t nmounts;
    char **tmpfs;   /* DST[:OPTIONS] */
    char **ulimits; /* NAME=SOFT[:HARD] */
    char **cmd;
    struct profile_opts po; /* capabilities, seccomp, memory, pids, landlock */
    double cpus;
    struct log_limits log; /* --log-driver, --log-opt */
    int64_t storage_size;  /* --storage-opt size=: bytes, -1 max, 0 not given */
    char **labels;         /* KEY=VALUE, over the image's */
    const char *stop_signal;
    int64_t stop_timeout; /* seconds; INT64_MIN: not given (Docker's 10) */
    const char *pull;     /* missing (NULL), always, never */
    const char *cidfile;  /* the CLI writes the id there */
    bool quiet;           /* no pull progress */
    /* Docker's process and resource flags, as given (checked by the CLI) */
    int64_t oom_score_adj; /* INT64_MIN: not given */
    char **group_add;      /* names (the image's /etc/group) or numbers */
    char **sysctls;        /* KEY=VALUE, namespaced ones only */
    char **annotations;    /* KEY=VALUE */
    int64_t shm_size, cpu_shares, memory_swap, memory_reservation; /* 0: not given */
    const char *cpuset_cpus, *domainname;
    const char *restart; /* --restart, checked by the CLI */
    json_t *hc;          /* more of HostConfig, under Docker's names (ctr_res.h) */
    /* -p, --expose (ctr_ports.h) and the endpoint on its network (Docker's
     * EndpointSettings: Aliases, IPAMConfig.IPv4Address, MacAddress) */
    json_t *port_bindings, *exposed, *endpoint;
    /* run in the foreground: which streams (-a; stdin only with -i), the
     * signals, the detach keys */
    struct attach_opts attach;
    bool attach_given;   /* -a: only the streams named */
    char **volumes_from; /* CONTAINER[:ro|rw] */
    /* --health-*: Docker's HealthConfig from the command line, over the
     * image's field by field (0 or NULL: not given; checked by the CLI) */
    const char *health_cmd;
    int64_t health_interval, health_timeout, health_start_period, health_start_interval; /* ns */
    int64_t health_retries;
    bool no_healthcheck;
    /* what only the API's create body can say: an Entrypoint of several
     * words (over entrypoint), a Healthcheck Test of CMD and its words
     * (over health_cmd); and the copy of the body the const strings above
     * point into, held by o */
    char **entry_argv, **health_test;
    json_t *keep;
    const char *owner; /* who made it through the API's restricted sockets ("Owner") */
};

void run_opts_init(struct run_opts *o);
void run_opts_free(struct run_opts *o);

/* Add a parsed -v or --mount (taken over). */
void run_opts_add_mount(struct run_opts *o, struct mount_req *m);

/* The record (container.json) of a new container `id` from `image`. */
json_t *ctr_record(struct store *s, const struct run_opts *o, const char *id, const char *name,
                   const char *image_id, json_t *image_config, json_t *layers, uint64_t userns,
                   merr_t *err);

/* config.json for the record, with process.user resolved in the mounted
 * root (rootfd): names are looked up in its /etc/passwd and /etc/group
 * without following a link out of it, never through NSS. The sources of
 * its binds and volumes, opened and checked, are in *fds (one per config
 * mount, -1 where none; *nfds of them; ctr_mounts_close them). */
json_t *ctr_oci_config(struct store *s, const char *id, json_t *rec, int rootfd, int **fds,
                       size_t *nfds, merr_t *err);

#endif
