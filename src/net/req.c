/* req.c: moat-net's request parser (see req.h). Pure: no system call. */
#include "req.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>

struct op_keys {
    const char *op;
    enum net_op id;
    const char *const *keys; /* NULL-terminated, "op" included */
};

static const char *const setup_keys[] = {"op",  "bridge",  "bridge_addr", "prefix",
                                         "mtu", "veth",    "ifname",      "addr",
                                         "mac", "gateway", "firewall",    NULL};
static const char *const teardown_keys[] = {"op", "veth", "firewall", NULL};
static const char *const bridge_rm_keys[] = {"op", "bridge", NULL};

static const struct op_keys ops[] = {
    {"setup", NET_OP_SETUP, setup_keys},
    {"teardown", NET_OP_TEARDOWN, teardown_keys},
    {"bridge-rm", NET_OP_BRIDGE_RM, bridge_rm_keys},
};

bool net_ifname_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NET_IFNAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

int net_mac_parse(const char *s, uint8_t mac[6])
{
    if (strlen(s) != 17)
        return -1;
    for (int i = 0; i < 6; i++) {
        const char *p = s + 3 * i;
        if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
            (i < 5 && p[2] != ':'))
            return -1;
        char hex[3] = {p[0], p[1], 0};
        mac[i] = (uint8_t)strtoul(hex, NULL, 16);
    }
    if (mac[0] & 1)
        return -1; /* multicast or broadcast */
    for (int i = 0; i < 6; i++)
        if (mac[i])
            return 0;
    return -1;
}

/* a string field: 1 and *out if present, 0 if absent and optional */
static int get_str(const json_t *j, const char *key, bool required, const char **out, merr_t *err)
{
    const json_t *v = json_object_get(j, key);
    if (!v)
        return required ? err_set(err, 0, "\"%s\": missing", key) : 0;
    if (!json_is_string(v))
        return err_set(err, 0, "\"%s\": must be a string", key);
    *out = json_string_value(v);
    if (strlen(*out) != json_string_length(v))
        return err_set(err, 0, "\"%s\": contains a NUL byte", key);
    return 1;
}

/* prefix: what the name must start with (moat-net touches no bridge and
 * no host end that is not moat's), or NULL */
static int get_name(const json_t *j, const char *key, const char *prefix,
                    char out[NET_IFNAME_MAX + 1], merr_t *err)
{
    const char *s;
    if (get_str(j, key, true, &s, err) < 0)
        return -1;
    if (!net_ifname_ok(s)) {
        struct sbuf b = {0};
        sbuf_add_cut(&b, s, 64);
        cleanup_free char *q = sbuf_steal(&b);
        return err_set(err, 0,
                       "\"%s\": \"%s\": an interface name is 1 to %d characters of "
                       "A-Z a-z 0-9 _ . - (not \".\" or \"..\")",
                       key, q, NET_IFNAME_MAX);
    }
    if (prefix && strncmp(s, prefix, strlen(prefix)) != 0)
        return err_set(err, 0, "\"%s\": \"%s\": not one of moat's (they start with \"%s\")", key, s,
                       prefix);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

static int get_uint(const json_t *j, const char *key, bool required, unsigned lo, unsigned hi,
                    unsigned *out, merr_t *err)
{
    const json_t *v = json_object_get(j, key);
    if (!v)
        return required ? err_set(err, 0, "\"%s\": missing", key) : 0;
    if (!json_is_integer(v))
        return err_set(err, 0, "\"%s\": must be an integer", key);
    json_int_t n = json_integer_value(v);
    if (n < (json_int_t)lo || n > (json_int_t)hi)
        return err_set(err, 0, "\"%s\": %lld: must be from %u to %u", key, (long long)n, lo, hi);
    *out = (unsigned)n;
    return 1;
}

static int get_ip(const json_t *j, const char *key, bool required, struct in_addr *out, merr_t *err)
{
    const char *s;
    int r = get_str(j, key, required, &s, err);
    if (r <= 0)
        return r;
    if (strlen(s) > 15 || inet_pton(AF_INET, s, out) != 1) {
        struct sbuf b = {0};
        sbuf_add_cut(&b, s, 64);
        cleanup_free char *q = sbuf_steal(&b);
        return err_set(err, 0, "\"%s\": \"%s\": not an IPv4 address (a.b.c.d)", key, q);
    }
    return 1;
}

/* 0/8, 127/8, 169.254/16, multicast and the reserved 240/4 */
static bool unicast_ok(struct in_addr a)
{
    uint32_t h = ntohl(a.s_addr);
    return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 16) != 0xa9fe && (h >> 29) != 7;
}

