/* worker.h: one request, served in a process of its own forked by the
 * daemon for it: read the typed request from its channel, learn who
 * sent it (caller.h), run its handler on the store, answer, exit. A
 * crash or a hang of one request touches no other. */
#ifndef MOAT_DAEMON_WORKER_H
#define MOAT_DAEMON_WORKER_H

#include "caller.h"

/* Serve the request on chan from the client connection conn (both
 * closed); the exit status of the worker. */
int worker_main(const char *root, const struct daemon_cfg *cfg, int chan, int conn);

#endif
