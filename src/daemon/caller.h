/* caller.h: who sent a request, from the connection itself: the listener
 * it came in on (getsockname) and the peer's credentials (SO_PEERCRED,
 * SO_PEERGROUPS) on the UNIX sockets; the client certificate's CN
 * (verified by moat-api) on TCP. Fail closed: anything not understood is
 * refused. */
#ifndef MOAT_DAEMON_CALLER_H
#define MOAT_DAEMON_CALLER_H

#include "../util/err.h"
#include <stdbool.h>
#include <sys/types.h>

struct daemon_cfg {
    const char *admin_path, *user_path; /* the UNIX sockets (user_path may be NULL) */
    gid_t admin_gid;                    /* the group "moat" (0: none) */
    char **admin_cns;                   /* --tls-admin-cn */
};

struct caller {
    bool admin;
    char owner[80]; /* "uid:N" or "cn:NAME"; "" for an admin */
};

/* The caller on connection fd; cn is the verified CN moat-api reports for
 * a TCP connection. -1 and err (EACCES) if it may not use the API. */
int caller_of(int fd, const char *cn, const struct daemon_cfg *cfg, struct caller *c, merr_t *err);

#endif
