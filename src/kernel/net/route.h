/* route.h: IPv4 routes over rtnetlink (RTM_NEWROUTE). The *_msg function
 * only builds the request (see nl.h). */
#ifndef MOAT_KERNEL_NET_ROUTE_H
#define MOAT_KERNEL_NET_ROUTE_H

#include "nl.h"
#include <netinet/in.h>

/* default via GW dev `oif`, in the main table */
struct nlmsghdr *route_msg_default(void *buf, struct in_addr gw, int oif);

/* `name` names the device in an error */
int route_add_default(struct nl *nl, struct in_addr gw, int oif, const char *name, merr_t *err);

#endif
