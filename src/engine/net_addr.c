/* net_addr.c: IPv4 subnets and addresses (see net_addr.h). */
#include "net_addr.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t net4_mask(unsigned prefix)
{
    return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

int net4_parse_addr(const char *s, uint32_t *out)
{
    uint32_t a = 0;
    for (int part = 0; part < 4; part++) {
        if (part && *s++ != '.')
            return -1;
        if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
            return -1;
        unsigned v = 0;
        for (int d = 0; *s >= '0' && *s <= '9'; d++, s++) {
            v = v * 10 + (unsigned)(*s - '0');
            if (d > 2 || v > 255)
                return -1;
        }
        a = a << 8 | v;
    }
    if (*s)
        return -1;
    *out = a;
    return 0;
}

int net4_parse_cidr(const char *s, const char *what, struct net4 *n, merr_t *err)
{
    const char *slash = strchr(s, '/');
    cleanup_free char *ip = slash ? xstrndup(s, (size_t)(slash - s)) : NULL;
    uint32_t a, p = 0;
    bool ok = ip && net4_parse_addr(ip, &a) == 0 && slash[1] >= '0' && slash[1] <= '9' &&
              strlen(slash + 1) <= 2 && (slash[1] != '0' || !slash[2]);
    for (const char *d = ok ? slash + 1 : ""; *d; d++)
        if (*d < '0' || *d > '9')
            ok = false;
        else
            p = p * 10 + (uint32_t)(*d - '0');
    if (!ok || p > 32)
        return err_set(err, 0, "%s: invalid subnet %.64s: invalid CIDR block notation", what, s);
    if (a & ~net4_mask(p)) {
        cleanup_free char *want = net4_cidr_str((struct net4){a & net4_mask(p), p});
        return err_set(err, 0, "%s: invalid subnet %.64s: it should be %s", what, s, want);
    }
    *n = (struct net4){a, p};
    return 0;
}

bool net4_contains(struct net4 n, uint32_t a)
{
    return (a & net4_mask(n.prefix)) == n.addr;
}

bool net4_overlap(struct net4 a, struct net4 b)
{
    unsigned p = a.prefix < b.prefix ? a.prefix : b.prefix;
    return (a.addr & net4_mask(p)) == (b.addr & net4_mask(p));
}

uint32_t net4_broadcast(struct net4 n)
{
    return n.addr | ~net4_mask(n.prefix);
}

char *net4_addr_str(uint32_t a)
{
    return xasprintf("%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

char *net4_cidr_str(struct net4 n)
{
    cleanup_free char *a = net4_addr_str(n.addr);
    return xasprintf("%s/%u", a, n.prefix);
}

const struct net4_used *net4_overlapping(struct net4 net, const struct net4_used *used, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (net4_overlap(net, used[i].net))
            return &used[i];
    return NULL;
}

int net4_choose(const struct net4_used *used, size_t n, struct net4 *out)
{
    for (uint32_t a = NET4_POOL_FIRST; a <= NET4_POOL_LAST; a += 1u << (32 - NET4_POOL_PREFIX)) {
        struct net4 c = {a, NET4_POOL_PREFIX};
        if (!net4_overlapping(c, used, n)) {
            *out = c;
            return 0;
        }
    }
    return -1;
}

/* "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF..." */
void net4_routes_parse(const char *text, struct net4_used **used, size_t *n)
{
    const char *line = strchr(text, '\n'); /* the header */
    while (line && *++line) {
        const char *end = strchr(line, '\n');
        cleanup_free char *l = end ? xstrndup(line, (size_t)(end - line)) : xstrdup(line);
        line = end;
        char *save = NULL, *dev = strtok_r(l, " \t", &save), *f[7] = {0};
        for (int i = 0; dev && i < 7; i++)
            f[i] = strtok_r(NULL, " \t", &save);
        if (!f[6])
            continue;
        char *e1, *e2;
        unsigned long dst = strtoul(f[0], &e1, 16), mask = strtoul(f[6], &e2, 16);
        if (*e1 || *e2 || strlen(f[0]) != 8 || strlen(f[6]) != 8)
            continue;
        /* the kernel prints the big-endian words as native integers */
        uint32_t d = ntohl((uint32_t)dst), m = ntohl((uint32_t)mask);
        unsigned p = (unsigned)__builtin_popcount(m);
        if (m != net4_mask(p) || p == 0)
            continue; /* not a prefix; or the default route */
        *used = xrealloc(*used, (*n + 1) * sizeof(**used));
        (*used)[(*n)++] = (struct net4_used){{d & m, p}, xasprintf("the host's route on %s", dev)};
    }
}

void net4_used_free(struct net4_used *used, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(used[i].what);
    free(used);
}

static bool taken_has(const uint32_t *taken, size_t n, uint32_t a)
{
    for (size_t i = 0; i < n; i++)
        if (taken[i] == a)
            return true;
    return false;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

int net4_pick(struct net4 subnet, uint32_t gateway, const uint32_t *taken, size_t n, uint32_t want,
              uint32_t *out, merr_t *err)
{
    uint32_t bcast = net4_broadcast(subnet);
    if (want) {
        cleanup_free char *w = net4_addr_str(want), *sn = net4_cidr_str(subnet);
        if (!net4_contains(subnet, want) || want == subnet.addr || want == bcast)
            return err_set(err, 0, "--ip %s: not a host address of the network's subnet %s", w, sn);
        if (want == gateway || taken_has(taken, n, want))
            return err_set(err, 0, "--ip %s: the address is already in use on the network", w);
        *out = want;
        return 0;
    }
    /* the lowest address that is not in taken: taken sorted, walked once */
    uint32_t *t = xmalloc((n + 1) * sizeof(*t));
    memcpy(t, taken, n * sizeof(*t));
    t[n] = gateway;
    qsort(t, n + 1, sizeof(*t), cmp_u32);
    uint32_t a = subnet.addr + 1;
    for (size_t i = 0; i <= n && t[i] <= a; i++)
        if (t[i] == a)
            a++;
    free(t);
    if (a < bcast) {
        *out = a;
        return 0;
    }
    cleanup_free char *sn = net4_cidr_str(subnet);
    return err_set(err, 0, "no address left in the network's subnet %s", sn);
}
