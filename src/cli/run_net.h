/* run_net.h: the run/create flags of networking: they fill HostConfig
 * and the endpoint of the container's network under Docker's names
 * (engine/ctr_net.h checks and applies them). */
#ifndef MOAT_CLI_RUN_NET_H
#define MOAT_CLI_RUN_NET_H

#include "flags.h"

struct run_opts;

enum {
    N_FIRST = 700,
    N_PUBLISH = N_FIRST,
    N_PUBLISH_ALL,
    N_EXPOSE,
    N_DNS,
    N_DNS_SEARCH,
    N_DNS_OPTION,
    N_ADD_HOST,
    N_ALIAS,
    N_LINK,
    N_IP,
    N_IP6,
    N_MAC,
    N_LAST,
};

/* one of the flags above into o; -1 after a message */
int run_net_flag(struct run_opts *o, int id, struct flags_it *it);

#endif
