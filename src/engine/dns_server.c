/* dns_server.c: the embedded resolver's process (see dns_server.h): its
 * clients' queries over UDP and TCP, the names it asks its monitor about,
 * one poll loop. */
#include "dns_server.h"
#include "dns_ctl.h"
#include "dns_sandbox.h"
#include "dns_srv.h"
#include "../util/util.h"
#include "../util/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void pend_free(struct pend *p)
{
    if (p->up >= 0)
        close(p->up);
    free(p->msg);
    free(p->rbuf);
    *p = (struct pend){.state = P_FREE, .up = -1};
}

static void tcp_close(struct tcpc *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->out);
    *c = (struct tcpc){.fd = -1, .gen = c->gen + 1};
}

void dns_pend_reply(struct srv *s, struct pend *p, const uint8_t *msg, size_t n)
{
    if (!p->tcp) {
        (void)sendto(s->udp, msg, n, MSG_DONTWAIT, (struct sockaddr *)&p->from, sizeof(p->from));
    } else if (s->c.fd >= 0 && s->c.gen == p->gen && n <= 65535) {
        s->c.out = malloc(2 + n);
        s->c.out[0] = (uint8_t)(n >> 8);
        s->c.out[1] = (uint8_t)n;
        memcpy(s->c.out + 2, msg, n);
        s->c.outlen = 2 + n;
        s->c.sent = 0;
        s->c.deadline = clock_mono_ms() + DNS_TCP_IDLE_MS;
    }
    pend_free(p);
}

void dns_pend_fail(struct srv *s, struct pend *p, int rcode)
{
    uint8_t out[DNS_UDP_MAX];
    size_t n = dns_answer(p->msg, &p->q, rcode, NULL, 0, out, sizeof(out));
    if (n)
        dns_pend_reply(s, p, out, n);
    else
        pend_free(p);
}

/* a reply made here to a query not kept */
static void reply_now(struct srv *s, bool tcp, const struct sockaddr_in *from, const uint8_t *m,
                      size_t n)
{
    struct pend p = {.tcp = tcp, .gen = s->c.gen, .up = -1};
    if (from)
        p.from = *from;
    dns_pend_reply(s, &p, m, n);
}

static struct pend *pend_new(struct srv *s)
{
    for (size_t i = 0; i < DNS_PENDING; i++)
        if (s->p[i].state == P_FREE)
            return &s->p[i];
    return NULL;
}

