/* tls.c: the caller's name from its client certificate (see tls.h). */
#include "tls.h"
#include "../util/util.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>

int tls_peer_cn(struct MHD_Connection *c, char **cn, char **err)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_session_t s = ci ? (gnutls_session_t)ci->tls_session : NULL;
    unsigned status = 1;
    if (!s || gnutls_certificate_verify_peers2(s, &status) < 0 || status != 0) {
        *err = xstrdup("a client certificate signed by the daemon's CA is required");
        return -1;
    }
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(s, &n);
    gnutls_x509_crt_t crt;
    if (!certs || n == 0 || gnutls_x509_crt_init(&crt) < 0) {
        *err = xstrdup("no client certificate");
        return -1;
    }
    char buf[256] = {0};
    size_t len = sizeof(buf);
    int r = gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER);
    if (r >= 0)
        r = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &len);
    gnutls_x509_crt_deinit(crt);
    if (r < 0 || len == 0 || memchr(buf, 0, len)) {
        *err = xstrdup("the client certificate has no usable common name (CN)");
        return -1;
    }
    *cn = strndup(buf, len);
    return *cn ? 0 : -1;
}
