/* fw.c: the firewall state from JSON, checked field by field (fw.h). The
 * text is made in fw_rules.c. */
#include "fw.h"
#include "../util/jpath.h"
#include "../util/util.h"

#include <string.h>

bool fw_ifname_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= FW_IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return false;
    return true;
}

/* a decimal 0..max without sign or leading zero; the end in *end */
static int parse_dec(const char *s, unsigned max, unsigned *out, const char **end)
{
    unsigned v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    if (*p == '0' && p[1] >= '0' && p[1] <= '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned)(*p - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    *end = p;
    return 0;
}

/* "a.b.c.d" up to end (NUL or '/') */
static int parse_ip4_end(const char *s, uint32_t *out, const char **end)
{
    uint32_t ip = 0;
    for (int i = 0; i < 4; i++) {
        unsigned b;
        if (parse_dec(s, 255, &b, &s) < 0)
            return -1;
        if (i < 3 && *s++ != '.')
            return -1;
        ip = ip << 8 | b;
    }
    *out = ip;
    *end = s;
    return 0;
}

int fw_parse_ip4(const char *s, uint32_t *out)
{
    const char *end;
    return parse_ip4_end(s, out, &end) < 0 || *end ? -1 : 0;
}

static uint32_t mask_of(int prefix)
{
    return prefix ? ~0u << (32 - prefix) : 0;
}

static bool in_subnet(const struct fw_net *n, uint32_t ip)
{
    return (ip & mask_of(n->prefix)) == n->subnet;
}

/* an address a host in the subnet may have: not the network's, not the
 * broadcast */
static bool host_in_subnet(const struct fw_net *n, uint32_t ip)
{
    return in_subnet(n, ip) && ip != n->subnet && ip != (n->subnet | ~mask_of(n->prefix));
}

/* ---- typed getters on top of jpath -------------------------------------- */

/* Refuse a member of obj that is not in keys (NULL-terminated). */
static int only_keys(const struct jctx *c, const struct jp *p, json_t *obj, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], k))
            i++;
        if (!keys[i])
            return jfail(c, JP_K(p, k), "unknown key");
    }
    return 0;
}

static int need(const struct jctx *c, int r, const struct jp *p, const char *key)
{
    if (r == 0)
        return jfail(c, JP_K(p, key), "missing");
    return r < 0 ? -1 : 0;
}

