/* policy.c: a restricted caller's create (see policy.h). */
#include "policy.h"
#include "../util/util.h"

#include <string.h>

#define SOCK "not allowed on the user socket"

static const char *hcs(const struct run_opts *o, const char *key)
{
    return json_string_value(json_object_get(o->hc, key));
}

/* NAME of "container:NAME" or "NAME[:...]" (a copy) */
static char *ctr_part(const char *s)
{
    return xstrndup(s, strcspn(s, ":"));
}

static int owned(api_owns_fn owns, void *ctx, const char *kind, const char *name, const char *field,
                 merr_t *err)
{
    if (owns(kind, name, ctx))
        return 0;
    return err_set(err, 0, "%s: no such %s: %.128s", field, kind, name);
}

/* NetworkMode, PidMode, IpcMode, UTSMode, UsernsMode, CgroupnsMode */
static int modes(const struct run_opts *o, api_owns_fn owns, void *ctx, merr_t *err)
{
    static const char *const keys[] = {"NetworkMode", "PidMode", "IpcMode", "UTSMode",
                                       "CgroupnsMode"};
    if (o->userns_host)
        return err_set(err, 0, "HostConfig.UsernsMode host is " SOCK);
    if (o->net_host)
        return err_set(err, 0, "HostConfig.NetworkMode host is " SOCK);
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        const char *v = hcs(o, keys[i]);
        if (!v)
            continue;
        if (!strcmp(v, "host"))
            return err_set(err, 0, "HostConfig.%s host is " SOCK, keys[i]);
        if (!strncmp(v, "container:", 10)) {
            cleanup_free char *f = xasprintf("HostConfig.%s", keys[i]);
            cleanup_free char *c = ctr_part(v + 10);
            if (owned(owns, ctx, "container", c, f, err) < 0)
                return -1;
        }
    }
    const char *net = hcs(o, "NetworkMode");
    if (net && strcmp(net, "none") != 0 && strcmp(net, "host") != 0 &&
        strncmp(net, "container:", 10) != 0 && strcmp(net, NETWORK_DEFAULT) != 0 &&
        strcmp(net, "default") != 0)
        return owned(owns, ctx, "network", net, "HostConfig.NetworkMode", err);
    return 0;
}

/* Binds, Mounts, VolumesFrom, Links */
static int storage(const struct run_opts *o, api_owns_fn owns, void *ctx, merr_t *err)
{
    for (size_t i = 0; i < o->nmounts; i++) {
        const struct mount_req *m = &o->mounts[i];
        if (!m->volume)
            return err_set(err, 0, "%s: a bind of a host path is " SOCK " (use a named volume)",
                           m->what ? m->what : "HostConfig.Binds");
        if (!m->anonymous && owned(owns, ctx, "volume", m->src, "HostConfig.Mounts", err) < 0)
            return -1;
    }
    for (size_t i = 0; o->volumes_from && o->volumes_from[i]; i++) {
        cleanup_free char *c = ctr_part(o->volumes_from[i]);
        if (owned(owns, ctx, "container", c, "HostConfig.VolumesFrom", err) < 0)
            return -1;
    }
    json_t *links = json_object_get(o->hc, "Links");
    for (size_t i = 0; i < json_array_size(links); i++) {
        cleanup_free char *c = ctr_part(json_string_value(json_array_get(links, i)) ?: "");
        if (owned(owns, ctx, "container", c, "HostConfig.Links", err) < 0)
            return -1;
    }
    return 0;
}

int api_policy_create(const struct run_opts *o, api_owns_fn owns, void *ctx, merr_t *err)
{
    if (o->privileged)
        return err_set(err, 0, "HostConfig.Privileged is " SOCK);
    if (o->po.cap_add & ~profile_default_caps())
        return err_set(err, 0,
                       "HostConfig.CapAdd: capabilities beyond moat's default set are " SOCK);
    if (json_array_size(json_object_get(o->hc, "Devices")))
        return err_set(err, 0, "HostConfig.Devices is " SOCK);
    if (json_array_size(json_object_get(o->hc, "DeviceCgroupRules")))
        return err_set(err, 0, "HostConfig.DeviceCgroupRules is " SOCK);
    /* their paths are looked up by the daemon, as root: an oracle of
     * which of root's files exist */
    static const char *const blkio[] = {"BlkioWeightDevice", "BlkioDeviceReadBps",
                                        "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
                                        "BlkioDeviceWriteIOps"};
    for (size_t i = 0; i < ARRAY_SIZE(blkio); i++)
        if (json_array_size(json_object_get(o->hc, blkio[i])))
            return err_set(err, 0, "HostConfig.%s names a host path: " SOCK, blkio[i]);
    if (o->po.seccomp) /* a profile file is read by the daemon, as root */
        return err_set(err, 0, "HostConfig.SecurityOpt seccomp= is " SOCK);
    if (o->apparmor) /* moat's own profile only: another loaded one may allow more */
        return err_set(err, 0, "HostConfig.SecurityOpt apparmor= is " SOCK);
    /* moat's default limits stay: they can be set lower or higher, not off */
    if (o->po.memory < 0)
        return err_set(err, 0, "HostConfig.Memory without a limit is " SOCK);
    if (o->po.pids < 0)
        return err_set(err, 0, "HostConfig.PidsLimit without a limit is " SOCK);
    if (o->po.no_landlock)
        return err_set(err, 0, "HostConfig.SecurityOpt landlock=unconfined is " SOCK);
    if (o->allow_sensitive)
        return err_set(err, 0, "HostConfig.SecurityOpt allow-sensitive-mounts is " SOCK);
    if (o->sysctls && o->sysctls[0])
        return err_set(err, 0, "HostConfig.Sysctls is " SOCK);
    if (o->oom_score_adj != INT64_MIN && o->oom_score_adj < 0)
        return err_set(err, 0, "HostConfig.OomScoreAdj below 0 is " SOCK);
    if (hcs(o, "CgroupParent"))
        return err_set(err, 0, "HostConfig.CgroupParent is " SOCK);
    if (hcs(o, "Runtime"))
        return err_set(err, 0, "HostConfig.Runtime is " SOCK);
    return modes(o, owns, ctx, err) < 0 || storage(o, owns, ctx, err) < 0 ? -1 : 0;
}
