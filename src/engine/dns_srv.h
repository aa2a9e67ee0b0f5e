/* dns_srv.h: the embedded resolver's state, shared by its loop
 * (dns_server.c) and its forwarding to upstream servers (dns_fwd.c).
 * Everything is bounded: DNS_PENDING queries in flight, one TCP client,
 * queries of DNS_QUERY_MAX bytes, replies of 64 KiB. */
#ifndef MOAT_DNS_SRV_H
#define MOAT_DNS_SRV_H

#include "dns_msg.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNS_PENDING 64
#define DNS_QUERY_MAX 4096
#define DNS_UPSTREAMS 8
#define DNS_LOOKUP_MS 2000 /* the monitor's answer */
#define DNS_TRY_MS 2000    /* each upstream server's */
#define DNS_TCP_IDLE_MS 10000

enum pend_state { P_FREE, P_LOOKUP, P_UDP, P_CONNECT, P_TCP };

struct pend {
    enum pend_state state;
    bool tcp;     /* from the TCP client (of generation gen) */
    uint32_t gen; /* the TCP client's */
    struct sockaddr_in from;
    uint8_t *msg; /* the query as received */
    size_t len;
    struct dns_query q;
    uint32_t tag;     /* of its lookup */
    int up;           /* its socket to the upstream server */
    size_t server;    /* which one */
    uint16_t fid;     /* the id it was sent with */
    int64_t deadline; /* ms, CLOCK_MONOTONIC */
    uint8_t *rbuf;    /* a TCP reply: 2 bytes of length, then that */
    size_t rlen;
};

struct tcpc {
    int fd;
    uint32_t gen;
    uint8_t in[2 + DNS_QUERY_MAX];
    size_t have;
    uint8_t *out; /* a reply being written, length first */
    size_t outlen, sent;
    bool busy; /* a query of it in flight */
    int64_t deadline;
};

struct srv {
    int udp, tcpl, ctl;
    struct sockaddr_storage up[DNS_UPSTREAMS];
    socklen_t uplen[DNS_UPSTREAMS];
    size_t nup;
    struct pend p[DNS_PENDING];
    struct tcpc c;
    uint32_t tags;
};

/* the reply to p's client (its own id already in msg), and p freed */
void dns_pend_reply(struct srv *s, struct pend *p, const uint8_t *msg, size_t n);
/* p answered with rcode alone (SERVFAIL, REFUSED), and freed */
void dns_pend_fail(struct srv *s, struct pend *p, int rcode);

/* forward p to the first upstream server (none: REFUSED) */
void dns_fwd_start(struct srv *s, struct pend *p);
/* p's upstream socket is ready (revents of poll) */
void dns_fwd_ready(struct srv *s, struct pend *p, short revents);
/* p's time ran out at now: the next server, or SERVFAIL */
void dns_fwd_timeout(struct srv *s, struct pend *p);

#endif
