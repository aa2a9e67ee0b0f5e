/* tlsterm.h: moat-api's TLS. A TCP listener's connections are accepted
 * here, not by libmicrohttpd: each gets a thread that does the handshake
 * (GnuTLS, the client's certificate requested and checked against the
 * daemon's CA) and then copies between the TLS session and a socketpair
 * whose other end libmicrohttpd serves as plain HTTP. So an upgraded
 * stream (attach, exec) is a plain socket that goes to the back and the
 * container's monitor like a UNIX socket client's, and the client's TLS
 * close_notify is passed on as a half-close (libmicrohttpd's own TLS does
 * not report it on an upgraded connection). */
#ifndef MOAT_API_TLSTERM_H
#define MOAT_API_TLSTERM_H

#include <microhttpd.h>

/* The credentials from PEM texts; -1 and *err (static text) if unusable. */
int tlsterm_init(const char *cert, const char *key, const char *ca, const char **err);

/* Serve the listening socket fd: a thread accepts, and each connection
 * goes to d (started with MHD_USE_NO_LISTEN_SOCKET) once its handshake is
 * done. At most max connections at once (more are closed). */
int tlsterm_serve(int fd, struct MHD_Daemon *d, unsigned max);

/* For the plain socket libmicrohttpd serves: the client's verified CN
 * (*cn, malloc'd) and a duplicate of its TCP connection (*tcp, for the
 * back to see which listener it came on); or -1 and *err (malloc'd) when
 * the client has no acceptable certificate (or the socket is not ours). */
int tlsterm_peer(int plain, char **cn, int *tcp, char **err);

#endif
