/* setup.h: op "setup": a container's endpoint on a bridge.
 *
 * The bridge is created if missing (kind bridge, the request's MTU, the
 * MAC 02:6d: and the 4 bytes of bridge_addr, fixed: without one of its
 * own a bridge takes its ports' lowest MAC and all zeros when none); then
 * the veth pair: the host end `veth` (hairpin mode on, attached to the
 * bridge, up), the peer born in the container's namespace as `ifname`
 * with the request's MAC and MTU, its address, up, `lo` up, the default
 * route via the gateway; then the bridge's address, route_localnet=1 and
 * up (a bridge that existed is changed only now: a failure before leaves
 * it as it was); then net.ipv4.ip_forward is set to 1 if it was 0.
 * Idempotent for the bridge: two requests may create it at once.
 *
 * A failure removes what the request made: the host end (its peer goes
 * with it), the bridge's address if this request added it, the bridge if
 * this request created it and no other port has joined it since. */
#ifndef MOAT_NET_SETUP_H
#define MOAT_NET_SETUP_H

#include "ctx.h"
#include "req.h"
#include <stdbool.h>

int net_setup(struct net_ctx *c, const struct net_req *r, bool *ip_forward_set, merr_t *err);

#endif
