/* h_network.c: the network verbs: list, inspect, create, connect,
 * disconnect, delete, prune. A restricted caller sees the networks it made
 * and the built-in bridge and none (host is not for it); another's are as
 * absent as missing ones ("network X not found"), in lists, filters and
 * prunes too, and so are others' containers in a network's Containers. */
#include "api.h"
#include "api_json.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool net_visible(const struct api_ctx *x, const struct network *n)
{
    if (x->who.admin)
        return true;
    if (n->builtin)
        return strcmp(n->name, "host") != 0;
    return api_may_see(x, n->rec);
}

/* The network `what` names among those the caller may see: a full id, a
 * name, a unique id prefix (network_find's order); -1 answered (404) */
static int find_net(struct api_ctx *x, const char *what, struct network *out)
{
    size_t n, hits = 0, hl = what ? strlen(what) : 0;
    if (!hl)
        return api_error(x, 404, "network %s not found", what ? what : ""), -1;
    struct network *v = network_all(x->s, &n);
    const char *want = !strcmp(what, "default") ? NETWORK_DEFAULT : what;
    int found = -1;
    for (size_t i = 0; i < n && found < 0; i++)
        if (net_visible(x, &v[i]) && !strcmp(v[i].id, want))
            found = (int)i;
    for (size_t i = 0; i < n && found < 0; i++)
        if (net_visible(x, &v[i]) && !strcmp(v[i].name, want))
            found = (int)i;
    for (size_t i = 0; i < n && found < 0 && hl < 64; i++)
        if (net_visible(x, &v[i]) && !strncmp(v[i].id, want, hl))
            hits++;
    for (size_t i = 0; i < n && found < 0 && hits == 1; i++)
        if (net_visible(x, &v[i]) && !strncmp(v[i].id, want, hl))
            found = (int)i;
    if (found >= 0) {
        *out = v[found];
        memset(&v[found], 0, sizeof(v[found]));
    }
    network_all_free(v, n);
    if (hits > 1)
        return api_error(x, 400, "network %s is ambiguous (%zu matches found based on ID prefix)",
                         what, hits),
               -1;
    if (found < 0)
        return api_error(x, 404, "network %s not found", what), -1;
    return 0;
}

/* the network's Containers: only those the caller may see */
static void own_containers(struct api_ctx *x, json_t *net)
{
    json_t *ctrs = json_object_get(net, "Containers");
    if (x->who.admin || !json_is_object(ctrs))
        return;
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(ctrs, tmp, k, v)
    {
        char id[65];
        if (api_ctr_quiet(x, k, id) < 0 || strcmp(id, k) != 0)
            json_object_del(ctrs, k);
    }
}

int h_net_list(struct api_ctx *x)
{
    char **filters = NULL;
    if (api_q_filters(x, &filters) < 0)
        return 0;
    merr_t err = MERR_INIT;
    json_t *list = network_list(x->s, filters, &err);
    strv_free(filters);
    if (!list)
        return api_error(x, 400, "%s", err.msg), err_clear(&err), 0;
    size_t n;
    struct network *v = network_all(x->s, &n);
    json_t *out = json_array(), *e;
    size_t i;
    json_array_foreach(list, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "Id")) ?: "";
        bool ok = false;
        for (size_t k = 0; k < n && !ok; k++)
            ok = !strcmp(v[k].id, id) && net_visible(x, &v[k]);
        if (!ok)
            continue;
        own_containers(x, e);
        json_array_append(out, e);
    }
    network_all_free(v, n);
    json_decref(list);
    return api_json(x, 200, out);
}

int h_net_inspect(struct api_ctx *x)
{
    struct network n;
    if (find_net(x, x->param, &n) < 0)
        return 0;
    merr_t err = MERR_INIT;
    json_t *o = network_inspect(x->s, n.id, &err);
    network_free(&n);
    if (!o)
        return api_error(x, 404, "network %s not found", x->param), err_clear(&err), 0;
    own_containers(x, o);
    return api_json(x, 200, o);
}

/* the engine's words for the CLI's flags, as the API's fields */
static const char *const flag_field[][2] = {
    {"--subnet", "IPAM.Config.Subnet"},
    {"--gateway", "IPAM.Config.Gateway"},
    {"--ipam-driver", "IPAM.Driver"},
    {"--driver", "Driver"},
    {"--opt", "Options"},
    {"--label", "Labels"},
    {"--ipv6", "EnableIPv6"},
    {"invalid network name", "Name: invalid network name"},
};

static int create_error(struct api_ctx *x, int status, merr_t *err)
{
    const char *m = err->msg ? err->msg : "error";
    for (size_t i = 0; i < ARRAY_SIZE(flag_field); i++) {
        const char *at = strstr(m, flag_field[i][0]);
        if (at) {
            api_error(x, status, "%.*s%s%s", (int)(at - m), m, flag_field[i][1],
                      at + strlen(flag_field[i][0]));
            return err_clear(err), 0;
        }
    }
    api_error(x, status, "%s", m);
    return err_clear(err), 0;
}

