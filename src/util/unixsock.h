/* unixsock.h: AF_UNIX stream connections and fd passing (SCM_RIGHTS), for
 * the console socket and the seccomp listener. */
#ifndef MOAT_UNIXSOCK_H
#define MOAT_UNIXSOCK_H

#include "err.h"

#include <stddef.h>
#include <sys/types.h>

/* Connect to a socket path; `what` names it in errors ("--console-socket"). */
int unix_connect(const char *path, const char *what, merr_t *err);
/* Send one fd with a payload (non-empty). */
int unix_send_fd(int sock, int fd, const char *payload, merr_t *err);
/* Receive one fd (close-on-exec). */
int unix_recv_fd(int sock, merr_t *err);

/* Send n fds (n <= UNIX_MAX_FDS) with a payload of len > 0 bytes. */
#define UNIX_MAX_FDS 4
int unix_send_fds(int sock, const int *fds, size_t n, const void *payload, size_t len, merr_t *err);
/* Receive up to UNIX_MAX_FDS fds (close-on-exec) and a payload of at most
 * cap bytes: the payload's length (0: the peer is gone), the fds to fds,
 * their count to *n (any beyond max are closed). */
ssize_t unix_recv_fds(int sock, int *fds, size_t max, size_t *n, void *buf, size_t cap,
                      merr_t *err);

#endif
