/* setup.c: op "setup" (see setup.h). */
#include "setup.h"
#include "../kernel/net/addr.h"
#include "../kernel/net/link.h"
#include "../kernel/net/route.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* what this request made, for the undo */
struct made {
    int bridge;          /* the bridge's index */
    bool bridge_created; /* by this request */
    bool bridge_addr;    /* its address added by this request */
    int veth;            /* the host end's index */
    int peer;            /* its peer's, in the container's namespace */
    bool veth_created;
};

static const char *kind_of(const struct link_info *li)
{
    return *li->kind ? li->kind : "a plain device";
}

static int ensure_bridge(struct net_ctx *c, const struct net_req *r, struct made *m, merr_t *err)
{
    struct link_info li;
    int found = link_get(&c->host, r->bridge, &li, err);
    if (found < 0)
        return -1;
    if (!found) {
        /* its own MAC, 02:6d: and its address (the endpoints' scheme: no
         * endpoint has the bridge's address), so it keeps one MAC while
         * containers come and go */
        uint8_t mac[6] = {0x02, 0x6d};
        memcpy(mac + 2, &r->bridge_addr, 4);
        if (link_new_bridge(&c->host, r->bridge, r->mtu, mac, err) == 0)
            m->bridge_created = true;
        else if (err->errnum == EEXIST)
            err_clear(err); /* another request made it meanwhile */
        else
            return -1;
        found = link_get(&c->host, r->bridge, &li, err);
        if (found <= 0)
            return found < 0 ? -1
                             : err_set(err, 0, "bridge \"%s\": gone after it was made", r->bridge);
    }
    if (strcmp(li.kind, "bridge") != 0)
        return err_set(err, 0, "\"%s\" exists and is not a bridge (%s)", r->bridge, kind_of(&li));
    m->bridge = li.index;
    return 0;
}

static int make_veth(struct net_ctx *c, const struct net_req *r, struct made *m, merr_t *err)
{
    struct link_info li;
    int found = link_get(&c->host, r->veth, &li, err);
    if (found != 0)
        return found < 0 ? -1
                         : err_set(err, 0, "veth \"%s\": a device of that name exists (%s)",
                                   r->veth, kind_of(&li));
    found = link_get(&c->ctr, r->ifname, &li, err);
    if (found != 0)
        return found < 0 ? err_wrap(err, "the container's network namespace")
                         : err_set(err, 0,
                                   "\"%s\": a device of that name exists in the container's "
                                   "network namespace",
                                   r->ifname);
    struct veth_spec v = {r->veth, r->ifname, c->netns_fd, r->mtu, r->mac};
    if (link_new_veth(&c->host, &v, err) < 0)
        return -1;
    m->veth_created = true;
    found = link_get(&c->host, r->veth, &li, err);
    if (found <= 0)
        return found < 0 ? -1 : err_set(err, 0, "veth \"%s\": gone after it was made", r->veth);
    m->veth = li.index;
    m->peer = li.link;
    if (li.link <= 0)
        return err_set(err, 0, "veth \"%s\": the kernel did not name its peer", r->veth);
    struct link_change attach = {.index = li.index, .master = m->bridge};
    struct link_change up = {.index = li.index, .up = true};
    if (link_change(&c->host, &attach, r->veth, err) < 0 ||
        link_hairpin(&c->host, li.index, true, r->veth, err) < 0 ||
        link_change(&c->host, &up, r->veth, err) < 0)
        return -1;
    return 0;
}

/* the container's side: its end's address, up, lo up, the default route.
 * Its end is known by the index the kernel gave as the host end's peer,
 * not by its name: a running container (network connect) could rename it
 * and put a device of its own under that name. */
