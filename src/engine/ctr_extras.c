/* ctr_extras.c: Docker's process and resource flags (--oom-score-adj,
 * --group-add, --sysctl, --shm-size, --annotation, --domainname,
 * --cpu-shares, --cpuset-cpus, --memory-swap, --memory-reservation): into
 * the record at create, and from it into config.json at every start. */
#include "ctr_extras.h"
#include "ctr_user.h"
#include "restart.h"
#include "../oci/healthcfg.h"
#include "../runtime/runtime.h"
#include "../util/util.h"

#include <string.h>

json_t *ctr_kv_object(char *const *v)
{
    json_t *o = json_object();
    for (size_t i = 0; v && v[i]; i++) {
        cleanup_free char *k = xstrdup(v[i]);
        char *eq = strchr(k, '=');
        if (eq)
            *eq++ = 0;
        json_object_set_new(o, k, json_string(eq ? eq : ""));
    }
    return o;
}

/* The namespaced sysctls a container may set (Docker's list): IPC ones,
 * the mqueue ones, and net.* in a network namespace of its own. NULL if
 * kv may be set, else why not. */
const char *ctr_sysctl_bad(const char *kv, bool net_host)
{
    static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                      "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced"};
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || !eq[1])
        return "not KEY=VALUE";
    size_t kl = (size_t)(eq - kv);
    for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
        if (strlen(ipc[i]) == kl && strncmp(kv, ipc[i], kl) == 0)
            return NULL;
    if (kl > 12 && strncmp(kv, "fs.mqueue.", 10) == 0)
        return NULL;
    if (kl > 4 && strncmp(kv, "net.", 4) == 0)
        return net_host ? "net.* sysctls are the host's with --network host" : NULL;
    return "not a sysctl of the container's own namespaces (IPC: kernel.msg*, kernel.sem, "
           "kernel.shm*; fs.mqueue.*; net.*)";
}

void ctr_extras_record(json_t *rec, const struct run_opts *o)
{
    json_t *hc = json_object_get(rec, "HostConfig");
    if (o->hc)
        json_object_update(hc, o->hc);
    if (o->oom_score_adj != INT64_MIN)
        json_object_set_new(hc, "OomScoreAdj", json_integer((json_int_t)o->oom_score_adj));
    json_object_set_new(hc, "GroupAdd", ctr_strv_json(o->group_add));
    if (o->volumes_from)
        json_object_set_new(hc, "VolumesFrom", ctr_strv_json(o->volumes_from));
    json_object_set_new(hc, "Sysctls", ctr_kv_object(o->sysctls));
    json_object_set_new(hc, "Annotations", ctr_kv_object(o->annotations));
    json_object_set_new(hc, "ShmSize", json_integer((json_int_t)o->shm_size));
    json_object_set_new(hc, "CpuShares", json_integer((json_int_t)o->cpu_shares));
    json_object_set_new(hc, "CpusetCpus", json_string(o->cpuset_cpus ? o->cpuset_cpus : ""));
    json_object_set_new(hc, "MemorySwap", json_integer((json_int_t)o->memory_swap));
    json_object_set_new(hc, "MemoryReservation", json_integer((json_int_t)o->memory_reservation));
    json_t *policy = NULL;
    merr_t e = MERR_INIT;
    if (!o->restart || restart_parse(o->restart, &policy, &e) < 0)
        policy = json_pack("{s:s,s:i}", "Name", "no", "MaximumRetryCount", 0);
    err_clear(&e);
    json_object_set_new(hc, "RestartPolicy", policy);
    json_object_set_new(json_object_get(rec, "Config"), "Domainname",
                        json_string(o->domainname ? o->domainname : ""));
}

int ctr_health_record(json_t *rec, json_t *ic, const struct run_opts *o, merr_t *err)
{
    struct health_cfg img, user = {
                               .interval = o->health_interval,
                               .timeout = o->health_timeout,
                               .start_period = o->health_start_period,
                               .start_interval = o->health_start_interval,
                               .retries = o->health_retries,
                           };
    /* --no-healthcheck: nothing of the image's is used, so nothing of it
     * (however broken) stands in the way */
    if (o->no_healthcheck)
        memset(&img, 0, sizeof(img));
    else if (health_cfg_from_json(json_object_get(ic, "Healthcheck"), "image config: Healthcheck",
                                  &img, err) < 0)
        return -1;
    if (o->no_healthcheck) {
        user.test = xzalloc(2 * sizeof(char *));
        user.test[0] = xstrdup("NONE");
    } else if (o->health_test) {
        for (size_t i = 0; o->health_test[i]; i++)
            strv_push(&user.test, o->health_test[i]);
    } else if (o->health_cmd) {
        user.test = xzalloc(3 * sizeof(char *));
        user.test[0] = xstrdup("CMD-SHELL");
        user.test[1] = xstrdup(o->health_cmd);
    }
    health_cfg_merge(&user, &img);
    health_cfg_free(&img);
    int r = 0;
    if (user.test && !health_cfg_enabled(&user)) {
        /* NONE: nothing of the image's to check or keep */
        struct health_cfg none = {.test = user.test};
        json_object_set_new(json_object_get(rec, "Config"), "Healthcheck", health_cfg_json(&none));
    } else if ((r = health_cfg_check(&user, err)) == 0) {
        json_t *j = health_cfg_json(&user);
        if (j)
            json_object_set_new(json_object_get(rec, "Config"), "Healthcheck", j);
    }
    health_cfg_free(&user);
    return r;
}

