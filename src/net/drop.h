/* drop.h: moat-net's privilege drop, after it has opened its netlink
 * sockets and /proc/sys files: every capability but CAP_NET_ADMIN goes
 * from all five sets (bounding, permitted, effective, inheritable,
 * ambient), no_new_privs, and a seccomp allow-list of what the ops need
 * on descriptors already open (read, write, netlink send and receive,
 * memory, exit): no open, no socket, no exec, no setns. Anything else
 * fails with EPERM; a call of another architecture kills the process. */
#ifndef MOAT_NET_DROP_H
#define MOAT_NET_DROP_H

#include "../util/err.h"

int net_drop_privileges(merr_t *err);

#endif
