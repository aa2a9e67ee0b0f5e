/* network_ls.c: `network inspect`, `ls` with Docker's filters, `rm` and
 * `prune` (see network.h). */
#include "ctr.h"
#include "events.h"
#include "filters.h"
#include "net_fw.h"
#include "network_rec.h"
#include "../util/log.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A container's endpoint on the network, as Docker shows it in the
 * network's Containers; NULL when it has no address there. */
static json_t *endpoint(json_t *rec, const struct network *n)
{
    json_t *nets = json_object_get(json_object_get(rec, "NetworkSettings"), "Networks");
    json_t *ep = json_object_get(nets, n->name);
    const char *ip = json_string_value(json_object_get(ep, "IPAddress"));
    if (!ip || !*ip)
        return NULL;
    const char *name = json_string_value(json_object_get(rec, "Name")) ?: "";
    json_int_t plen = json_integer_value(json_object_get(ep, "IPPrefixLen"));
    return json_pack("{s:s,s:s,s:s,s:o,s:s}", "Name", name[0] == '/' ? name + 1 : name,
                     "EndpointID", json_string_value(json_object_get(ep, "EndpointID")) ?: "",
                     "MacAddress", json_string_value(json_object_get(ep, "MacAddress")) ?: "",
                     "IPv4Address", json_sprintf("%s/%lld", ip, (long long)plen), "IPv6Address",
                     "");
}

/* the record with its Containers */
static json_t *shown(struct store *s, const struct network *n)
{
    json_t *out = json_deep_copy(n->rec), *ctrs = json_object();
    char **ids = ctr_list(s);
    for (size_t i = 0; ids[i]; i++) {
        merr_t e = MERR_INIT;
        json_t *r = ctr_load(s, ids[i], &e);
        err_clear(&e);
        json_t *ep = r ? endpoint(r, n) : NULL;
        if (ep)
            json_object_set_new(ctrs, ids[i], ep);
        json_decref(r);
    }
    strv_free(ids);
    json_object_set_new(out, "Containers", ctrs);
    /* Docker's key order: Containers before Options */
    json_t *opts = json_incref(json_object_get(out, "Options"));
    json_t *labels = json_incref(json_object_get(out, "Labels"));
    json_t *moat = json_incref(json_object_get(out, "Moat"));
    json_object_del(out, "Options");
    json_object_del(out, "Labels");
    json_object_del(out, "Moat");
    json_object_set_new(out, "Options", opts ? opts : json_object());
    json_object_set_new(out, "Labels", labels ? labels : json_object());
    if (moat)
        json_object_set_new(out, "Moat", moat);
    return out;
}

json_t *network_inspect(struct store *s, const char *what, merr_t *err)
{
    struct network n;
    if (network_find(s, what, &n, err) < 0)
        return NULL;
    json_t *out = shown(s, &n);
    network_free(&n);
    return out;
}

static const char *const list_keys[] = {"dangling", "driver", "id",   "label",
                                        "name",     "scope",  "type", NULL};

json_t *network_list_filters(char *const *args, merr_t *err)
{
    json_t *f = filters_parse(args, list_keys, err);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(f, "type"), i, v)
    {
        const char *t = json_string_value(v);
        if (strcmp(t, "custom") != 0 && strcmp(t, "builtin") != 0) {
            err_set(err, 0, "invalid filter: 'type'='%.64s'", t);
            json_decref(f);
            return NULL;
        }
    }
    if (json_array_size(json_object_get(f, "dangling")) > 1) {
        json_decref(f);
        return err_set(err, 0, "got more than one value for filter key \"dangling\""), NULL;
    }
    bool d;
    if (f && filters_bool(f, "dangling", false, &d, err) < 0) {
        json_decref(f);
        return NULL;
    }
    return f;
}

/* Docker's FilterNetworks */
static bool passes(struct store *s, json_t *f, const struct network *n)
{
    bool dangling = false, by_dangling = json_object_get(f, "dangling") != NULL;
    merr_t e = MERR_INIT;
    filters_bool(f, "dangling", false, &dangling, &e);
    err_clear(&e);
    const char *type = n->builtin ? "builtin" : "custom";
    if (!filters_match_re(f, "name", n->name) || !filters_match_re(f, "id", n->id) ||
        !filters_match_exact(f, "driver", n->driver) || !filters_match_exact(f, "scope", "local") ||
        !filters_match_exact(f, "type", type) ||
        !filters_match_kv(f, "label", json_object_get(n->rec, "Labels")))
        return false;
    if (!by_dangling)
        return true;
    char c[16];
    bool unused = !n->builtin && !network_user(s, n, c, sizeof(c));
    return unused == dangling;
}

