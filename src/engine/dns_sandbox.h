/* dns_sandbox.h: the embedded resolver's confinement, entered once its
 * sockets are checked (it already runs as the user moat-dns with no
 * capability and no_new_privs, dns_run.c).
 *
 * Landlock: every file system right handled and none granted (it opens
 * nothing), no TCP bind, TCP connect to port 53 only, abstract unix
 * sockets and signals scoped (no other resolver is signalled); best
 * effort down to the kernel's ABI. seccomp: an allow-list of what its
 * poll loop calls (sockets of the inet families, datagram and stream,
 * only; no open, exec, fork, ptrace or kill); anything else fails with
 * EPERM, a call of another architecture kills it. */
#ifndef MOAT_DNS_SANDBOX_H
#define MOAT_DNS_SANDBOX_H

#include "../util/err.h"

int dns_sandbox_enter(merr_t *err);

#endif
