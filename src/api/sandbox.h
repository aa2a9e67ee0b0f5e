/* sandbox.h: moat-api's confinement, entered after it has its listening
 * sockets, its control socket and its TLS files, and before it reads a
 * byte from a client: its own user (no capabilities), no_new_privs;
 * Landlock: every file system right handled and none granted, no TCP bind
 * or connect, abstract unix sockets and signals scoped; seccomp: an
 * allow-list of what libmicrohttpd's threads, GnuTLS and the request
 * relay call (no open, exec, ptrace or mount; sockets only as
 * socketpairs of the unix family), anything else fails with EPERM, a call
 * of another architecture kills it. */
#ifndef MOAT_API_SANDBOX_H
#define MOAT_API_SANDBOX_H

#include "../util/err.h"
#include <sys/types.h>

int api_sandbox_enter(uid_t uid, gid_t gid, merr_t *err);

#endif
