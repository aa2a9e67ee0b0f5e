/* fw_elems.c: the elements of moat's sets and maps in the kernel's
 * encoding (fw.h), as nft itself sends them: a concatenation's fields one
 * after the other, each padded to a multiple of 4 bytes; an interface name
 * NUL-padded to 16 bytes; addresses, protocol numbers and ports in network
 * byte order. The text of the same elements is fw_rules.c's. Pure. */
#include "fw.h"
#include "../util/util.h"

#include <netinet/in.h>

#include <linux/netfilter.h>
#include <string.h>

struct enc {
    uint8_t *p;
    size_t len, max;
};

static void put(struct enc *e, const void *v, size_t n)
{
    size_t padded = (n + 3) & ~(size_t)3;
    if (e->len + padded > e->max)
        abort(); /* a key longer than NFT_ELEM_KEY_MAX: a bug here */
    memset(e->p + e->len, 0, padded);
    memcpy(e->p + e->len, v, n);
    e->len += padded;
}

static void put_ifname(struct enc *e, const char *name)
{
    char b[FW_IFNAMSIZ] = {0};
    memcpy(b, name, strnlen(name, FW_IFNAMSIZ - 1));
    put(e, b, sizeof(b));
}

static void put_ip(struct enc *e, uint32_t ip)
{
    uint32_t n = htonl(ip);
    put(e, &n, 4);
}

static void put_port(struct enc *e, uint16_t port)
{
    uint16_t n = htons(port);
    put(e, &n, 2);
}

static struct nft_elem *add(struct nft_elem **v, size_t *n, bool bridge_table, const char *set)
{
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    struct nft_elem *e = &(*v)[(*n)++];
    memset(e, 0, sizeof(*e));
    e->family = bridge_table ? NFPROTO_BRIDGE : NFPROTO_INET;
    e->table = "moat";
    e->set = set;
    return e;
}

static void endpoint(struct nft_elem **v, size_t *n, const struct fw_endpoint *ep, bool icc)
{
    struct nft_elem *e = add(v, n, true, FW_SET_EPS);
    struct enc k = {e->key, 0, NFT_ELEM_KEY_MAX};
    put_ifname(&k, ep->veth);
    put(&k, ep->mac, 6);
    put_ip(&k, ep->ip);
    e->klen = k.len;
    if (icc)
        return;
    e = add(v, n, true, FW_SET_ISOLATED);
    k = (struct enc){e->key, 0, NFT_ELEM_KEY_MAX};
    put_ifname(&k, ep->veth);
    e->klen = k.len;
}

static void port(struct nft_elem **v, size_t *n, const struct fw_port *p)
{
    bool lo = p->host_ip >> 24 == 127;
    struct nft_elem *e = add(v, n, false,
                             !p->host_ip ? FW_SET_DNAT_ANY
                             : lo        ? FW_SET_DNAT_LO
                                         : FW_SET_DNAT_ADDR);
    struct enc k = {e->key, 0, NFT_ELEM_KEY_MAX}, d = {e->data, 0, sizeof(e->data)};
    uint8_t proto = p->proto == FW_TCP ? IPPROTO_TCP : IPPROTO_UDP;
    if (p->host_ip)
        put_ip(&k, p->host_ip);
    put(&k, &proto, 1);
    put_port(&k, p->host_port);
    put_ip(&d, p->ip);
    put_port(&d, p->port);
    e->klen = k.len;
    e->dlen = d.len;
}

static bool icc_of(const struct fw_state *st, const char *br)
{
    for (size_t i = 0; i < st->n_nets; i++)
        if (!strcmp(st->nets[i].bridge, br))
            return st->nets[i].icc;
    return true;
}

struct nft_elem *fw_elems(const struct fw_state *st, size_t *n)
{
    struct nft_elem *v = NULL;
    *n = 0;
    for (size_t i = 0; i < st->n_eps; i++)
        endpoint(&v, n, &st->eps[i], icc_of(st, st->eps[i].bridge));
    for (size_t i = 0; i < st->n_ports; i++)
        port(&v, n, &st->ports[i]);
    return v;
}

void fw_bridge_elem(const char *br, struct nft_elem *e)
{
    memset(e, 0, sizeof(*e));
    e->family = NFPROTO_INET;
    e->table = "moat";
    e->set = FW_SET_BRIDGES;
    struct enc k = {e->key, 0, NFT_ELEM_KEY_MAX};
    put_ifname(&k, br);
    e->klen = k.len;
}
