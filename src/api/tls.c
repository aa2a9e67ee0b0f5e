/* tls.c: the caller's name from its client certificate (see tls.h). */
#include "tls.h"
#include "../util/util.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int tls_peer_cn(gnutls_session_t s, char **cn, char **err)
{
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
    /* a certificate for another purpose (a server's) is not a client's:
     * with key purposes, one must be TLS client authentication */
    bool purposes = false, client = false;
    for (unsigned i = 0; r >= 0; i++) {
        char oid[128];
        size_t ol = sizeof(oid);
        if (gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &ol, NULL) < 0)
            break;
        purposes = true;
        client |= !strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) || !strcmp(oid, GNUTLS_KP_ANY);
    }
    client |= !purposes;
    if (r >= 0 && !client) {
        gnutls_x509_crt_deinit(crt);
        *err = xstrdup("the certificate is not one for TLS clients (extendedKeyUsage clientAuth)");
        return -1;
    }
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