static int get_ifname(const struct jctx *c, const struct jp *p, json_t *o, const char *key,
                      char out[FW_IFNAMSIZ])
{
    const char *s;
    if (need(c, jget_str(c, p, o, key, &s), p, key) < 0)
        return -1;
    if (!fw_ifname_ok(s))
        return jfail(c, JP_K(p, key),
                     "\"%s\" is not an interface name (1 to 15 of A-Z a-z 0-9 _ . -)", s);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

static int get_ip4(const struct jctx *c, const struct jp *p, json_t *o, const char *key,
                   uint32_t *out)
{
    const char *s;
    if (need(c, jget_str(c, p, o, key, &s), p, key) < 0)
        return -1;
    if (fw_parse_ip4(s, out) < 0)
        return jfail(c, JP_K(p, key), "\"%s\" is not an IPv4 address (a.b.c.d)", s);
    return 0;
}

static int get_bool(const struct jctx *c, const struct jp *p, json_t *o, const char *key, bool *out)
{
    return need(c, jget_bool(c, p, o, key, out), p, key);
}

static int get_port(const struct jctx *c, const struct jp *p, json_t *o, const char *key,
                    uint16_t *out)
{
    int64_t v;
    if (need(c, jget_i64(c, p, o, key, &v), p, key) < 0)
        return -1;
    if (v < 1 || v > 65535)
        return jfail(c, JP_K(p, key), "must be 1..65535, not %lld", (long long)v);
    *out = (uint16_t)v;
    return 0;
}

static struct fw_net *net_by_bridge(const struct fw_state *st, const char *br)
{
    for (size_t i = 0; i < st->n_nets; i++)
        if (!strcmp(st->nets[i].bridge, br))
            return &st->nets[i];
    return NULL;
}

/* ---- networks ------------------------------------------------------------ */

static int parse_subnet(const struct jctx *c, const struct jp *p, json_t *o, struct fw_net *n)
{
    const char *s, *end;
    unsigned pfx;
    if (need(c, jget_str(c, p, o, "subnet", &s), p, "subnet") < 0)
        return -1;
    if (parse_ip4_end(s, &n->subnet, &end) < 0 || *end != '/' ||
        parse_dec(end + 1, 32, &pfx, &end) < 0 || *end)
        return jfail(c, JP_K(p, "subnet"), "\"%s\" is not an IPv4 subnet (a.b.c.d/n)", s);
    if (pfx < 8 || pfx > 30)
        return jfail(c, JP_K(p, "subnet"), "the prefix length must be 8..30, not %u", pfx);
    n->prefix = (int)pfx;
    if (n->subnet & ~mask_of(n->prefix))
        return jfail(c, JP_K(p, "subnet"), "\"%s\" has host bits set", s);
    return 0;
}

static int parse_net(const struct jctx *c, const struct jp *p, json_t *o, struct fw_state *st,
                     void *elem)
{
    struct fw_net *n = elem;
    static const char *const keys[] = {"bridge",   "subnet",      "gateway",    "icc",
                                       "internal", "host_access", "masquerade", NULL};
    if (jval_obj(c, p, o) < 0 || only_keys(c, p, o, keys) < 0 ||
        get_ifname(c, p, o, "bridge", n->bridge) < 0)
        return -1;
    if (net_by_bridge(st, n->bridge))
        return jfail(c, JP_K(p, "bridge"), "\"%s\" is given twice", n->bridge);
    if (parse_subnet(c, p, o, n) < 0)
        return -1;
    for (size_t i = 0; i < st->n_nets; i++) {
        const struct fw_net *m = &st->nets[i];
        int pfx = m->prefix < n->prefix ? m->prefix : n->prefix;
        if ((m->subnet & mask_of(pfx)) == (n->subnet & mask_of(pfx)))
            return jfail(c, JP_K(p, "subnet"), "overlaps the subnet of %s", m->bridge);
    }
    if (get_ip4(c, p, o, "gateway", &n->gateway) < 0)
        return -1;
    if (!host_in_subnet(n, n->gateway))
        return jfail(c, JP_K(p, "gateway"), "must be a host address inside the subnet");
    if (get_bool(c, p, o, "icc", &n->icc) < 0 || get_bool(c, p, o, "internal", &n->internal) < 0 ||
        get_bool(c, p, o, "host_access", &n->host_access) < 0)
        return -1;
    n->masquerade = true;
    if (jget_bool(c, p, o, "masquerade", &n->masquerade) < 0)
        return -1;
    return 0;
}

/* ---- endpoints ----------------------------------------------------------- */

static int parse_mac(const char *s, uint8_t mac[6])
{
    static const char hex[] = "0123456789abcdef";
    if (strlen(s) != 17)
        return -1;
    for (int i = 0; i < 6; i++) {
        const char *h = s + 3 * i;
        const char *a = h[0] ? strchr(hex, h[0] | 0x20) : NULL;
        const char *b = h[1] ? strchr(hex, h[1] | 0x20) : NULL;
        if (!a || !b || (i < 5 && h[2] != ':'))
            return -1;
        mac[i] = (uint8_t)((a - hex) << 4 | (b - hex));
    }
    return 0;
}

static int parse_ep(const struct jctx *c, const struct jp *p, json_t *o, struct fw_state *st,
                    void *elem)
{
    struct fw_endpoint *e = elem;
    static const char *const keys[] = {"veth", "bridge", "ip", "mac", NULL};
    const char *mac;
    if (jval_obj(c, p, o) < 0 || only_keys(c, p, o, keys) < 0 ||
        get_ifname(c, p, o, "veth", e->veth) < 0 || get_ifname(c, p, o, "bridge", e->bridge) < 0 ||
        get_ip4(c, p, o, "ip", &e->ip) < 0 || need(c, jget_str(c, p, o, "mac", &mac), p, "mac") < 0)
        return -1;
    if (net_by_bridge(st, e->veth))
        return jfail(c, JP_K(p, "veth"), "\"%s\" is the name of a bridge", e->veth);
    const struct fw_net *n = net_by_bridge(st, e->bridge);
    if (!n)
        return jfail(c, JP_K(p, "bridge"), "\"%s\" is not in networks", e->bridge);
    if (!host_in_subnet(n, e->ip) || e->ip == n->gateway)
        return jfail(c, JP_K(p, "ip"), "must be a host address of %s other than its gateway",
                     n->bridge);
    if (parse_mac(mac, e->mac) < 0)
        return jfail(c, JP_K(p, "mac"), "\"%s\" is not a MAC address (xx:xx:xx:xx:xx:xx)", mac);
    static const uint8_t zero[6];
    if ((e->mac[0] & 1) || !memcmp(e->mac, zero, 6))
        return jfail(c, JP_K(p, "mac"), "\"%s\" is not a unicast address", mac);
    for (size_t i = 0; i < st->n_eps; i++) {
        const struct fw_endpoint *f = &st->eps[i];
        if (!strcmp(f->veth, e->veth))
            return jfail(c, JP_K(p, "veth"), "\"%s\" is given twice", e->veth);
        if (f->ip == e->ip)
            return jfail(c, JP_K(p, "ip"), "is the address of %s too", f->veth);
        if (!memcmp(f->mac, e->mac, 6))
            return jfail(c, JP_K(p, "mac"), "is the address of %s too", f->veth);
    }
    return 0;
}

/* ---- ports --------------------------------------------------------------- */

static int parse_port(const struct jctx *c, const struct jp *p, json_t *o, struct fw_state *st,
                      void *elem)
{
    struct fw_port *pt = elem;
    static const char *const keys[] = {"proto", "host_ip", "host_port", "ip",
                                       "port",  "bridge",  NULL};
    const char *proto;
    if (jval_obj(c, p, o) < 0 || only_keys(c, p, o, keys) < 0 ||
        need(c, jget_str(c, p, o, "proto", &proto), p, "proto") < 0)
        return -1;
    if (!strcmp(proto, "tcp"))
        pt->proto = FW_TCP;
    else if (!strcmp(proto, "udp"))
        pt->proto = FW_UDP;
    else
        return jfail(c, JP_K(p, "proto"), "must be \"tcp\" or \"udp\", not \"%s\"", proto);
    if (get_ip4(c, p, o, "host_ip", &pt->host_ip) < 0 ||
        get_port(c, p, o, "host_port", &pt->host_port) < 0 || get_ip4(c, p, o, "ip", &pt->ip) < 0 ||
        get_port(c, p, o, "port", &pt->port) < 0 || get_ifname(c, p, o, "bridge", pt->bridge) < 0)
        return -1;
    if (pt->host_ip >= 0xe0000000u) /* multicast, reserved, broadcast */
        return jfail(c, JP_K(p, "host_ip"), "must be 0.0.0.0 or a unicast address");
    const struct fw_net *n = net_by_bridge(st, pt->bridge);
    if (!n)
        return jfail(c, JP_K(p, "bridge"), "\"%s\" is not in networks", pt->bridge);
    if (n->internal)
        return jfail(c, JP_K(p, "bridge"), "%s is an internal network: nothing is published on it",
                     n->bridge);
    if (!host_in_subnet(n, pt->ip) || pt->ip == n->gateway)
        return jfail(c, JP_K(p, "ip"), "must be a host address of %s other than its gateway",
                     n->bridge);
    for (size_t i = 0; i < st->n_ports; i++) {
        const struct fw_port *q = &st->ports[i];
        if (q->proto == pt->proto && q->host_port == pt->host_port &&
            (q->host_ip == pt->host_ip || !q->host_ip || !pt->host_ip))
            return jfail(c, JP_K(p, "host_port"), "%s port %u is published by ports[%zu] too",
                         proto, pt->host_port, i);
    }
    return 0;
}

/* ---- the request --------------------------------------------------------- */

typedef int (*parse_elem)(const struct jctx *c, const struct jp *p, json_t *o, struct fw_state *st,
                          void *elem);

/* Each element of the array at key into *arr (elements of size sz), *n
 * counting those parsed so far (the checks see the earlier ones). */
static int parse_arr(const struct jctx *c, const struct jp *p, json_t *req, const char *key,
                     struct fw_state *st, void **arr, size_t *n, size_t sz, parse_elem fn)
{
    json_t *a;
    if (need(c, jget_arr(c, p, req, key, &a), p, key) < 0)
        return -1;
    size_t len = json_array_size(a);
    *arr = xzalloc((len ? len : 1) * sz);
    for (size_t i = 0; i < len; i++) {
        if (fn(c, JP_I(JP_K(p, key), i), json_array_get(a, i), st, (char *)*arr + i * sz) < 0)
            return -1;
        (*n)++;
    }
    return 0;
}

int fw_state_parse(json_t *req, struct fw_state *st, merr_t *err)
{
    static const char *const keys[] = {"op",    "networks",      "endpoints",
                                       "ports", "forward_guard", NULL};
    const struct jctx ctx = {err, "firewall"}, *c = &ctx;
    const char *op;
    memset(st, 0, sizeof(*st));
    int r = -1;
    if (jval_obj(c, NULL, req) < 0 || only_keys(c, NULL, req, keys) < 0)
        goto out;
    int g = jget_str(c, NULL, req, "op", &op);
    if (g < 0 || (g > 0 && strcmp(op, "firewall"))) {
        if (g > 0)
            jfail(c, JP_K(NULL, "op"), "must be \"firewall\", not \"%s\"", op);
        goto out;
    }
    if (parse_arr(c, NULL, req, "networks", st, (void **)&st->nets, &st->n_nets, sizeof(*st->nets),
                  parse_net) < 0 ||
        parse_arr(c, NULL, req, "endpoints", st, (void **)&st->eps, &st->n_eps, sizeof(*st->eps),
                  parse_ep) < 0 ||
        parse_arr(c, NULL, req, "ports", st, (void **)&st->ports, &st->n_ports, sizeof(*st->ports),
                  parse_port) < 0 ||
        get_bool(c, NULL, req, "forward_guard", &st->forward_guard) < 0)
        goto out;
    r = 0;
out:
    if (r < 0)
        fw_state_free(st);
    return r;
}

int fw_part_parse(json_t *part, const char *veth, struct fw_state *st, merr_t *err)
{
    static const char *const keys[] = {"networks", "endpoints", "ports", NULL};
    const struct jctx ctx = {err, "firewall"}, *c = &ctx;
    memset(st, 0, sizeof(*st));
    int r = -1;
    if (jval_obj(c, NULL, part) < 0 || only_keys(c, NULL, part, keys) < 0 ||
        parse_arr(c, NULL, part, "networks", st, (void **)&st->nets, &st->n_nets, sizeof(*st->nets),
                  parse_net) < 0 ||
        parse_arr(c, NULL, part, "endpoints", st, (void **)&st->eps, &st->n_eps, sizeof(*st->eps),
                  parse_ep) < 0 ||
        parse_arr(c, NULL, part, "ports", st, (void **)&st->ports, &st->n_ports, sizeof(*st->ports),
                  parse_port) < 0)
        goto out;
    if (st->n_nets != 1 || st->n_eps != 1) {
        jfail(c, NULL, "one network and one endpoint, not %zu and %zu", st->n_nets, st->n_eps);
        goto out;
    }
    if (strcmp(st->eps[0].veth, veth) != 0) {
        jfail(c, JP_K(JP_I(JP_K(NULL, "endpoints"), 0), "veth"), "\"%s\" is not the request's %s",
              st->eps[0].veth, veth);
        goto out;
    }
    for (size_t i = 0; i < st->n_ports; i++)
        if (st->ports[i].ip != st->eps[0].ip) {
            jfail(c, JP_K(JP_I(JP_K(NULL, "ports"), i), "ip"), "is not the endpoint's address");
            goto out;
        }
    r = 0;
out:
    if (r < 0)
        fw_state_free(st);
    return r;
}

void fw_state_free(struct fw_state *st)
{
    free(st->nets);
    free(st->eps);
    free(st->ports);
    memset(st, 0, sizeof(*st));
}
