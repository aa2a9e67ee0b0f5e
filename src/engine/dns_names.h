/* dns_names.h: the names the embedded resolver answers itself: those of
 * running containers (their endpoint files, net_fw.h) on given bridges,
 * from their records' NetworkSettings.Networks.*.DNSNames (the name, the
 * 12-digit short id, the --network-alias values) of the network with the
 * endpoint's address. Compared without case; read without a lock (the
 * files are replaced whole), so it never waits. */
#ifndef MOAT_DNS_NAMES_H
#define MOAT_DNS_NAMES_H

#include "store.h"
#include <stddef.h>
#include <stdint.h>

/* The names and addresses of the containers on given bridges, read again
 * at most once a second or when the endpoints change (a flood of
 * questions costs the monitor one scan of the store a second). */
struct dns_names;
struct dns_names *dns_names_new(void);
void dns_names_free(struct dns_names *t);

/* The addresses (network order, at most max) of containers named name on
 * the bridges of the networks container id is on now: how many. */
size_t dns_names_lookup(struct dns_names *t, struct store *s, const char *id, const char *name,
                        uint32_t *addrs, size_t max);

#endif
