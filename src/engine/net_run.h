/* net_run.h: start moat-net, the network helper (src/net), with one
 * typed request: a JSON object on its stdin, the container's network
 * namespace on fd 3 when the request has one, nothing else of ours. It
 * runs as root (it needs CAP_NET_ADMIN in the host's network namespace)
 * and drops every other capability itself before it reads the request. */
#ifndef MOAT_NET_RUN_H
#define MOAT_NET_RUN_H

#include "../util/err.h"
#include <jansson.h>

/* Run it and wait. nsfd: fd 3, or -1. *reply (may be NULL): what it
 * printed, a JSON object (NULL when it printed nothing). Unless it exits
 * 0: -1, its message in err. */
int net_run(json_t *req, int nsfd, json_t **reply, merr_t *err);

#endif
