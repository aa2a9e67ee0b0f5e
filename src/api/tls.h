/* tls.h: the client certificate of a TLS session (GnuTLS, tlsterm.h):
 * verified against the CA the daemon was given, its subject's CN is who
 * the caller is. */
#ifndef MOAT_API_TLS_H
#define MOAT_API_TLS_H

#include <gnutls/gnutls.h>

/* The verified peer certificate's CN to *cn (malloc'd); -1 and *err if
 * there is none or it does not verify. */
int tls_peer_cn(gnutls_session_t s, char **cn, char **err);

#endif
