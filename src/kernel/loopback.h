/* loopback.h: the loopback interface of a new network namespace. */
#ifndef MOAT_LOOPBACK_H
#define MOAT_LOOPBACK_H

#include "../util/err.h"

/* Bring "lo" of the caller's network namespace up. The kernel then gives
 * it 127.0.0.1/8 (and ::1) and the local routes, as runc and crun do for a
 * namespace they create: without it a server and a client in one
 * container cannot talk over 127.0.0.1. */
int loopback_up(merr_t *err);

#endif