/* IPAM: {"Driver","Config":[{"Subnet","Gateway"}],"Options"} */
static int ipam_args(json_t *body, struct net_create *c, merr_t *err)
{
    json_t *ipam = aj_get(body, "IPAM");
    if (!ipam)
        return 0;
    if (!json_is_object(ipam))
        return aj_bad(err, "IPAM", "must be an object");
    if (aj_str(ipam, "Driver", "IPAM.Driver", &c->ipam_driver, err) < 0)
        return -1;
    json_t *opts = aj_get(ipam, "Options");
    if (opts && (!json_is_object(opts) || json_object_size(opts)))
        return aj_bad(err, "IPAM.Options", "moat's default IPAM driver takes no options");
    json_t *cfg = aj_get(ipam, "Config");
    if (!cfg)
        return 0;
    if (!json_is_array(cfg))
        return aj_bad(err, "IPAM.Config", "must be an array");
    if (json_array_size(cfg) > 1)
        return aj_bad(err, "IPAM.Config", "moat takes one subnet and one gateway per network");
    json_t *e = json_array_get(cfg, 0);
    if (!e)
        return 0;
    if (!json_is_object(e))
        return aj_bad(err, "IPAM.Config", "must be an array of objects");
    if (aj_get(e, "IPRange") && json_string_length(aj_get(e, "IPRange")))
        return aj_bad(err, "IPAM.Config.IPRange", "not supported by moat's networks yet");
    json_t *aux = aj_get(e, "AuxiliaryAddresses");
    if (aux && (!json_is_object(aux) || json_object_size(aux)))
        return aj_bad(err, "IPAM.Config.AuxiliaryAddresses",
                      "not supported by moat's networks yet");
    if (aj_str(e, "Subnet", "IPAM.Config.Subnet", &c->subnet, err) < 0 ||
        aj_str(e, "Gateway", "IPAM.Config.Gateway", &c->gateway, err) < 0)
        return -1;
    return 0;
}

/* Docker's create body as `network create`'s arguments */
static int create_args(json_t *body, struct net_create *c, char ***opts, char ***labels,
                       merr_t *err)
{
    const char *scope = NULL;
    bool ingress = false, config_only = false;
    if (aj_str(body, "Name", "Name", &c->name, err) < 0 ||
        aj_str(body, "Driver", "Driver", &c->driver, err) < 0 ||
        aj_str(body, "Scope", "Scope", &scope, err) < 0 ||
        aj_bool(body, "Internal", "Internal", &c->internal, err) < 0 ||
        aj_bool(body, "Attachable", "Attachable", &c->attachable, err) < 0 ||
        aj_bool(body, "EnableIPv6", "EnableIPv6", &c->ipv6, err) < 0 ||
        aj_bool(body, "Ingress", "Ingress", &ingress, err) < 0 ||
        aj_bool(body, "ConfigOnly", "ConfigOnly", &config_only, err) < 0 ||
        aj_bool(body, "CheckDuplicate", "CheckDuplicate", &(bool){0}, err) < 0 ||
        aj_kv(body, "Options", "Options", '=', opts, err) < 0 ||
        aj_kv(body, "Labels", "Labels", '=', labels, err) < 0 || ipam_args(body, c, err) < 0)
        return -1;
    if (!c->name)
        return aj_bad(err, "Name", "a network needs a name");
    if (scope && strcmp(scope, "local") != 0)
        return aj_bad(err, "Scope", "\"%.64s\": moat's networks are local", scope);
    if (ingress || config_only)
        return aj_bad(err, ingress ? "Ingress" : "ConfigOnly", "not supported by moat");
    json_t *from = aj_get(body, "ConfigFrom");
    if (from && json_string_length(aj_get(from, "Network")))
        return aj_bad(err, "ConfigFrom", "not supported by moat");
    c->opts = *opts;
    c->labels = *labels;
    return 0;
}

/* what a restricted caller may not ask of a network: reaching the host */
static bool relaxes(char *const *opts)
{
    size_t kl = strlen(NETOPT_HOST_ACCESS);
    for (size_t i = 0; opts && opts[i]; i++)
        if (!strncmp(opts[i], NETOPT_HOST_ACCESS, kl) && opts[i][kl] == '=' &&
            strcmp(opts[i] + kl + 1, "false") != 0)
            return true;
    return false;
}

