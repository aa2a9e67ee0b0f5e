/* accept.h: a UNIX listener's connections, accepted by moat-api itself
 * (not by libmicrohttpd) so that each user gets a share: a uid with
 * ACCEPT_PER_UID connections open gets no more until one closes, and
 * the others still get theirs (the listener's limit is shared by all).
 * The connection itself goes to libmicrohttpd as accepted (the back reads
 * the caller from it: SO_PEERCRED). */
#ifndef MOAT_API_ACCEPT_H
#define MOAT_API_ACCEPT_H

#include <microhttpd.h>
#include <sys/socket.h>

#define ACCEPT_PER_UID 64U

/* A thread that accepts on the listening socket fd for ever and hands
 * each connection to take (which owns it from then on); 0, or -1. */
typedef void (*accept_fn)(int fd, const struct sockaddr *addr, socklen_t len, void *ctx);
int accept_loop(int fd, accept_fn take, void *ctx);

/* Serve the listening socket fd into d (started with
 * MHD_USE_NO_LISTEN_SOCKET and accept_notify); 0, or -1. */
int accept_serve(int fd, struct MHD_Daemon *d);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION: counts each uid's open
 * connections. */
void accept_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                   enum MHD_ConnectionNotificationCode toe);

#endif
