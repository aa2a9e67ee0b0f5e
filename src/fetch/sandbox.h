/* sandbox.h: moat-fetch's own confinement, entered after it has read its
 * inputs and before it speaks to a registry.
 *
 * Landlock: read the system's libraries, CA certificates and resolver
 * files; read and write below `outdir` only (NULL: nowhere); read `ca`
 * (NULL: none); no TCP bind; abstract unix sockets and signals scoped.
 * Best effort down to the kernel's ABI (none on a kernel without it).
 * seccomp: an allow-list of what libcurl, OpenSSL and glibc's resolver
 * need (no exec, no fork, no ptrace, no mount, sockets of the inet,
 * inet6 and netlink families only); anything else fails with EPERM, and
 * a call of another architecture kills the process. */
#ifndef MOAT_FETCH_SANDBOX_H
#define MOAT_FETCH_SANDBOX_H

#include "../util/err.h"

int sandbox_enter(int outdir, const char *ca, merr_t *err);

#endif