int h_net_create(struct api_ctx *x)
{
    if (!json_is_object(x->body))
        return api_error(x, 400, "a network's configuration (a JSON object) is required");
    struct net_create c = {0};
    char **opts = NULL, **labels = NULL;
    merr_t err = MERR_INIT;
    if (create_args(x->body, &c, &opts, &labels, &err) < 0 || network_create_check(&c, &err) < 0) {
        create_error(x, 400, &err);
    } else if (!x->who.admin && relaxes(opts)) {
        api_error(x, 403, "Options: %s is not for restricted callers", NETOPT_HOST_ACCESS);
    } else {
        char *id = network_create(x->s, &c, &err);
        if (id)
            api_json(x, 201, json_pack("{s:s,s:s}", "Id", id, "Warning", ""));
        else
            create_error(x, strstr(err.msg ?: "", "already exists") ? 409 : 400, &err);
        free(id);
    }
    strv_free(opts);
    strv_free(labels);
    return 0;
}

/* {"Container": ...} of connect and disconnect: the network and the
 * container's full id; -1 answered */
static int target(struct api_ctx *x, struct network *n, char id[65])
{
    const char *ctr;
    merr_t err = MERR_INIT;
    if (!json_is_object(x->body))
        return api_error(x, 400, "a JSON object with Container is required"), -1;
    if (aj_str(x->body, "Container", "Container", &ctr, &err) < 0 || !ctr) {
        api_error(x, 400, "%s", err.msg ? err.msg : "Container: a container is required");
        return err_clear(&err), -1;
    }
    if (find_net(x, x->param, n) < 0)
        return -1;
    if (api_ctr(x, ctr, id) < 0)
        return network_free(n), -1;
    return 0;
}

static int net_merr(struct api_ctx *x, merr_t *err)
{
    const char *m = err->msg ?: "";
    if (strstr(m, "not found") || strstr(m, "No such") || strstr(m, "no such"))
        return api_error(x, 404, "%s", m), err_clear(err), 0;
    if (strstr(m, "cannot be connected"))
        return api_error(x, 400, "%s", m), err_clear(err), 0;
    if (strstr(m, "already") || strstr(m, "is not connected") || strstr(m, "in use"))
        return api_error(x, 409, "%s", m), err_clear(err), 0;
    return api_merr(x, err);
}

int h_net_connect(struct api_ctx *x)
{
    struct network n;
    char id[65];
    if (target(x, &n, id) < 0)
        return 0;
    json_t *ep = aj_get(x->body, "EndpointConfig");
    merr_t err = MERR_INIT;
    if (ep && !json_is_object(ep))
        api_error(x, 400, "EndpointConfig: must be an object");
    else if (network_connect(x->s, n.id, id, ep, &err) < 0)
        net_merr(x, &err);
    else
        api_json(x, 200, NULL);
    network_free(&n);
    return 0;
}

int h_net_disconnect(struct api_ctx *x)
{
    struct network n;
    char id[65];
    bool force = false;
    merr_t err = MERR_INIT;
    if (json_is_object(x->body) && aj_bool(x->body, "Force", "Force", &force, &err) < 0)
        return api_error(x, 400, "%s", err.msg), err_clear(&err), 0;
    if (target(x, &n, id) < 0)
        return 0;
    if (network_disconnect(x->s, n.id, id, force, &err) < 0)
        net_merr(x, &err);
    else
        api_json(x, 200, NULL);
    network_free(&n);
    return 0;
}

int h_net_delete(struct api_ctx *x)
{
    struct network n;
    if (find_net(x, x->param, &n) < 0)
        return 0;
    merr_t err = MERR_INIT;
    char *name = NULL;
    if (n.builtin) {
        api_error(x, 403, "%s is a pre-defined network and cannot be removed", n.name);
    } else if (network_remove(x->s, n.id, &name, &err) == 0) {
        api_status(x, 204);
    } else if (strstr(err.msg ?: "", "active endpoints")) {
        /* the container may be another's: not named to a restricted caller */
        if (x->who.admin)
            api_error(x, 403, "%s", err.msg);
        else
            api_error(x, 403, "error while removing network: network %s has active endpoints",
                      n.name);
        err_clear(&err);
    } else {
        net_merr(x, &err);
    }
    free(name);
    network_free(&n);
    return 0;
}

int h_net_prune(struct api_ctx *x)
{
    char **filters = NULL;
    if (api_q_filters(x, &filters) < 0)
        return 0;
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    int r = prune_filter_parse(filters, PRUNE_NETWORKS, false, &pf, &err);
    strv_free(filters);
    if (r < 0)
        return api_error(x, 400, "%s", err.msg), err_clear(&err), 0;
    pf.owner = x->who.admin ? NULL : x->who.owner;
    json_t *deleted = json_array();
    network_prune(x->s, &pf, deleted);
    prune_filter_free(&pf);
    return api_json(x, 200, json_pack("{s:o}", "NetworksDeleted", deleted));
}
