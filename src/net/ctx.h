/* ctx.h: what moat-net opened while it still held its privileges, for the
 * ops that run after it dropped them (main.c). */
#ifndef MOAT_NET_CTX_H
#define MOAT_NET_CTX_H

#include "../kernel/net/nl.h"

struct net_ctx {
    struct nl host; /* rtnetlink in the host's network namespace */
    struct nl ctr;  /* in the container's (fd 3); ctr.sock NULL if none */
    struct nl nf;   /* NETLINK_NETFILTER in the host's (moat's set elements) */
    int netns_fd;   /* the container's network namespace (3), or -1 */
    int ip_forward; /* /proc/sys/net/ipv4/ip_forward, read-write */
};

#endif
