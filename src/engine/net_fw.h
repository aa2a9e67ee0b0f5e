/* net_fw.h: the data plane's state in the store, and moat's firewall made
 * from it. A container's endpoint (a veth on a network's bridge) is a
 * file endpoints/VETH.json, written before its veth is made and removed
 * after it is gone; it records the endpoint's part of the firewall (its
 * network, itself, its published ports) that moat-net's setup added as
 * elements of moat's sets and maps and its teardown deletes.
 *
 * The whole firewall is regenerated from the networks and these files and
 * applied by moat-net in one transaction when a container's own change is
 * not enough: moat-net reports moat's tables, sets or the network's rules
 * missing (first use, a new network, an admin's `nft flush ruleset`) or
 * refused, moat has just turned ip_forward on, something an earlier
 * command left is found (below); and for network rm and `network reload`.
 * All under endpoints/lock, so that two containers starting at once never
 * apply a ruleset without the other. Under that lock a file whose veth is
 * gone (its container died with it), or a veth "mv..." without a file
 * (its setup was killed), is what an earlier command left: removed by the
 * whole apply. */
#ifndef MOAT_NET_FW_H
#define MOAT_NET_FW_H

#include "ctr_ports.h"
#include "store.h"
#include "../util/err.h"
#include <jansson.h>

struct net_ep {
    const char *ctr;  /* container id */
    const char *veth; /* the host end, "mv..." */
    const char *bridge, *ip, *mac;
    const struct port_map *ports; /* published through it */
    size_t nports;
};

/* The lock (a descriptor to close), taken before anything below. A
 * network namespace's moat networks (bridges moat0, moat1, ... and moat's
 * tables) are one store's at a time: the lock claims them for this store
 * (/run/moat-net.NETNS), and refuses while another store has running
 * endpoints there. */
int net_lock(struct store *s, merr_t *err);
/* With no endpoint left, this store lets the namespace's networks go. */
void net_release(struct store *s);
/* Regenerate and apply the firewall (with the lock held). */
int net_fw_apply(struct store *s, merr_t *err);
/* With the lock held: record ep, run moat-net's setup request (the
 * container's network namespace nsfd on its fd 3) with the endpoint's
 * part of the firewall, apply the whole firewall if that was not enough.
 * A failure undoes it all. */
int net_ep_up(struct store *s, const struct net_ep *ep, json_t *setup, int nsfd, merr_t *err);
/* With the lock held: remove the veth (if there), its elements and the
 * record. 1: the whole firewall is left for the caller to apply (the
 * elements could not be deleted, or something is left to clean); 0: done. */
int net_ep_down(struct store *s, const char *veth, merr_t *err);

/* With the lock held: every endpoint of container id down (net_ep_down);
 * how many of them left the whole firewall to apply. */
int net_ep_down_ctr(struct store *s, const char *id);
/* Takes the lock: what container id left of its endpoints (its monitor
 * died) removed, and the firewall applied without them if there were. */
void net_cleanup_ctr(struct store *s, const char *id);
/* Apply the whole firewall again (takes the lock): `moat network reload`,
 * after an admin flushed the ruleset. */
int net_fw_reload(struct store *s, merr_t *err);
/* A network is gone from the store: its bridge removed (if there) and the
 * firewall applied without it (takes the lock). */
int net_bridge_remove(struct store *s, const char *device, merr_t *err);

#endif