static int inside(struct net_ctx *c, const struct net_req *r, const struct made *m, merr_t *err)
{
    struct link_info lo;
    struct link_change up = {.index = m->peer, .up = true};
    if (addr_add(&c->ctr, m->peer, r->addr, r->prefix, r->ifname, err) < 0 ||
        link_change(&c->ctr, &up, r->ifname, err) < 0)
        return -1;
    int found = link_get(&c->ctr, "lo", &lo, err);
    if (found <= 0)
        return found < 0 ? -1 : err_set(err, 0, "\"lo\": not in the container's network namespace");
    struct link_change lo_up = {.index = lo.index, .up = true};
    if (link_change(&c->ctr, &lo_up, "lo", err) < 0)
        return -1;
    if (r->has_gateway && route_add_default(&c->ctr, r->gateway, m->peer, r->ifname, err) < 0)
        return -1;
    return 0;
}

/* the bridge's address, route_localnet and up: what a moat bridge has */
static int finish_bridge(struct net_ctx *c, const struct net_req *r, struct made *m, merr_t *err)
{
    if (addr_add(&c->host, m->bridge, r->bridge_addr, r->prefix, r->bridge, err) == 0)
        m->bridge_addr = true;
    else if (err->errnum == EEXIST)
        err_clear(err);
    else
        return -1;
    struct link_change up = {.index = m->bridge, .up = true};
    if (link_route_localnet(&c->host, m->bridge, true, r->bridge, err) < 0 ||
        link_change(&c->host, &up, r->bridge, err) < 0)
        return -1;
    return 0;
}

static int ip_forward_on(struct net_ctx *c, bool *set, merr_t *err)
{
    char b[16];
    ssize_t n = pread(c->ip_forward, b, sizeof(b) - 1, 0);
    if (n < 0)
        return err_sys(err, "read /proc/sys/net/ipv4/ip_forward");
    if (n > 0 && b[0] == '0') {
        if (pwrite(c->ip_forward, "1\n", 2, 0) != 2)
            return err_sys(err, "set /proc/sys/net/ipv4/ip_forward to 1");
        *set = true;
    }
    return 0;
}

/* one step of the undo; its failure is told after the request's own */
static void undo_step(int r, merr_t *e, merr_t *err)
{
    if (r == 0 || e->errnum == ENODEV) {
        err_clear(e);
        return;
    }
    int errnum = err->errnum;
    err_set(err, 0, "%s (and while undoing: %s)", err->msg ? err->msg : "setup", e->msg);
    err->errnum = errnum;
    err_clear(e);
}

static void undo(struct net_ctx *c, const struct net_req *r, const struct made *m, merr_t *err)
{
    merr_t e = MERR_INIT;
    struct link_info li;
    if (m->veth_created) {
        int index = m->veth;
        if (!index && link_get(&c->host, r->veth, &li, &e) > 0)
            index = li.index;
        if (index)
            undo_step(link_del(&c->host, index, r->veth, &e), &e, err);
    }
    if (m->bridge_addr && !m->bridge_created)
        undo_step(addr_del(&c->host, m->bridge, r->bridge_addr, r->prefix, r->bridge, &e), &e, err);
    if (m->bridge_created) {
        /* not if a concurrent request has attached its own end meanwhile */
        int ports = link_count_ports(&c->host, m->bridge, &e);
        if (ports == 0)
            undo_step(link_del(&c->host, m->bridge, r->bridge, &e), &e, err);
        else
            undo_step(ports < 0 ? -1 : 0, &e, err);
    }
}

int net_setup(struct net_ctx *c, const struct net_req *r, bool *ip_forward_set, merr_t *err)
{
    struct made m = {0};
    *ip_forward_set = false;
    if (ensure_bridge(c, r, &m, err) < 0 || make_veth(c, r, &m, err) < 0 ||
        inside(c, r, &m, err) < 0 || finish_bridge(c, r, &m, err) < 0 ||
        ip_forward_on(c, ip_forward_set, err) < 0) {
        undo(c, r, &m, err);
        return -1;
    }
    return 0;
}
