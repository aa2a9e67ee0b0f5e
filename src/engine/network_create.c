/* network_create.c: `network create`: the checks, the choice of a subnet
 * and an index, the record (see network.h). */
#include "events.h"
#include "network_rec.h"
#include "volume.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int network_create_check(const struct net_create *c, merr_t *err)
{
    const char *name = c->name;
    if (network_predefined(name))
        return err_set(err, 0, "operation is not permitted on predefined %s network", name);
    if (!network_name_ok(name))
        return err_set(err, 0,
                       "invalid network name \"%.128s\": letters, digits, _ . - (not first), at "
                       "most 128",
                       name);
    const char *d = c->driver && *c->driver ? c->driver : "bridge";
    if (!strcmp(d, "host") || !strcmp(d, "null"))
        return err_set(err, 0, "only one instance of \"%s\" network is allowed", d);
    if (strcmp(d, "bridge") != 0)
        return err_set(err, 0, "--driver %.64s: moat has the bridge driver only", d);
    if (c->ipam_driver && *c->ipam_driver && strcmp(c->ipam_driver, "default") != 0)
        return err_set(err, 0, "--ipam-driver %.64s: moat has the default IPAM driver only",
                       c->ipam_driver);
    if (c->ipv6)
        return err_set(err, 0, "--ipv6: IPv6 networks are not supported yet");
    for (size_t i = 0; c->opts && c->opts[i]; i++) {
        const char *eq = strchr(c->opts[i], '=');
        cleanup_free char *k =
            eq ? xstrndup(c->opts[i], (size_t)(eq - c->opts[i])) : xstrdup(c->opts[i]);
        if (network_option_check(k, eq ? eq + 1 : "", NULL, err) < 0)
            return -1;
    }
    json_t *labels = volume_create_args(c->labels, NULL, err);
    if (!labels)
        return -1;
    json_decref(labels);
    if (c->gateway && *c->gateway && !(c->subnet && *c->subnet))
        return err_set(err, 0, "every ip-range or gateway must have a corresponding subnet");
    struct net4 sn = {0};
    uint32_t gw;
    if (c->subnet && *c->subnet) {
        if (net4_parse_cidr(c->subnet, "--subnet", &sn, err) < 0)
            return -1;
        if (sn.prefix < 8 || sn.prefix > 30)
            return err_set(err, 0, "--subnet %s: a prefix from /8 to /30", c->subnet);
    }
    if (c->gateway && *c->gateway) {
        cleanup_free char *s = net4_cidr_str(sn);
        if (net4_parse_addr(c->gateway, &gw) < 0)
            return err_set(err, 0, "invalid gateway %.64s: invalid address", c->gateway);
        if (!net4_contains(sn, gw))
            return err_set(err, 0,
                           "invalid gateway %s: parent subnet %s doesn't contain this address",
                           c->gateway, s);
        if (gw == sn.addr || gw == net4_broadcast(sn))
            return err_set(err, 0,
                           "invalid gateway %s: the network's or the broadcast address of %s",
                           c->gateway, s);
    }
    return 0;
}

/* the host's routes and IPv4 addresses (moat's own bridges aside: moat's
 * networks are checked by their records) */
static void host_used(struct net4_used **used, size_t *n)
{
    cleanup_close int fd = open("/proc/net/route", O_RDONLY | O_CLOEXEC);
    cleanup_free char *text = NULL;
    if (fd >= 0 && read_fd(fd, &text, NULL) == 0)
        net4_routes_parse(text, used, n);
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) < 0)
        return;
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask)
            continue;
        uint32_t a = ntohl(((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr);
        uint32_t m = ntohl(((struct sockaddr_in *)(void *)i->ifa_netmask)->sin_addr.s_addr);
        unsigned p = (unsigned)__builtin_popcount(m);
        *used = xrealloc(*used, (*n + 1) * sizeof(**used));
        (*used)[(*n)++] = (struct net4_used){{a & net4_mask(p), p},
                                             xasprintf("the host's address on %s", i->ifa_name)};
    }
    freeifaddrs(ifs);
    for (size_t i = 0; i < *n; i++)
        if (strstr((*used)[i].what, " on moat")) {
            free((*used)[i].what);
            (*used)[i--] = (*used)[--(*n)];
        }
}

