/* cmd_run_net.c: the run/create flags of networking, into HostConfig,
 * Config.ExposedPorts and the endpoint of the container's network under
 * Docker's names. What the values may be is the engine's to say
 * (engine/ctr_net.c); here they are parsed, and -p/--expose by the
 * engine's own parser. */
#include "cli.h"
#include "run_net.h"
#include "../engine/engine.h"
#include "../util/util.h"

#include <string.h>

static json_t *obj(json_t **o)
{
    if (!*o)
        *o = json_object();
    return *o;
}

static void append(json_t *parent, const char *key, const char *v)
{
    json_t *a = json_object_get(parent, key);
    if (!json_is_array(a))
        json_object_set_new(parent, key, a = json_array());
    json_array_append_new(a, json_string(v));
}

static int parsed(struct flags_it *it, int r, merr_t *err)
{
    if (r < 0) {
        flags_error(it, "%s", err->msg);
        err_clear(err);
        return -1;
    }
    return 0;
}

int run_net_flag(struct run_opts *o, int id, struct flags_it *it)
{
    const char *v = it->val;
    merr_t err = MERR_INIT;
    json_t *hc = obj(&o->hc), *ep = obj(&o->endpoint);
    switch (id) {
    case N_PUBLISH:
        return parsed(it, ports_publish_parse(v, obj(&o->port_bindings), obj(&o->exposed), &err),
                      &err);
    case N_EXPOSE:
        return parsed(it, ports_expose_parse(v, obj(&o->exposed), &err), &err);
    case N_PUBLISH_ALL:
        json_object_set_new(hc, "PublishAllPorts", json_boolean(flags_bool(it)));
        return 0;
    case N_DNS:
        append(hc, "Dns", v);
        return 0;
    case N_DNS_SEARCH:
        append(hc, "DnsSearch", v);
        return 0;
    case N_DNS_OPTION:
        append(hc, "DnsOptions", v);
        return 0;
    case N_ADD_HOST:
        append(hc, "ExtraHosts", v);
        return 0;
    case N_LINK:
        append(hc, "Links", v);
        return 0;
    case N_ALIAS:
        append(ep, "Aliases", v);
        return 0;
    case N_IP:
        json_object_set_new(ep, "IPAMConfig", json_pack("{s:s}", "IPv4Address", v));
        return 0;
    case N_IP6:
        return flags_error(it, "--ip6 \"%s\": moat has no IPv6 networks yet", v);
    case N_MAC:
        json_object_set_new(ep, "MacAddress", json_string(v));
        return 0;
    }
    return flags_error(it, "internal error: flag %d", id);
}
