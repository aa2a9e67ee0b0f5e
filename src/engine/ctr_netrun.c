/* ctr_netrun.c: a container's endpoints and ports while it runs (see
 * ctr_netrun.h). */
#include "ctr_netrun.h"
#include "ctr_ports.h"
#include "dns_run.h"
#include "net_fw.h"
#include "network_rec.h"
#include "../util/util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct ep {
    char *veth, *ifname, *bridge, *ip, *mac, *gw;
    unsigned prefix, mtu, index;
    bool internal;
    bool route; /* the default route goes through it (its first network) */
    bool up;
};

struct ctr_netrun {
    struct store *s;
    char id[65];
    json_t *exposed;
    struct port_map *ports;
    size_t nports;
    struct ep *eps;
    size_t neps;
    char **upstreams;    /* its resolver's (NULL: it has none) */
    struct dns_run *dns; /* its resolver while it runs */
};

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* the endpoint (EndpointSettings e) of container id on network n */
static int make_ep(struct ep *out, const char *id, json_t *e, const struct network *n,
                   const char *ifname)
{
    const char *ip = str(e, "IPAddress"), *mac = str(e, "MacAddress");
    if (!ip || !mac || !n->device)
        return -1;
    *out = (struct ep){
        .veth = xasprintf("mv%.9s%x", id, n->index),
        .ifname = xstrdup(ifname),
        .bridge = xstrdup(n->device),
        .ip = xstrdup(ip),
        .mac = xstrdup(mac),
        .gw = net4_addr_str(n->gateway),
        .prefix = n->subnet.prefix,
        .mtu = n->mtu ? n->mtu : 1500,
        .internal = n->internal,
        .index = n->index,
    };
    return 0;
}

static void free_ep(struct ep *e)
{
    free(e->veth), free(e->ifname), free(e->bridge), free(e->ip), free(e->mac), free(e->gw);
}

/* its endpoint on network n, the i-th of the container (ethI unless the
 * record names it: one connected to a running container) */
static int add_ep(struct ctr_netrun *r, json_t *rec, json_t *e, const struct network *n, size_t i)
{
    char dflt[16];
    snprintf(dflt, sizeof(dflt), "eth%zu", i);
    const char *ifname = str(json_object_get(rec, "NetIfnames"), n->name) ?: dflt;
    struct ep ep;
    if (make_ep(&ep, r->id, e, n, ifname) < 0)
        return -1;
    ep.route = i == 0;
    r->eps = xrealloc(r->eps, (r->neps + 1) * sizeof(*r->eps));
    r->eps[r->neps++] = ep;
    return 0;
}

static void free_run(struct ctr_netrun *r)
{
    for (size_t i = 0; i < r->neps; i++)
        free_ep(&r->eps[i]);
    free(r->eps);
    strv_free(r->upstreams);
    ports_release(r->ports, r->nports);
    json_decref(r->exposed);
    free(r);
}

/* a resolver at 127.0.0.11 when its first network is a user-defined one,
 * as Docker's; forwarding unless all its networks are --internal */
static void dns_plan(struct ctr_netrun *r, json_t *hc)
{
    if (!r->neps || r->eps[0].index == 0)
        return;
    bool internal = true;
    for (size_t i = 0; i < r->neps; i++)
        internal = internal && r->eps[i].internal;
    r->upstreams = internal ? xzalloc(sizeof(char *)) : dns_upstreams(hc);
}

/* its resolver, once its endpoints are up */
static int dns_start(struct ctr_netrun *r, int ns, merr_t *err)
{
    if (!r->upstreams)
        return 0;
    int ret = dns_run_start(r->s, ns, r->upstreams, r->id, &r->dns, err);
    return ret < 0 ? err_wrap(err, "the DNS resolver at " DNS_ADDR) : 0;
}

int ctr_netrun_prepare(struct store *s, const char *id, json_t *rec, struct ctr_netrun **out,
                       merr_t *err)
{
    *out = NULL;
    json_t *nets = json_object_get(json_object_get(rec, "NetworkSettings"), "Networks"), *e;
    json_t *hc = json_object_get(rec, "HostConfig");
    const char *name;
    struct ctr_netrun *r = xzalloc(sizeof(*r));
    r->s = s;
    snprintf(r->id, sizeof(r->id), "%s", id);
    size_t i = 0;
    json_object_foreach(nets, name, e)
    {
        struct network n;
        if (!str(e, "IPAddress") || !*str(e, "IPAddress"))
            continue;
        if (network_find(s, str(e, "NetworkID") ?: name, &n, err) < 0) {
            free_run(r);
            return err_wrap(err, "network %s", name);
        }
        int a = add_ep(r, rec, e, &n, i++);
        network_free(&n);
        if (a < 0) {
            free_run(r);
            return err_set(err, 0, "network %s: the container's endpoint is incomplete", name);
        }
    }
    if (!r->neps) {
        free_run(r);
        return 0;
    }
    dns_plan(r, hc);
    r->exposed = json_deep_copy(json_object_get(json_object_get(rec, "Config"), "ExposedPorts"));
    if (ports_bind(json_object_get(hc, "PortBindings"), r->exposed,
                   json_is_true(json_object_get(hc, "PublishAllPorts")), &r->ports, &r->nports,
                   err) < 0) {
        r->ports = NULL;
        free_run(r);
        return -1;
    }
    *out = r;
    return 0;
}

