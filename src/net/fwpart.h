/* fwpart.h: a container's endpoint in moat's firewall, changed with its
 * setup and teardown: the "firewall" member of those requests,
 *   {"networks":[NET], "endpoints":[EP], "ports":[PORT...]}
 * in the shapes of the `firewall` request (fw.h), is turned into elements
 * of moat's sets and maps (fw_elems.c) and added or deleted in one netlink
 * batch (nftset.h): no rule changes, no libnftables.
 *
 * The outcome is part of the reply, "firewall": "ok"; "missing" when
 * moat's tables, their sets, or (setup) the network's bridge in set
 * bridges are not there (first use, a new network, an admin's flush: the
 * engine applies the whole ruleset then); "failed" with "firewall_error"
 * for another refusal (the engine applies the whole ruleset too, which
 * reports the error if it persists). */
#ifndef MOAT_NET_FWPART_H
#define MOAT_NET_FWPART_H

#include "ctx.h"
#include "fw.h"
#include "req.h"

#include <jansson.h>

/* The request's "firewall" member into st: 1, 0 when there is none, -1
 * (malformed) when it is not an endpoint's part matching r (its veth; for
 * setup its bridge, address and MAC too). */
int net_fwpart_parse(const json_t *req, const struct net_req *r, struct fw_state *st, merr_t *err);

/* Add st's elements (before the setup makes the veth: the endpoint is
 * isolated and filtered before it can send or receive) into reply. */
void net_fwpart_add(struct net_ctx *c, const struct fw_state *st, json_t *reply);
/* Delete them (after the teardown removed the veth) into reply. */
void net_fwpart_del(struct net_ctx *c, const struct fw_state *st, json_t *reply);
/* The undo of net_fwpart_add when the setup fails. */
void net_fwpart_undo(struct net_ctx *c, const struct fw_state *st);

#endif
