/* vmexec.h: a second process in a running VM, through its supervisor's
 * exec_socket (vmm.h), an AF_UNIX SOCK_SEQPACKET socket.
 *
 *   client -> supervisor, first message: {"process": OCI process object}
 *       with SCM_RIGHTS fds: stdin, stdout, stderr (3), or one terminal
 *       for all three (1; then process.terminal should be true)
 *   client -> supervisor, later: {"signal": N} or {"resize": [rows, cols]}
 *   supervisor -> client, once: {"status": N} (its code, or 128 + the
 *       signal), with "error": text when it could not start (status 126
 *       or 127) or the VM ended first (status 137 or 125)
 *
 * The supervisor relays the fds' data as frames of a channel of its own;
 * a client that closes its socket before the reply has the process
 * killed (SIGKILL). */
#ifndef MOAT_VM_VMEXEC_H
#define MOAT_VM_VMEXEC_H

#include "../util/err.h"

#include <stddef.h>

/* Connect and send the request: the socket, or -1. */
int vmexec_start(const char *path, const char *process_json, const int *fds, size_t nfds,
                 merr_t *err);
int vmexec_signal(int sock, int signo, merr_t *err);
int vmexec_resize(int sock, unsigned rows, unsigned cols, merr_t *err);
/* Wait for the reply: *status, and *error (NULL if none; caller frees). */
int vmexec_wait(int sock, int *status, char **error, merr_t *err);

#endif
