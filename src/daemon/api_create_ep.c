/* api_create_ep.c: HostConfig.Mounts (as --mount) and NetworkingConfig's
 * endpoint (as --network-alias, --ip, --mac-address) of a create body
 * (see api_create.h). */
#include "api_create_int.h"
#include "../util/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define M "HostConfig.Mounts"

/* a volume's options: only what is moat's local driver's default */
static int volume_options(json_t *m, merr_t *err)
{
    json_t *vo = aj_get(m, "VolumeOptions");
    json_t *dc = aj_get(vo, "DriverConfig");
    const char *driver, *sub;
    if (vo && !json_is_object(vo))
        return aj_bad(err, M ".VolumeOptions", "must be an object");
    if (aj_str(dc, "Name", M ".VolumeOptions.DriverConfig.Name", &driver, err) < 0 ||
        aj_str(vo, "Subpath", M ".VolumeOptions.Subpath", &sub, err) < 0)
        return -1;
    if (driver && strcmp(driver, "local") != 0)
        return aj_bad(err, M ".VolumeOptions.DriverConfig", "only the local driver");
    if (json_object_size(aj_get(dc, "Options")))
        return aj_bad(err, M ".VolumeOptions.DriverConfig.Options",
                      "volume driver options are not supported (make the volume first)");
    if (sub)
        return aj_bad(err, M ".VolumeOptions.Subpath", "not supported by moat");
    return 0;
}

/* a bind's options: moat's binds are recursive, private, and need their
 * source to exist */
static int bind_options(json_t *m, merr_t *err)
{
    json_t *bo = aj_get(m, "BindOptions");
    const char *prop;
    bool nonrec = false, create = false, ronr = false, rofr = false;
    if (bo && !json_is_object(bo))
        return aj_bad(err, M ".BindOptions", "must be an object");
    if (aj_str(bo, "Propagation", M ".BindOptions.Propagation", &prop, err) < 0 ||
        aj_bool(bo, "NonRecursive", M ".BindOptions.NonRecursive", &nonrec, err) < 0 ||
        aj_bool(bo, "CreateMountpoint", M ".BindOptions.CreateMountpoint", &create, err) < 0 ||
        aj_bool(bo, "ReadOnlyNonRecursive", M ".BindOptions.ReadOnlyNonRecursive", &ronr, err) <
            0 ||
        aj_bool(bo, "ReadOnlyForceRecursive", M ".BindOptions.ReadOnlyForceRecursive", &rofr, err) <
            0)
        return -1;
    if (prop && strcmp(prop, "rprivate") != 0 && strcmp(prop, "private") != 0)
        return aj_bad(err, M ".BindOptions.Propagation",
                      "\"%.32s\": moat's binds are private (rprivate)", prop);
    if (nonrec || create || ronr)
        return aj_bad(err, M ".BindOptions",
                      "NonRecursive, ReadOnlyNonRecursive and CreateMountpoint are not "
                      "supported (moat's binds are recursive, of sources that exist)");
    return 0;
}

/* TmpfsOptions {SizeBytes, Mode} as --mount type=tmpfs */
static int tmpfs(json_t *m, const char *dst, struct run_opts *o, merr_t *err)
{
    json_t *to = aj_get(m, "TmpfsOptions");
    int64_t size, mode;
    if (to && !json_is_object(to))
        return aj_bad(err, M ".TmpfsOptions", "must be an object");
    if (aj_int(to, "SizeBytes", M ".TmpfsOptions.SizeBytes", &size, err) < 0 ||
        aj_int(to, "Mode", M ".TmpfsOptions.Mode", &mode, err) < 0)
        return -1;
    if (json_array_size(aj_get(to, "Options")))
        return aj_bad(err, M ".TmpfsOptions.Options", "not supported (SizeBytes and Mode are)");
    if (size < 0 || mode < 0 || mode > 07777)
        return aj_bad(err, M ".TmpfsOptions", "SizeBytes >= 0, Mode from 0 to 07777");
    cleanup_free char *sz = size ? xasprintf("size=%" PRId64, size) : xstrdup("");
    cleanup_free char *md = mode ? xasprintf("mode=%" PRIo64, mode) : xstrdup("");
    cleanup_free char *t =
        xasprintf("%s%s%s%s%s", dst, *sz || *md ? ":" : "", sz, *sz && *md ? "," : "", md);
    strv_push(&o->tmpfs, t);
    return 0;
}

