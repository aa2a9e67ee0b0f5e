/* vm_exec.h: `exec` into a container that runs in a VM. The process is
 * the guest's (its environment, cwd and user as the container's, with
 * the exec's options over them); the request goes to the VM's supervisor
 * (vm/vmexec.h) on its socket inside the sandbox, found with
 * RESOLVE_IN_ROOT. The caller's stdio go as they are for runc's command
 * line; the engine's exec (relay_stdio) sends pipes, or one socket for a
 * terminal, and relays them here, so the sandbox never holds the caller's
 * own descriptors. Signals this process gets go to the process; the
 * terminal's size follows ours. With --console-socket the terminal is a
 * pty of ours whose master goes there (runc's exec -t as shims drive it).
 * Detached, a process of ours holds the request until the process ends,
 * relaying its terminal, forwarding signals and exiting with its status:
 * that is the pid --pid-file gets (a shim's subreaper waits for it). */
#ifndef MOAT_RUNTIME_VM_EXEC_H
#define MOAT_RUNTIME_VM_EXEC_H

#include "../runtime.h"

#include <sys/types.h>

/* o in the VM whose supervisor is pid (the sandbox's init), config the
 * sandbox's config text: 0 and *status (its code, or 128 + its signal),
 * or -1 and err. Detached: 0 once it runs. lockfd: the container's state
 * lock (it pins pid), unlocked once the supervisor has the request. */
int vm_exec(const struct exec_opts *o, pid_t pid, const char *config, size_t len, int lockfd,
            int *status, merr_t *err);

#endif