static json_t *setup_req(const struct ep *e)
{
    json_t *q =
        json_pack("{s:s,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:s}", "op", "setup", "bridge", e->bridge,
                  "bridge_addr", e->gw, "prefix", (int)e->prefix, "mtu", (int)e->mtu, "veth",
                  e->veth, "ifname", e->ifname, "addr", e->ip, "mac", e->mac);
    if (!e->internal && e->route)
        json_object_set_new(q, "gateway", json_string(e->gw));
    return q;
}

static void down_all(struct ctr_netrun *r)
{
    for (size_t i = 0; i < r->neps; i++)
        if (r->eps[i].up) {
            merr_t e = MERR_INIT;
            net_ep_down(r->s, r->eps[i].veth, &e);
            err_clear(&e);
            r->eps[i].up = false;
        }
}

int ctr_netrun_ready(void *arg, pid_t pid, merr_t *err)
{
    struct ctr_netrun *r = arg;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/ns/net", (int64_t)pid);
    cleanup_close int ns = open(path, O_RDONLY | O_CLOEXEC);
    if (ns < 0)
        return err_sys(err, "open the container's network namespace");
    int lock = net_lock(r->s, err);
    if (lock < 0)
        return -1;
    int ret = 0;
    for (size_t i = 0; i < r->neps && ret == 0; i++) {
        struct ep *e = &r->eps[i];
        struct net_ep ep = {r->id,
                            e->veth,
                            e->bridge,
                            e->ip,
                            e->mac,
                            i == 0 ? r->ports : NULL,
                            i == 0 ? r->nports : 0};
        json_t *q = setup_req(e);
        ret = net_ep_up(r->s, &ep, q, ns, err);
        json_decref(q);
        e->up = ret == 0;
    }
    if (ret == 0)
        ret = dns_start(r, ns, err);
    if (ret < 0) {
        down_all(r);
        merr_t e = MERR_INIT;
        net_fw_apply(r->s, &e);
        err_clear(&e);
        net_release(r->s);
    }
    close(lock);
    return ret;
}

json_t *ctr_netrun_ports(const struct ctr_netrun *r)
{
    return ports_settings(r->exposed, r->ports, r->nports);
}

int ctr_netrun_dns_fd(const struct ctr_netrun *r)
{
    return r ? dns_run_fd(r->dns) : -1;
}

void ctr_netrun_dns_serve(struct ctr_netrun *r)
{
    if (r)
        dns_run_serve(r->dns);
}

void ctr_netrun_finish(struct ctr_netrun *r)
{
    if (!r)
        return;
    dns_run_stop(r->dns);
    r->dns = NULL;
    merr_t e = MERR_INIT;
    int lock = net_lock(r->s, &e);
    /* its endpoints, those connected while it ran too */
    for (size_t i = 0; i < r->neps; i++)
        r->eps[i].up = false;
    if (net_ep_down_ctr(r->s, r->id) > 0)
        net_fw_apply(r->s, &e);
    err_clear(&e);
    if (lock >= 0) {
        net_release(r->s);
        close(lock);
    }
    free_run(r);
}

int ctr_netrun_attach(struct store *s, const char *id, const struct network *n, json_t *ep,
                      const char *ifname, int nsfd, merr_t *err)
{
    struct ep e;
    if (make_ep(&e, id, ep, n, ifname) < 0)
        return err_set(err, 0, "network %s: the container's endpoint is incomplete", n->name);
    int lock = net_lock(s, err), r = -1;
    if (lock >= 0) {
        struct net_ep ne = {id, e.veth, e.bridge, e.ip, e.mac, NULL, 0};
        json_t *q = setup_req(&e);
        r = net_ep_up(s, &ne, q, nsfd, err);
        json_decref(q);
        close(lock);
    }
    free_ep(&e);
    return r;
}

int ctr_netrun_detach(struct store *s, const char *id, const struct network *n, merr_t *err)
{
    cleanup_free char *veth = xasprintf("mv%.9s%x", id, n->index);
    int lock = net_lock(s, err);
    if (lock < 0)
        return -1;
    int r = net_ep_down(s, veth, err);
    if (r > 0)
        r = net_fw_apply(s, err);
    net_release(s);
    close(lock);
    return r;
}