/* ask the monitor about p's name */
static void lookup(struct srv *s, struct pend *p)
{
    uint8_t b[DNS_CTL_REQ_MAX];
    p->tag = ++s->tags;
    size_t n = dns_ctl_req(p->tag, p->q.name, b);
    p->state = P_LOOKUP;
    p->deadline = clock_mono_ms() + DNS_LOOKUP_MS;
    if (!n) {
        dns_fwd_start(s, p);
        return;
    }
    if (send(s->ctl, b, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n)
        dns_pend_fail(s, p, DNS_SERVFAIL);
}

static void query_in(struct srv *s, const uint8_t *m, size_t n, bool tcp,
                     const struct sockaddr_in *from)
{
    uint8_t out[DNS_UDP_MAX];
    struct dns_query q;
    int r = dns_parse_query(m, n, &q);
    if (r < 0)
        return;
    if (r > 0) {
        size_t l = dns_error(m, n, r, out, sizeof(out));
        reply_now(s, tcp, from, out, l);
        return;
    }
    struct pend *p = pend_new(s);
    if (!p) {
        size_t l = dns_answer(m, &q, DNS_SERVFAIL, NULL, 0, out, sizeof(out));
        if (l)
            reply_now(s, tcp, from, out, l);
        return;
    }
    *p = (struct pend){.tcp = tcp, .gen = s->c.gen, .q = q, .up = -1, .len = n};
    if (from)
        p->from = *from;
    p->msg = malloc(n);
    memcpy(p->msg, m, n);
    if (tcp)
        s->c.busy = true;
    if (q.local && q.qclass == DNS_CLASS_IN)
        lookup(s, p);
    else
        dns_fwd_start(s, p);
}

static void ctl_in(struct srv *s)
{
    uint8_t b[DNS_CTL_REP_MAX + 1], out[DNS_UDP_MAX];
    uint32_t tag, addrs[DNS_CTL_MAX];
    ssize_t n = recv(s->ctl, b, sizeof(b), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        _exit(0); /* the monitor is gone */
    int c = n > 0 ? dns_ctl_rep_parse(b, (size_t)n, &tag, addrs) : -1;
    for (size_t i = 0; c >= 0 && i < DNS_PENDING; i++) {
        struct pend *p = &s->p[i];
        if (p->state != P_LOOKUP || p->tag != tag)
            continue;
        if (c == 0) {
            dns_fwd_start(s, p);
            return;
        }
        /* a container's name: its addresses, or no data of another type */
        size_t l = dns_answer(p->msg, &p->q, DNS_NOERROR, addrs,
                              p->q.qtype == DNS_TYPE_A ? (size_t)c : 0, out, sizeof(out));
        if (l)
            dns_pend_reply(s, p, out, l);
        else
            pend_free(p);
        return;
    }
}

static void udp_in(struct srv *s)
{
    static uint8_t b[DNS_QUERY_MAX];
    for (int i = 0; i < 16; i++) {
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t n =
            recvfrom(s->udp, b, sizeof(b), MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &fl);
        if (n < 0)
            return;
        if ((size_t)n <= sizeof(b) && fl == sizeof(from) && from.sin_family == AF_INET)
            query_in(s, b, (size_t)n, false, &from);
    }
}

static void tcp_accept(struct srv *s)
{
    int fd = accept4(s->tcpl, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    s->c.fd = fd;
    s->c.deadline = clock_mono_ms() + DNS_TCP_IDLE_MS;
}

static void tcp_in(struct srv *s)
{
    struct tcpc *c = &s->c;
    size_t want = 2;
    if (c->have >= 2) {
        want += (size_t)c->in[0] << 8 | c->in[1];
        if (want == 2 || want > sizeof(c->in)) { /* empty, or longer than a query is */
            tcp_close(c);
            return;
        }
    }
    ssize_t n = read(c->fd, c->in + c->have, want - c->have);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        tcp_close(c);
        return;
    }
    c->have += (size_t)n;
    c->deadline = clock_mono_ms() + DNS_TCP_IDLE_MS;
    if (c->have == want && want > 2) {
        c->have = 0;
        query_in(s, c->in + 2, want - 2, true, NULL);
    }
}

static void tcp_out(struct srv *s)
{
    struct tcpc *c = &s->c;
    ssize_t n = send(c->fd, c->out + c->sent, c->outlen - c->sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        tcp_close(c);
        return;
    }
    c->sent += (size_t)n;
    if (c->sent == c->outlen) {
        free(c->out);
        c->out = NULL;
        c->busy = false;
    }
}

/* what is late: its next step */
static int timeouts(struct srv *s)
{
    int64_t now = clock_mono_ms(), next = now + 60000;
    for (size_t i = 0; i < DNS_PENDING; i++) {
        struct pend *p = &s->p[i];
        if (p->state != P_FREE && p->deadline <= now) {
            if (p->state == P_LOOKUP)
                dns_pend_fail(s, p, DNS_SERVFAIL);
            else
                dns_fwd_timeout(s, p);
        }
        if (p->state != P_FREE && p->deadline < next)
            next = p->deadline;
    }
    if (s->c.fd >= 0 && s->c.deadline <= now)
        tcp_close(&s->c);
    if (s->c.fd >= 0 && s->c.deadline < next)
        next = s->c.deadline;
    return next > now ? (int)(next - now) : 0;
}

static void loop(struct srv *s)
{
    for (;;) {
        struct pollfd f[4 + DNS_PENDING];
        int ms = timeouts(s);
        struct tcpc *c = &s->c;
        f[0] = (struct pollfd){s->ctl, POLLIN, 0};
        f[1] = (struct pollfd){s->udp, POLLIN, 0};
        f[2] = (struct pollfd){c->fd < 0 ? s->tcpl : -1, POLLIN, 0};
        f[3] = (struct pollfd){c->fd, c->out ? POLLOUT : c->busy ? 0 : POLLIN, 0};
        for (size_t i = 0; i < DNS_PENDING; i++) {
            struct pend *p = &s->p[i];
            bool up = p->state == P_UDP || p->state == P_CONNECT || p->state == P_TCP;
            f[4 + i] =
                (struct pollfd){up ? p->up : -1, p->state == P_CONNECT ? POLLOUT : POLLIN, 0};
        }
        if (poll(f, 4 + DNS_PENDING, ms) < 0)
            continue;
        if (f[0].revents)
            ctl_in(s);
        if (f[1].revents)
            udp_in(s);
        if (f[2].revents)
            tcp_accept(s);
        else if (f[3].revents && c->fd >= 0)
            c->out ? tcp_out(s) : tcp_in(s);
        for (size_t i = 0; i < DNS_PENDING; i++)
            if (f[4 + i].revents && s->p[i].up == f[4 + i].fd && s->p[i].state != P_FREE &&
                s->p[i].state != P_LOOKUP)
                dns_fwd_ready(s, &s->p[i], f[4 + i].revents);
    }
}

/* fd is a socket of that type */
static bool sock_of(int fd, int type)
{
    struct stat st;
    int t = 0;
    socklen_t l = sizeof(t);
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
           getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &l) == 0 && t == type &&
           fcntl(fd, F_SETFL, O_NONBLOCK) == 0;
}

static int upstreams(struct srv *s, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct sockaddr_in *a = (struct sockaddr_in *)&s->up[s->nup];
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&s->up[s->nup];
        if (s->nup == DNS_UPSTREAMS)
            return 0; /* the first ones, as a libc resolver takes three */
        if (inet_pton(AF_INET, argv[i], &a->sin_addr) == 1) {
            a->sin_family = AF_INET;
            a->sin_port = htons(53);
            s->uplen[s->nup++] = sizeof(*a);
        } else if (inet_pton(AF_INET6, argv[i], &a6->sin6_addr) == 1) {
            a6->sin6_family = AF_INET6;
            a6->sin6_port = htons(53);
            s->uplen[s->nup++] = sizeof(*a6);
        } else {
            fprintf(stderr, "moat-dns: \"%.60s\": not an address\n", argv[i]);
            return -1;
        }
    }
    return 0;
}

int dns_server_main(int argc, char **argv)
{
    static struct srv s = {.udp = DNS_FD_UDP, .tcpl = DNS_FD_TCP, .ctl = DNS_FD_CTL};
    prctl(PR_SET_DUMPABLE, 0); /* no other resolver (the same uid) reads this one */
    prctl(PR_SET_NAME, DNS_PROC_NAME);
    s.c = (struct tcpc){.fd = -1};
    for (size_t i = 0; i < DNS_PENDING; i++)
        s.p[i] = (struct pend){.up = -1};
    if (!sock_of(s.udp, SOCK_DGRAM) || !sock_of(s.tcpl, SOCK_STREAM) ||
        !sock_of(s.ctl, SOCK_SEQPACKET) || upstreams(&s, argc, argv) < 0) {
        fprintf(stderr, "moat-dns: started without its sockets (the monitor starts it)\n");
        return 2;
    }
    merr_t err = MERR_INIT;
    if (dns_sandbox_enter(&err) < 0) {
        fprintf(stderr, "moat-dns: %s\n", err.msg);
        return 1;
    }
    loop(&s);
    return 0;
}
