/* nftset.h: elements of nftables sets and maps added and deleted over
 * NETLINK_NETFILTER (libmnl), without libnftables: no parser, no cache
 * dump, no library to load. Used by moat-net for a container's start and
 * stop, on moat's own tables only (the caller names them). */
#ifndef MOAT_KERNEL_NET_NFTSET_H
#define MOAT_KERNEL_NET_NFTSET_H

#include "nl.h"
#include "../../util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFT_ELEM_KEY_MAX 28

/* An element as the kernel has it (src/net/fw_elems.c makes them). */
struct nft_elem {
    int family;        /* NFPROTO_INET, NFPROTO_BRIDGE */
    const char *table; /* of that family */
    const char *set;
    uint8_t key[NFT_ELEM_KEY_MAX];
    size_t klen;
    uint8_t data[8];
    size_t dlen; /* 0: an element of a set, not a map */
};

/* Open a NETLINK_NETFILTER socket (before the privileges are dropped). */
int nftset_open(struct nl *nl, merr_t *err);

/* Add (add true) or delete the n elements, one batch: the kernel applies
 * all or none. Adding an element that is there with the same data is no
 * change; a missing table, set or (deleting) element fails with
 * err->errnum ENOENT. */
int nftset_change(struct nl *nl, bool add, const struct nft_elem *e, size_t n, merr_t *err);

/* Whether e is in its set: 1, 0 (the element, its set or its table is
 * missing), -1 on another error. */
int nftset_has(struct nl *nl, const struct nft_elem *e, merr_t *err);

#endif
