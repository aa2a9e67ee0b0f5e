/* listen.h: the daemon's listening sockets: UNIX sockets with an owner
 * group and mode 0660, TCP for mutual TLS, or those systemd passed
 * (LISTEN_FDS). */
#ifndef MOAT_DAEMON_LISTEN_H
#define MOAT_DAEMON_LISTEN_H

#include "../util/err.h"
#include <stdbool.h>
#include <sys/types.h>

/* The gid of group `name` from /etc/group; -1 if there is none. */
int group_gid(const char *name, gid_t *gid);
/* A UNIX socket at path, root:gid 0660 (its directory made 0755 if
 * missing). A socket left there by a daemon that is gone is replaced;
 * one that answers is another daemon's: an error. */
int listen_unix(const char *path, gid_t gid, merr_t *err);
/* A TCP socket on ADDR:PORT ("127.0.0.1:2376", "[::1]:2376"). */
int listen_tcp(const char *addr, merr_t *err);
/* A socket systemd passed that is bound to path (unix) or is TCP (path
 * NULL), or -1. */
int listen_systemd(const char *path);

#endif