static int one_mount(json_t *m, struct run_opts *o, merr_t *err)
{
    const char *type, *src, *dst;
    struct mount_req r = {0};
    if (!json_is_object(m))
        return aj_bad(err, M, "must be a list of {\"Type\", \"Source\", \"Target\", ...}");
    if (aj_str(m, "Type", M ".Type", &type, err) < 0 ||
        aj_str(m, "Source", M ".Source", &src, err) < 0 ||
        aj_str(m, "Target", M ".Target", &dst, err) < 0 ||
        aj_bool(m, "ReadOnly", M ".ReadOnly", &r.ro, err) < 0)
        return -1;
    if (!dst || dst[0] != '/')
        return aj_bad(err, M ".Target", "an absolute path is required");
    type = type ? type : "volume";
    if (!strcmp(type, "tmpfs"))
        return src ? aj_bad(err, M ".Source", "a tmpfs has none") : tmpfs(m, dst, o, err);
    if (strcmp(type, "bind") != 0 && strcmp(type, "volume") != 0)
        return aj_bad(err, M ".Type", "\"%.32s\": bind, volume or tmpfs", type);
    r.volume = !strcmp(type, "volume");
    if (r.volume ? volume_options(m, err) < 0 : bind_options(m, err) < 0)
        return -1;
    if (r.volume && !src) {
        r.anonymous = true;
        r.src = volume_random_name();
    } else if (!src || (!r.volume && src[0] != '/') || (r.volume && !volume_name_ok(src))) {
        return aj_bad(err, M ".Source", "a bind needs an absolute source, a volume a name");
    } else {
        r.src = xstrdup(src);
    }
    r.dst = xstrdup(dst);
    r.what = xasprintf(M " \"%.256s\"", dst);
    run_opts_add_mount(o, &r);
    return 0;
}

int ac_mounts(json_t *hc, struct run_opts *o, merr_t *err)
{
    json_t *a = aj_get(hc, "Mounts"), *m;
    size_t i;
    if (a && !json_is_array(a))
        return aj_bad(err, M, "must be a list of {\"Type\", \"Source\", \"Target\", ...}");
    json_array_foreach(a, i, m)
    {
        if (one_mount(m, o, err) < 0)
            return -1;
    }
    return 0;
}

#define EC "NetworkingConfig.EndpointsConfig"

/* the endpoint's Aliases, IPAMConfig.IPv4Address, MacAddress */
static int endpoint(json_t *e, struct run_opts *o, merr_t *err)
{
    json_t *ipam = aj_get(e, "IPAMConfig");
    char **aliases = NULL;
    const char *ip, *ip6, *mac;
    if ((e && !json_is_object(e)) || (ipam && !json_is_object(ipam)))
        return aj_bad(err, EC, "each must be an object (EndpointSettings)");
    if (aj_strv(e, "Aliases", EC ".Aliases", false, &aliases, err) < 0 ||
        aj_str(ipam, "IPv4Address", EC ".IPAMConfig.IPv4Address", &ip, err) < 0 ||
        aj_str(ipam, "IPv6Address", EC ".IPAMConfig.IPv6Address", &ip6, err) < 0 ||
        aj_str(e, "MacAddress", EC ".MacAddress", &mac, err) < 0) {
        strv_free(aliases);
        return -1;
    }
    if (ip6 || json_array_size(aj_get(ipam, "LinkLocalIPs"))) {
        strv_free(aliases);
        return aj_bad(err, EC ".IPAMConfig", "moat has no IPv6 networks yet");
    }
    if (!o->endpoint && (aliases || ip || mac))
        o->endpoint = json_object();
    if (aliases)
        json_object_set_new(o->endpoint, "Aliases", ctr_strv_json(aliases));
    strv_free(aliases);
    if (ip)
        json_object_set_new(o->endpoint, "IPAMConfig", json_pack("{s:s}", "IPv4Address", ip));
    if (mac)
        json_object_set_new(o->endpoint, "MacAddress", json_string(mac));
    return 0;
}

int ac_networking(json_t *body, struct run_opts *o, merr_t *err)
{
    json_t *nc = aj_get(body, "NetworkingConfig");
    json_t *eps = aj_get(nc, "EndpointsConfig"), *e;
    const char *mode = json_string_value(json_object_get(o->hc, "NetworkMode")), *k;
    if ((nc && !json_is_object(nc)) || (eps && !json_is_object(eps)))
        return aj_bad(err, EC, "must be an object of network: EndpointSettings");
    if (json_object_size(eps) > 1)
        return aj_bad(err, EC,
                      "one network at create; connect the container to more with "
                      "POST /networks/{id}/connect");
    json_object_foreach(eps, k, e)
    {
        bool deflt = !mode && (!strcmp(k, "default") || !strcmp(k, "bridge"));
        if (!deflt && (!mode || strcmp(k, mode) != 0))
            return aj_bad(err, EC, "\"%.64s\" is not the container's network (NetworkMode %s)", k,
                          mode ? mode : "default");
        if (endpoint(e, o, err) < 0)
            return -1;
    }
    return 0;
}
