/* landlock.h: Landlock rulesets (best effort down to the kernel's ABI). */
#ifndef MOAT_LANDLOCK_H
#define MOAT_LANDLOCK_H

#include "../oci/spec.h"
#include "../util/err.h"
#include <stdbool.h>
#include <stdint.h>

/* The kernel's Landlock ABI version, 0 if Landlock is unavailable. */
int landlock_abi(void);
/* Rights and scopes a kernel ABI knows. */
uint64_t landlock_fs_mask(int abi);
uint64_t landlock_net_mask(int abi);
uint64_t landlock_scope_mask(int abi);

#define LANDLOCK_SCOPE_ABSTRACT_UNIX 1ULL
#define LANDLOCK_SCOPE_SIGNALS 2ULL

/* Build a ruleset from the spec, with paths resolved below rootfd (the
 * container's root), keeping only the scopes in keep_scopes (an exec'd
 * process gets fewer). Returns the ruleset fd, or -2 if Landlock is
 * unavailable and best effort allows running without it. */
int landlock_prepare(const struct spec_landlock *l, int rootfd, uint64_t keep_scopes, merr_t *err);
/* A ruleset handling the given rights and scopes (those the kernel knows):
 * its fd, or -2 if the kernel has no Landlock. */
int landlock_ruleset(uint64_t fs, uint64_t net, uint64_t scoped, merr_t *err);
/* Allow `access` below the file or directory fd (only the rights that
 * apply to a file, for a file; those the kernel knows). */
int landlock_allow(int ruleset_fd, int fd, uint64_t access, merr_t *err);
/* Allow `access` (LANDLOCK_ACCESS_NET_*: bind 1, connect 2) on TCP port
 * `port` (those rights the kernel knows). */
int landlock_allow_port(int ruleset_fd, uint64_t port, uint64_t access, merr_t *err);
/* Enforce it on this process (needs no_new_privs or CAP_SYS_ADMIN). */
int landlock_enforce(int ruleset_fd, merr_t *err);

#endif