/* --group-add: each a number or a group of the image's /etc/group */
static int add_groups(json_t *user, json_t *groups, int rootfd, merr_t *err)
{
    json_t *gids = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        uint64_t gid;
        if (ctr_resolve_group(rootfd, json_string_value(g) ?: "", &gid, err) < 0) {
            json_decref(gids);
            return err_wrap(err, "--group-add");
        }
        json_array_append_new(gids, json_integer((json_int_t)gid));
    }
    json_object_set_new(user, "additionalGids", gids);
    return 0;
}

/* /dev/shm's tmpfs of the profile, at size bytes */
static void shm_size(json_t *mounts, int64_t size)
{
    size_t i;
    json_t *m;
    json_array_foreach(mounts, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "destination")) ?: "", "/dev/shm") != 0)
            continue;
        json_t *opts = json_array();
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(m, "options"), k, o)
        {
            if (strncmp(json_string_value(o) ?: "", "size=", 5) != 0)
                json_array_append(opts, o);
        }
        json_array_append_new(opts, json_sprintf("size=%lld", (long long)size));
        json_object_set_new(m, "options", opts);
    }
}

static void set_int(json_t *parent, const char *obj, const char *key, json_t *v)
{
    json_int_t n = json_integer_value(v);
    if (n == 0 || !parent)
        return;
    json_t *o = json_object_get(parent, obj);
    if (!o)
        json_object_set_new(parent, obj, o = json_object());
    json_object_set_new(o, key, json_integer(n));
}

/* the container's ports (exposed or published, "80/tcp"), which the VM's
 * user-mode network forwards to the guest: RT_VM_PORTS_KEY "80/tcp,53/udp" */
static void vm_ports(json_t *ann, json_t *rec)
{
    json_t *sets[2] = {json_object_get(json_object_get(rec, "Config"), "ExposedPorts"),
                       json_object_get(json_object_get(rec, "HostConfig"), "PortBindings")};
    json_t *seen = json_object();
    struct sbuf b = {0};
    for (int i = 0; i < 2; i++) {
        const char *k;
        json_t *v;
        json_object_foreach(sets[i], k, v)
        {
            if (json_object_get(seen, k))
                continue;
            json_object_set_new(seen, k, json_true());
            sbuf_printf(&b, "%s%s", b.len ? "," : "", k);
        }
    }
    json_decref(seen);
    if (b.len)
        json_object_set_new(ann, RT_VM_PORTS_KEY, json_string(b.buf));
    free(b.buf);
}

int ctr_extras_oci(json_t *c, json_t *rec, int rootfd, merr_t *err)
{
    json_t *hc = json_object_get(rec, "HostConfig"), *proc = json_object_get(c, "process");
    json_t *lin = json_object_get(c, "linux"), *res = json_object_get(lin, "resources");
    if (json_is_integer(json_object_get(hc, "OomScoreAdj")))
        json_object_set(proc, "oomScoreAdj", json_object_get(hc, "OomScoreAdj"));
    if (json_array_size(json_object_get(hc, "GroupAdd")) &&
        add_groups(json_object_get(proc, "user"), json_object_get(hc, "GroupAdd"), rootfd, err) < 0)
        return -1;
    if (json_object_size(json_object_get(hc, "Sysctls")))
        json_object_set(lin, "sysctl", json_object_get(hc, "Sysctls"));
    json_t *ann = json_object_get(c, "annotations");
    if (ann)
        json_object_update(ann, json_object_get(hc, "Annotations"));
    const char *iso = json_string_value(json_object_get(hc, "Isolation"));
    if (ann && iso && !strcmp(iso, "vm")) {
        json_object_set_new(ann, RT_HANDLER_KEY, json_string(RT_HANDLER_VM));
        const char *nm = json_string_value(json_object_get(hc, "NetworkMode"));
        if (nm && !strcmp(nm, "none"))
            json_object_set_new(ann, RT_VM_NET_KEY, json_string("none"));
        vm_ports(ann, rec);
    }
    if (json_integer_value(json_object_get(hc, "ShmSize")) > 0)
        shm_size(json_object_get(c, "mounts"), json_integer_value(json_object_get(hc, "ShmSize")));
    set_int(res, "cpu", "shares", json_object_get(hc, "CpuShares"));
    set_int(res, "memory", "swap", json_object_get(hc, "MemorySwap"));
    set_int(res, "memory", "reservation", json_object_get(hc, "MemoryReservation"));
    const char *cpus = json_string_value(json_object_get(hc, "CpusetCpus"));
    if (cpus && *cpus && res) {
        json_t *cpu = json_object_get(res, "cpu");
        if (!cpu)
            json_object_set_new(res, "cpu", cpu = json_object());
        json_object_set_new(cpu, "cpus", json_string(cpus));
    }
    const char *dn =
        json_string_value(json_object_get(json_object_get(rec, "Config"), "Domainname"));
    if (dn && *dn)
        json_object_set_new(c, "domainname", json_string(dn));
    return 0;
}
