/* dns_msg.h: DNS messages as the embedded resolver (127.0.0.11) reads and
 * writes them, with no I/O: a query parsed from untrusted bytes, the
 * replies it makes itself, and the checks of a forwarded query's reply.
 *
 * A query is taken only as one question (QDCOUNT 1), its name of labels
 * of 1..63 bytes and at most 255 bytes on the wire, with no compression
 * pointer (a query has nothing to point to); anything else is refused
 * with FORMERR, or dropped when it cannot even be answered (shorter than
 * a header, or a response). Nothing is read past len. */
#ifndef MOAT_DNS_MSG_H
#define MOAT_DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR 12
#define DNS_NAME_MAX 253 /* a name as text, without its trailing dot */
#define DNS_UDP_MAX 512  /* what the resolver's own replies fit in */
#define DNS_TTL 600      /* of its own answers, Docker's */

enum dns_rcode {
    DNS_NOERROR = 0,
    DNS_FORMERR = 1,
    DNS_SERVFAIL = 2,
    DNS_NXDOMAIN = 3,
    DNS_NOTIMP = 4,
    DNS_REFUSED = 5,
};

#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1

struct dns_query {
    uint16_t id, flags, qtype, qclass;
    size_t qend; /* offset past the question: the query's first qend bytes */
    /* the name as text, lower case, no trailing dot ("" for the root);
     * set only when local is true */
    char name[DNS_NAME_MAX + 1];
    bool local; /* of letters, digits, '-' and '_' only: may be a container's */
};

/* 0: q is a query (opcode QUERY, one question); -1: drop it, no reply
 * possible; DNS_FORMERR or DNS_NOTIMP: answer that (dns_error). */
int dns_parse_query(const uint8_t *msg, size_t len, struct dns_query *q);

/* The reply to query (parsed into q) with rcode and, for NOERROR, an A
 * record of each of addrs[0..n) (network byte order), as many as fit in
 * DNS_UDP_MAX. Written into out (cap bytes): its length, 0 if it does not
 * fit. */
size_t dns_answer(const uint8_t *query, const struct dns_query *q, int rcode, const uint32_t *addrs,
                  size_t n, uint8_t *out, size_t cap);
/* A reply of only a header with rcode to msg (at least DNS_HDR bytes):
 * its id, opcode and RD copied. Its length (DNS_HDR), 0 if cap is less. */
size_t dns_error(const uint8_t *msg, size_t len, int rcode, uint8_t *out, size_t cap);

/* The id of a message of at least DNS_HDR bytes. */
uint16_t dns_get_id(const uint8_t *msg);
void dns_set_id(uint8_t *msg, uint16_t id);
/* reply (len bytes) answers the query (parsed into q) that was sent with
 * id: a response, that id, one question equal to the query's (letters
 * compared without case). */
bool dns_reply_matches(const uint8_t *reply, size_t len, uint16_t id, const uint8_t *query,
                       const struct dns_query *q);

#endif
