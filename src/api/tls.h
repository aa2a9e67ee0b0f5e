/* tls.h: the client certificate of a TLS connection (libmicrohttpd with
 * GnuTLS): verified against the CA the daemon was given, its subject's
 * CN is who the caller is. */
#ifndef MOAT_API_TLS_H
#define MOAT_API_TLS_H

#include <microhttpd.h>

/* The verified peer certificate's CN to *cn (malloc'd); -1 and *err if
 * there is none or it does not verify. */
int tls_peer_cn(struct MHD_Connection *c, char **cn, char **err);

#endif
