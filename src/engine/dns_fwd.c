/* dns_fwd.c: the embedded resolver's forwarding of names it does not know
 * to the upstream servers (see dns_srv.h): each query on a socket of its
 * own, connected to the server (so only the server's packets arrive on
 * it, from a port the kernel picked at random), with an id of its own
 * from getrandom; UDP for a UDP client, TCP for the TCP client. A reply
 * must match the query's id and question; a server that does not answer
 * in DNS_TRY_MS is followed by the next, and after the last the client
 * gets SERVFAIL. */
#include "dns_srv.h"
#include "../util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define REPLY_MAX 65535

static uint8_t rbuf[REPLY_MAX];

static void up_close(struct pend *p)
{
    if (p->up >= 0)
        close(p->up);
    p->up = -1;
    free(p->rbuf);
    p->rbuf = NULL;
    p->rlen = 0;
}

/* send p to server p->server: 0, or -1 (try the next) */
static int try_server(struct srv *s, struct pend *p)
{
    const struct sockaddr *sa = (const struct sockaddr *)&s->up[p->server];
    p->up = socket(sa->sa_family,
                   (p->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (p->up < 0)
        return -1;
    if (getrandom(&p->fid, sizeof(p->fid), 0) != sizeof(p->fid))
        return -1;
    dns_set_id(p->msg, p->fid);
    p->deadline = clock_mono_ms() + DNS_TRY_MS;
    if (connect(p->up, sa, s->uplen[p->server]) < 0) {
        if (!p->tcp || errno != EINPROGRESS)
            return -1;
        p->state = P_CONNECT;
        return 0;
    }
    if (p->tcp) {
        p->state = P_CONNECT; /* writable at once: sent from dns_fwd_ready */
        return 0;
    }
    p->state = P_UDP;
    return send(p->up, p->msg, p->len, 0) == (ssize_t)p->len ? 0 : -1;
}

/* the next server from p->server on, or SERVFAIL */
static void next(struct srv *s, struct pend *p)
{
    for (; p->server < s->nup; p->server++) {
        up_close(p);
        if (try_server(s, p) == 0)
            return;
    }
    up_close(p);
    dns_set_id(p->msg, p->q.id);
    dns_pend_fail(s, p, DNS_SERVFAIL);
}

void dns_fwd_start(struct srv *s, struct pend *p)
{
    if (!s->nup) { /* an --internal network: nothing leaves it */
        dns_pend_fail(s, p, DNS_REFUSED);
        return;
    }
    p->server = 0;
    next(s, p);
}

void dns_fwd_timeout(struct srv *s, struct pend *p)
{
    p->server++;
    next(s, p);
}

/* reply (n bytes) from the server: to the client if it is the answer */
static bool answer(struct srv *s, struct pend *p, uint8_t *reply, size_t n)
{
    if (!dns_reply_matches(reply, n, p->fid, p->msg, &p->q))
        return false;
    dns_set_id(reply, p->q.id);
    up_close(p);
    dns_pend_reply(s, p, reply, n);
    return true;
}

static void tcp_send(struct srv *s, struct pend *p)
{
    int e = 0;
    socklen_t el = sizeof(e);
    uint8_t *b = malloc(2 + p->len);
    b[0] = (uint8_t)(p->len >> 8);
    b[1] = (uint8_t)p->len;
    memcpy(b + 2, p->msg, p->len);
    /* a query of at most DNS_QUERY_MAX bytes: the socket buffer takes it whole */
    bool ok = getsockopt(p->up, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0 &&
              send(p->up, b, 2 + p->len, MSG_NOSIGNAL) == (ssize_t)(2 + p->len);
    free(b);
    if (!ok) {
        p->server++;
        next(s, p);
        return;
    }
    p->state = P_TCP;
    p->rbuf = malloc(2 + REPLY_MAX);
    p->rlen = 0;
}

static void tcp_read(struct srv *s, struct pend *p)
{
    size_t want = p->rlen < 2 ? 2 : 2 + ((size_t)p->rbuf[0] << 8 | p->rbuf[1]);
    ssize_t n = read(p->up, p->rbuf + p->rlen, want - p->rlen);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        p->server++;
        next(s, p);
        return;
    }
    p->rlen += (size_t)n;
    if (p->rlen < 2 || p->rlen < 2 + ((size_t)p->rbuf[0] << 8 | p->rbuf[1]))
        return;
    uint8_t *b = p->rbuf;
    p->rbuf = NULL; /* up_close leaves it to us */
    if (!answer(s, p, b + 2, p->rlen - 2)) {
        p->server++;
        next(s, p);
    }
    free(b);
}

void dns_fwd_ready(struct srv *s, struct pend *p, short revents)
{
    if (p->state == P_CONNECT) {
        tcp_send(s, p);
        return;
    }
    if (p->state == P_TCP) {
        tcp_read(s, p);
        return;
    }
    if (!(revents & POLLIN)) { /* an ICMP error: the server is not there */
        p->server++;
        next(s, p);
        return;
    }
    ssize_t n = recv(p->up, rbuf, sizeof(rbuf), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0) {
        p->server++;
        next(s, p);
        return;
    }
    answer(s, p, rbuf, (size_t)n); /* anything else is ignored: the time runs on */
}