json_t *network_list(struct store *s, char *const *args, merr_t *err)
{
    json_t *f = network_list_filters(args, err);
    if (!f)
        return NULL;
    size_t n;
    struct network *v = network_all(s, &n);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        if (passes(s, f, &v[i]))
            json_array_append_new(out, shown(s, &v[i]));
    network_all_free(v, n);
    json_decref(f);
    return out;
}

/* networks/ID.json and ID.ipam gone: the record first (then the network
 * is gone), its addresses after */
static int unlink_network(struct store *s, const struct network *n, merr_t *err)
{
    cleanup_free char *rec = xasprintf("networks/%s.json", n->id);
    cleanup_free char *ipam = xasprintf("networks/%s.ipam", n->id);
    if (unlinkat(s->fd, rec, 0) < 0)
        return err_sys(err, "remove network %s", n->name);
    unlinkat(s->fd, ipam, 0);
    /* its bridge and rules: a failure is said, the network is gone anyway
     * (the next firewall apply has no rule of it) */
    merr_t e = MERR_INIT;
    if (n->device && net_bridge_remove(s, n->device, &e) < 0)
        log_warn("network %s: %s", n->name, e.msg);
    err_clear(&e);
    events_emit_owned(s, json_string_value(json_object_get(n->rec, "Owner")), "network", "destroy",
                      n->id, json_pack("{s:s,s:s}", "name", n->name, "type", n->driver));
    return 0;
}

static int remove_locked(struct store *s, const char *what, char **name, merr_t *err)
{
    struct network n;
    char c[16];
    if (network_find_in(s, true, what, &n, err) < 0)
        return -1;
    int r = 0;
    if (n.builtin)
        r = err_set(err, 0, "%s is a pre-defined network and cannot be removed", n.name);
    else if (network_user(s, &n, c, sizeof(c)))
        r = err_set(err, 0,
                    "error while removing network: network %s has active endpoints (container "
                    "%s)",
                    n.name, c);
    else
        r = unlink_network(s, &n, err);
    if (r == 0)
        *name = xstrdup(n.name);
    network_free(&n);
    return r;
}

int network_remove(struct store *s, const char *what, char **name, merr_t *err)
{
    *name = NULL;
    if (store_lock(s, err) < 0)
        return -1;
    int r = remove_locked(s, what, name, err);
    store_unlock(s);
    return r;
}

/* created at or before pf's until, and pf's labels */
static bool prune_ok(const struct prune_filter *pf, const struct network *n)
{
    if (!pf)
        return true;
    const char *owner = json_string_value(json_object_get(n->rec, "Owner"));
    if (pf->owner && (!owner || strcmp(owner, pf->owner) != 0))
        return false;
    const char *created = json_string_value(json_object_get(n->rec, "Created"));
    int64_t t;
    if (pf->until != INT64_MAX && (!created || timearg_parse(created, 0, &t) < 0 || t > pf->until))
        return false;
    return filters_match_labels(pf->args, json_object_get(n->rec, "Labels"));
}

void network_prune(struct store *s, const struct prune_filter *pf, json_t *deleted)
{
    merr_t e = MERR_INIT;
    if (store_lock(s, &e) < 0) {
        err_clear(&e);
        return;
    }
    size_t n;
    struct network *v = network_list_all(s, true, &n);
    for (size_t i = 0; i < n; i++) {
        char c[16];
        if (v[i].builtin || !prune_ok(pf, &v[i]) || network_user(s, &v[i], c, sizeof(c)))
            continue;
        if (unlink_network(s, &v[i], &e) == 0)
            json_array_append_new(deleted, json_string(v[i].name));
        err_clear(&e);
    }
    network_all_free(v, n);
    store_unlock(s);
}

int network_reload(struct store *s, merr_t *err)
{
    return net_fw_reload(s, err);
}
