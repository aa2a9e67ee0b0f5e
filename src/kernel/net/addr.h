/* addr.h: IPv4 addresses of a device over rtnetlink (RTM_NEWADDR,
 * RTM_DELADDR). The *_msg functions only build the request (see nl.h). */
#ifndef MOAT_KERNEL_NET_ADDR_H
#define MOAT_KERNEL_NET_ADDR_H

#include "nl.h"
#include <netinet/in.h>

/* ADDR/PREFIX on device `index`, with the subnet's broadcast address */
struct nlmsghdr *addr_msg_add(void *buf, int index, struct in_addr addr, unsigned prefix);
struct nlmsghdr *addr_msg_del(void *buf, int index, struct in_addr addr, unsigned prefix);

/* `name` names the device in an error; an address the device already has
 * is an error with errnum EEXIST */
int addr_add(struct nl *nl, int index, struct in_addr addr, unsigned prefix, const char *name,
             merr_t *err);
int addr_del(struct nl *nl, int index, struct in_addr addr, unsigned prefix, const char *name,
             merr_t *err);

#endif
