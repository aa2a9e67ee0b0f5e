/* remove.h: ops "teardown" (a container's host end: its peer goes with
 * it) and "bridge-rm". Absent is done; a device of that name that is not
 * a veth (teardown) or not a bridge (bridge-rm) is left and is an error. */
#ifndef MOAT_NET_REMOVE_H
#define MOAT_NET_REMOVE_H

#include "ctx.h"
#include "req.h"

int net_teardown(struct net_ctx *c, const struct net_req *r, merr_t *err);
int net_bridge_rm(struct net_ctx *c, const struct net_req *r, merr_t *err);

#endif