/* a host address of net/prefix: inside, neither the network nor the
 * broadcast address */
static int check_host(const char *key, struct in_addr a, struct in_addr net, unsigned prefix,
                      merr_t *err)
{
    uint32_t mask = ~0U << (32 - prefix), h = ntohl(a.s_addr), n = ntohl(net.s_addr) & mask;
    char as[INET_ADDRSTRLEN], ns[INET_ADDRSTRLEN];
    struct in_addr nn = {htonl(n)};
    inet_ntop(AF_INET, &a, as, sizeof(as));
    inet_ntop(AF_INET, &nn, ns, sizeof(ns));
    if ((h & mask) != n)
        return err_set(err, 0, "\"%s\": %s is outside the bridge's subnet %s/%u", key, as, ns,
                       prefix);
    if (h == n || h == (n | ~mask))
        return err_set(err, 0, "\"%s\": %s is the %s address of %s/%u", key, as,
                       h == n ? "network" : "broadcast", ns, prefix);
    return 0;
}

static int parse_setup(const json_t *j, struct net_req *r, merr_t *err)
{
    const char *mac;
    r->mtu = 1500;
    if (get_name(j, "bridge", NET_BRIDGE_PREFIX, r->bridge, err) < 0 ||
        get_name(j, "veth", NET_VETH_PREFIX, r->veth, err) < 0 ||
        get_name(j, "ifname", NULL, r->ifname, err) < 0 ||
        get_ip(j, "bridge_addr", true, &r->bridge_addr, err) < 0 ||
        get_uint(j, "prefix", true, 8, 30, &r->prefix, err) < 0 ||
        get_uint(j, "mtu", false, 576, 65535, &r->mtu, err) < 0 ||
        get_ip(j, "addr", true, &r->addr, err) < 0 || get_str(j, "mac", true, &mac, err) < 0)
        return -1;
    int g = get_ip(j, "gateway", false, &r->gateway, err);
    if (g < 0)
        return -1;
    r->has_gateway = g > 0;
    if (net_mac_parse(mac, r->mac) < 0) {
        struct sbuf b = {0};
        sbuf_add_cut(&b, mac, 64);
        cleanup_free char *q = sbuf_steal(&b);
        return err_set(err, 0, "\"mac\": \"%s\": not a unicast MAC address (xx:xx:xx:xx:xx:xx)", q);
    }
    if (!unicast_ok(r->bridge_addr))
        return err_set(err, 0, "\"bridge_addr\": %s: not a usable unicast address for a bridge",
                       inet_ntoa(r->bridge_addr));
    if (check_host("bridge_addr", r->bridge_addr, r->bridge_addr, r->prefix, err) < 0 ||
        check_host("addr", r->addr, r->bridge_addr, r->prefix, err) < 0 ||
        (r->has_gateway && check_host("gateway", r->gateway, r->bridge_addr, r->prefix, err) < 0))
        return -1;
    if (r->addr.s_addr == r->bridge_addr.s_addr ||
        (r->has_gateway && r->addr.s_addr == r->gateway.s_addr))
        return err_set(err, 0, "\"addr\": %s is the %s's address", inet_ntoa(r->addr),
                       r->addr.s_addr == r->bridge_addr.s_addr ? "bridge" : "gateway");
    return 0;
}

int net_req_parse(const json_t *j, const char *op, struct net_req *r, merr_t *err)
{
    const struct op_keys *o = NULL;
    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < ARRAY_SIZE(ops) && !o; i++)
        if (strcmp(ops[i].op, op) == 0)
            o = &ops[i];
    if (!o)
        return err_set(err, 0, "\"op\": unknown");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)j, key, v)
    {
        bool known = false;
        for (size_t i = 0; o->keys[i] && !known; i++)
            known = strcmp(o->keys[i], key) == 0;
        if (!known) {
            struct sbuf b = {0};
            sbuf_add_cut(&b, key, 64);
            cleanup_free char *q = sbuf_steal(&b);
            return err_set(err, 0, "\"%s\": not a field of op %s", q, op);
        }
    }
    r->op = o->id;
    switch (o->id) {
    case NET_OP_SETUP:
        return parse_setup(j, r, err);
    case NET_OP_TEARDOWN:
        return get_name(j, "veth", NET_VETH_PREFIX, r->veth, err);
    case NET_OP_BRIDGE_RM:
        return get_name(j, "bridge", NET_BRIDGE_PREFIX, r->bridge, err);
    }
    return -1;
}
