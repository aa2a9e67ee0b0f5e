/* seal.h: the runtime's own protection against CVE-2019-5736.
 *
 * A moat process that enters a container whose root could write the moat
 * binary must be running from a read-only view of it (selfexe.h): else a
 * process of the container could reach the host's binary through
 * /proc/<pid>/exe (or /proc/self/exe as a script's interpreter) and
 * rewrite it. The decision is made here, by the runtime's create and exec
 * themselves, so that no caller (the runtime's CLI, the engine, later the
 * daemon) can forget it: when it is needed and the process is not
 * protected yet, the process re-executes itself through the read-only view
 * with the arguments it was started with, from main; a process that may
 * not be restarted (a monitor: seal_set_argv(NULL)) gets an error instead,
 * never an unprotected entry. */
#ifndef MOAT_SEAL_H
#define MOAT_SEAL_H

#include "runtime.h"
#include "../oci/spec.h"
#include <stdbool.h>

/* seal_set_argv, seal_protect_now: runtime.h */
/* Could the container's root write our binary (no user namespace, a
 * joined one, or a mapping that covers the binary's owner)? */
bool seal_exe_reachable(const struct spec *s);
/* Before a process joins the running container of spec s. */
int seal_for_exec(const struct spec *s, merr_t *err);
/* Before the init of a new container: refuses to join a pid namespace
 * with CAP_SYS_PTRACE while an unprotected moat init is in it, and
 * protects this process where the init could be seen by the container. */
int seal_for_create(const struct spec *s, merr_t *err);

#endif
