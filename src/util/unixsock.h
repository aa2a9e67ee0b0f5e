/* unixsock.h: AF_UNIX stream connections and fd passing (SCM_RIGHTS), for
 * the console socket and the seccomp listener. */
#ifndef MOAT_UNIXSOCK_H
#define MOAT_UNIXSOCK_H

#include "err.h"

/* Connect to a socket path; `what` names it in errors ("--console-socket"). */
int unix_connect(const char *path, const char *what, merr_t *err);
/* Send one fd with a payload (non-empty). */
int unix_send_fd(int sock, int fd, const char *payload, merr_t *err);
/* Receive one fd (close-on-exec). */
int unix_recv_fd(int sock, merr_t *err);

#endif
