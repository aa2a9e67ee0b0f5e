/* tlsterm.c: TLS in front of libmicrohttpd (see tlsterm.h). */
#include "tlsterm.h"
#include "accept.h"
#include "tls.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HANDSHAKE_MS 10000 /* a client that does not finish its handshake */

struct conn {
    int tcp, plain, mine; /* the client's; libmicrohttpd's end; ours */
    char *cn, *bad;       /* the verified CN, or why there is none */
    struct conn *next;
};

static gnutls_certificate_credentials_t cred;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns;
static unsigned active;

struct listener {
    int fd;
    struct MHD_Daemon *d;
    unsigned max;
};

int tlsterm_init(const char *cert, const char *key, const char *ca, const char **err)
{
    gnutls_datum_t c = {(unsigned char *)cert, (unsigned)strlen(cert)},
                   k = {(unsigned char *)key, (unsigned)strlen(key)},
                   a = {(unsigned char *)ca, (unsigned)strlen(ca)};
    *err = "cannot set up TLS";
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return -1;
    if (gnutls_certificate_set_x509_key_mem(cred, &c, &k, GNUTLS_X509_FMT_PEM) < 0) {
        *err = "the certificate and key (--tlscert, --tlskey) cannot be used";
        return -1;
    }
    if (gnutls_certificate_set_x509_trust_mem(cred, &a, GNUTLS_X509_FMT_PEM) <= 0) {
        *err = "the CA (--tlscacert) holds no certificate";
        return -1;
    }
    return 0;
}

int tlsterm_peer(int plain, char **cn, int *tcp, char **err)
{
    *cn = NULL;
    *tcp = -1;
    *err = NULL;
    pthread_mutex_lock(&lock);
    struct conn *c = conns;
    while (c && c->plain != plain)
        c = c->next;
    if (c && c->cn) {
        *cn = xstrdup(c->cn);
        *tcp = fcntl(c->tcp, F_DUPFD_CLOEXEC, 3);
    }
    *err = xstrdup(c && c->bad ? c->bad
                               : "a client certificate signed by the daemon's CA is required");
    pthread_mutex_unlock(&lock);
    if (*cn && *tcp >= 0) {
        free(*err);
        *err = NULL;
        return 0;
    }
    free(*cn);
    *cn = NULL;
    if (*tcp >= 0)
        close(*tcp);
    *tcp = -1;
    return -1;
}

/* listed under the lock; a newer connection on a reused descriptor
 * number comes first, so lookups find it */
static void add(struct conn *c)
{
    pthread_mutex_lock(&lock);
    c->next = conns;
    conns = c;
    pthread_mutex_unlock(&lock);
}

static void drop(struct conn *c)
{
    pthread_mutex_lock(&lock);
    for (struct conn **p = &conns; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    active--;
    close(c->tcp); /* under the lock: tlsterm_peer never dups a closed one */
    pthread_mutex_unlock(&lock);
    if (c->mine >= 0)
        close(c->mine);
    free(c->cn);
    free(c->bad);
    free(c);
}

/* from the client to libmicrohttpd; false when that direction is over */
static bool tls_in(gnutls_session_t s, struct conn *c, bool *dead)
{
    char buf[16384];
    ssize_t n = gnutls_record_recv(s, buf, sizeof(buf));
    if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        return true;
    if (n > 0 && write_all(c->mine, buf, (size_t)n) == 0)
        return true;
    /* close_notify (0) or the TCP stream's end: a half-close */
    if (n != 0 && n != GNUTLS_E_PREMATURE_TERMINATION)
        *dead = true;
    shutdown(c->mine, SHUT_WR);
    return false;
}

/* from libmicrohttpd to the client; false once it has ended */
static bool tls_out(gnutls_session_t s, struct conn *c, bool *dead)
{
    char buf[16384];
    ssize_t n = read(c->mine, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    for (ssize_t off = 0; n > 0 && off < n;) {
        ssize_t w = gnutls_record_send(s, buf + off, (size_t)(n - off));
        if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
            continue;
        if (w < 0) {
            *dead = true;
            return false;
        }
        off += w;
    }
    if (n > 0)
        return true;
    gnutls_bye(s, GNUTLS_SHUT_WR);
    return false;
}

static void pump(gnutls_session_t s, struct conn *c)
{
    bool in = true, out = true, dead = false;
    while (out && !dead) {
        if (in && gnutls_record_check_pending(s) > 0) {
            in = tls_in(s, c, &dead);
            continue;
        }
        struct pollfd p[2] = {{in ? c->tcp : -1, POLLIN, 0}, {c->mine, POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            in = tls_in(s, c, &dead);
        if (p[1].revents && !dead)
            out = tls_out(s, c, &dead);
    }
}

static int handshake(gnutls_session_t *s, struct conn *c)
{
    if (gnutls_init(s, GNUTLS_SERVER) < 0)
        return -1;
    if (gnutls_set_default_priority(*s) < 0 ||
        gnutls_credentials_set(*s, GNUTLS_CRD_CERTIFICATE, cred) < 0)
        return -1;
    /* asked for, not required: one without gets an answer that says so */
    gnutls_certificate_server_set_request(*s, GNUTLS_CERT_REQUEST);
    gnutls_transport_set_int(*s, c->tcp);
    gnutls_handshake_set_timeout(*s, HANDSHAKE_MS);
    int r;
    do
        r = gnutls_handshake(*s);
    while (r < 0 && !gnutls_error_is_fatal(r));
    return r < 0 ? -1 : 0;
}

static void *conn_main(void *arg)
{
    struct conn *c = arg;
    gnutls_session_t s = NULL;
    if (handshake(&s, c) == 0) {
        if (tls_peer_cn(s, &c->cn, &c->bad) < 0)
            c->cn = NULL;
        pump(s, c);
    }
    if (s)
        gnutls_deinit(s);
    drop(c);
    return NULL;
}

/* a connection's socketpair, listed, and handed to libmicrohttpd */
static void take(struct listener *l, int tcp, const struct sockaddr *addr, socklen_t alen)
{
    int sp[2];
    struct conn *c = calloc(1, sizeof(*c));
    if (!c || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
        free(c);
        close(tcp);
        return;
    }
    *c = (struct conn){.tcp = tcp, .plain = sp[0], .mine = sp[1]};
    pthread_mutex_lock(&lock);
    active++;
    pthread_mutex_unlock(&lock);
    add(c);
    pthread_attr_t at;
    pthread_t t;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&at, 256 * 1024);
    if (pthread_create(&t, &at, conn_main, c) != 0) {
        close(sp[0]);
        drop(c);
    } else if (MHD_add_connection(l->d, sp[0], addr, alen) != MHD_YES) {
        shutdown(sp[1], SHUT_RDWR); /* the thread ends */
    }
    pthread_attr_destroy(&at);
}

static void take_full(int fd, const struct sockaddr *a, socklen_t len, void *ctx)
{
    struct listener *l = ctx;
    pthread_mutex_lock(&lock);
    bool full = active >= l->max;
    pthread_mutex_unlock(&lock);
    if (full)
        close(fd);
    else
        take(l, fd, a, len);
}

int tlsterm_serve(int fd, struct MHD_Daemon *d, unsigned max)
{
    struct listener *l = malloc(sizeof(*l));
    if (!l)
        return -1;
    *l = (struct listener){.fd = fd, .d = d, .max = max};
    if (accept_loop(fd, take_full, l) < 0) {
        free(l);
        return -1;
    }
    return 0;
}
