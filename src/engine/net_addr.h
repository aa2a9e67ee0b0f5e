/* net_addr.h: IPv4 subnets and addresses as numbers, for the engine's
 * networks: parsing as Docker reads --subnet, --gateway and --ip, overlap,
 * the choice of a free subnet for a new network and of a free address in
 * one (the IPAM's rule). Pure: no file, no syscall (unit-tested). */
#ifndef MOAT_ENGINE_NET_ADDR_H
#define MOAT_ENGINE_NET_ADDR_H

#include "../util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* a subnet: its first address (host order) and prefix length */
struct net4 {
    uint32_t addr;
    unsigned prefix;
};

/* something a new subnet must not overlap, and how an error names it
 * ("network web", "the host's route on eth0") */
struct net4_used {
    struct net4 net;
    char *what;
};

/* user networks' subnets are chosen among 10.90.0.0/16 .. 10.127.0.0/16 */
#define NET4_POOL_FIRST 0x0a5a0000u /* 10.90.0.0 */
#define NET4_POOL_LAST 0x0a7f0000u  /* 10.127.0.0 */
#define NET4_POOL_PREFIX 16

uint32_t net4_mask(unsigned prefix);
/* a dotted quad, strictly (four decimal numbers up to 255, no leading
 * zeros, nothing else) */
int net4_parse_addr(const char *s, uint32_t *out);
/* "A.B.C.D/N" with N in 0..32, host bits clear; errors in Docker's words
 * ("invalid subnet S: invalid CIDR block notation", "... it should be
 * A.B.0.0/N"), what names the flag */
int net4_parse_cidr(const char *s, const char *what, struct net4 *n, merr_t *err);
bool net4_contains(struct net4 n, uint32_t a);
bool net4_overlap(struct net4 a, struct net4 b);
uint32_t net4_broadcast(struct net4 n);
/* "A.B.C.D" and "A.B.C.D/N" (new strings) */
char *net4_addr_str(uint32_t a);
char *net4_cidr_str(struct net4 n);
/* the first of used[0..n) that overlaps net, or NULL */
const struct net4_used *net4_overlapping(struct net4 net, const struct net4_used *used, size_t n);
/* The first /16 of the pool that overlaps none of used; -1 if all do. */
int net4_choose(const struct net4_used *used, size_t n, struct net4 *out);

/* The routes of /proc/net/route's text but the default route (0.0.0.0/0),
 * appended to *used (*n of them; `what` names the device). */
void net4_routes_parse(const char *text, struct net4_used **used, size_t *n);
void net4_used_free(struct net4_used *used, size_t n);

/* An address of subnet for a container: want (0: the lowest free from the
 * subnet's second address on), never the subnet's own address, its
 * broadcast, the gateway or one of taken[0..n). -1 with err when want is
 * outside the subnet or not free, or no address is left. */
int net4_pick(struct net4 subnet, uint32_t gateway, const uint32_t *taken, size_t n, uint32_t want,
              uint32_t *out, merr_t *err);

#endif