/* The subnet of the new network: c's, or the first free one of the pool;
 * its gateway: c's or the subnet's first address. */
static int choose_subnet(const struct net_create *c, const struct network *all, size_t nall,
                         struct net4 *sn, uint32_t *gw, merr_t *err)
{
    struct net4_used *used = NULL;
    size_t n = 0;
    for (size_t i = 0; i < nall; i++)
        if (all[i].device) {
            used = xrealloc(used, (n + 1) * sizeof(*used));
            used[n++] = (struct net4_used){all[i].subnet, xasprintf("network %s", all[i].name)};
        }
    host_used(&used, &n);
    int r = 0;
    if (c->subnet && *c->subnet) {
        const struct net4_used *hit;
        if (net4_parse_cidr(c->subnet, "--subnet", sn, err) < 0)
            r = -1;
        else if ((hit = net4_overlapping(*sn, used, n)) != NULL) {
            cleanup_free char *o = net4_cidr_str(hit->net);
            r = err_set(err, 0, "--subnet %s overlaps %s (%s)", c->subnet, hit->what, o);
        }
    } else if (net4_choose(used, n, sn) < 0) {
        r = err_set(err, 0,
                    "no free subnet left among 10.90.0.0/16 .. 10.127.0.0/16 (moat's networks "
                    "and the host's routes use them): give one with --subnet");
    }
    net4_used_free(used, n);
    if (r == 0 && c->gateway && *c->gateway)
        r = net4_parse_addr(c->gateway, gw);
    else if (r == 0)
        *gw = sn->addr + 1;
    return r;
}

static unsigned free_index(const struct network *all, size_t n)
{
    for (unsigned idx = 1;; idx++) {
        bool used = false;
        for (size_t i = 0; i < n && !used; i++)
            used = all[i].device && all[i].index == idx;
        if (!used)
            return idx;
    }
}

/* The options (checked) and labels as objects */
static json_t *options_of(char *const *opts)
{
    json_t *o = json_object();
    for (size_t i = 0; opts && opts[i]; i++) {
        const char *eq = strchr(opts[i], '=');
        cleanup_free char *k = eq ? xstrndup(opts[i], (size_t)(eq - opts[i])) : xstrdup(opts[i]);
        json_object_set_new(o, k, json_string(eq ? eq + 1 : ""));
    }
    return o;
}

static char *create_locked(struct store *s, const struct net_create *c, merr_t *err)
{
    if (network_ensure_default(s, err) < 0)
        return NULL;
    size_t n;
    struct network *all = network_list_all(s, true, &n);
    char *id = NULL, *subnet = NULL, *gateway = NULL;
    struct net4 sn;
    uint32_t gw;
    unsigned idx = free_index(all, n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(all[i].name, c->name)) {
            err_set(err, 0, "network with name %s already exists", c->name);
            goto out;
        }
    if (idx > NETWORK_INDEX_MAX) {
        err_set(err, 0, "moat has %d networks already: remove one first", NETWORK_INDEX_MAX);
        goto out;
    }
    if (choose_subnet(c, all, n, &sn, &gw, err) < 0)
        goto out;
    id = volume_random_name();
    subnet = net4_cidr_str(sn);
    gateway = net4_addr_str(gw);
    json_t *labels = volume_create_args(c->labels, NULL, err);
    json_t *rec = network_make_record(c->name, id, subnet, gateway, c->internal, c->attachable,
                                      options_of(c->opts), labels ? labels : json_object(), idx);
    if (s->owner)
        json_object_set_new(rec, "Owner", json_string(s->owner));
    if (!labels || network_write_record(s, id, rec, err) < 0) {
        free(id);
        id = NULL;
    }
    json_decref(rec);
out:
    free(subnet);
    free(gateway);
    network_all_free(all, n);
    return id;
}

char *network_create(struct store *s, const struct net_create *c, merr_t *err)
{
    if (network_create_check(c, err) < 0 || store_lock(s, err) < 0)
        return NULL;
    char *id = create_locked(s, c, err);
    store_unlock(s);
    if (id)
        events_emit_owned(s, s->owner, "network", "create", id,
                          json_pack("{s:s,s:s}", "name", c->name, "type", "bridge"));
    return id;
}
