/* dns_msg.c: DNS queries parsed and replies made (see dns_msg.h). */
#include "dns_msg.h"

#include <string.h>

#define F_QR 0x8000
#define F_OPCODE 0x7800
#define F_RD 0x0100
#define F_RA 0x0080

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static char lower(uint8_t c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

static bool local_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* the question's name from offset DNS_HDR: its end (past the zero label)
 * or 0 when it is malformed; q->name and q->local set */
static size_t parse_name(const uint8_t *msg, size_t len, struct dns_query *q)
{
    size_t p = DNS_HDR, text = 0;
    q->local = true;
    for (;;) {
        if (p >= len)
            return 0;
        uint8_t l = msg[p];
        if (l == 0)
            break;
        if (l & 0xc0) /* a compression pointer, or a label type of RFC 6891 */
            return 0;
        if (p + 1 + l > len || p + 1 + l - DNS_HDR > 254) /* 255 with the zero label */
            return 0;
        if (text)
            q->name[text++] = '.';
        for (size_t i = 0; i < l; i++) {
            uint8_t c = msg[p + 1 + i];
            q->local = q->local && local_char(c);
            q->name[text++] = lower(c);
        }
        p += 1 + l;
    }
    q->name[text] = 0;
    if (!text || !q->local) {
        q->local = false;
        q->name[0] = 0;
    }
    return p + 1;
}

int dns_parse_query(const uint8_t *msg, size_t len, struct dns_query *q)
{
    memset(q, 0, sizeof(*q));
    if (len < DNS_HDR)
        return -1;
    q->id = get16(msg);
    q->flags = get16(msg + 2);
    if (q->flags & F_QR)
        return -1; /* a response: never answered (no loops) */
    if (q->flags & F_OPCODE)
        return DNS_NOTIMP;
    if (get16(msg + 4) != 1 || get16(msg + 6) != 0 || get16(msg + 8) != 0)
        return DNS_FORMERR;
    size_t end = parse_name(msg, len, q);
    if (!end || end + 4 > len) {
        q->local = false;
        q->name[0] = 0;
        return DNS_FORMERR;
    }
    q->qtype = get16(msg + end);
    q->qclass = get16(msg + end + 2);
    q->qend = end + 4;
    return 0;
}

static void header(uint8_t *out, uint16_t id, uint16_t qflags, int rcode, uint16_t qd, uint16_t an)
{
    put16(out, id);
    put16(out + 2, (uint16_t)(F_QR | (qflags & (F_OPCODE | F_RD)) | F_RA | (rcode & 0xf)));
    put16(out + 4, qd);
    put16(out + 6, an);
    put16(out + 8, 0);
    put16(out + 10, 0);
}

size_t dns_answer(const uint8_t *query, const struct dns_query *q, int rcode, const uint32_t *addrs,
                  size_t n, uint8_t *out, size_t cap)
{
    if (cap > DNS_UDP_MAX)
        cap = DNS_UDP_MAX;
    if (q->qend < DNS_HDR + 5 || q->qend > cap)
        return 0;
    if (rcode != DNS_NOERROR)
        n = 0;
    size_t fit = (cap - q->qend) / 16; /* an A record: pointer, type, class, ttl, length, addr */
    if (n > fit)
        n = fit;
    header(out, q->id, q->flags, rcode, 1, (uint16_t)n);
    memcpy(out + DNS_HDR, query + DNS_HDR, q->qend - DNS_HDR);
    uint8_t *p = out + q->qend;
    for (size_t i = 0; i < n; i++, p += 16) {
        put16(p, 0xc000 | DNS_HDR); /* the question's name */
        put16(p + 2, DNS_TYPE_A);
        put16(p + 4, DNS_CLASS_IN);
        put16(p + 6, 0);
        put16(p + 8, DNS_TTL);
        put16(p + 10, 4);
        memcpy(p + 12, &addrs[i], 4);
    }
    return (size_t)(p - out);
}

size_t dns_error(const uint8_t *msg, size_t len, int rcode, uint8_t *out, size_t cap)
{
    if (len < DNS_HDR || cap < DNS_HDR)
        return 0;
    header(out, get16(msg), get16(msg + 2), rcode, 0, 0);
    return DNS_HDR;
}

uint16_t dns_get_id(const uint8_t *msg)
{
    return get16(msg);
}

void dns_set_id(uint8_t *msg, uint16_t id)
{
    put16(msg, id);
}

bool dns_reply_matches(const uint8_t *reply, size_t len, uint16_t id, const uint8_t *query,
                       const struct dns_query *q)
{
    if (q->qend < DNS_HDR + 5 || len < q->qend)
        return false;
    if (get16(reply) != id || !(get16(reply + 2) & F_QR) || get16(reply + 4) != 1)
        return false;
    for (size_t i = DNS_HDR; i < q->qend - 4; i++)
        if (lower(reply[i]) != lower(query[i]))
            return false;
    return memcmp(reply + q->qend - 4, query + q->qend - 4, 4) == 0;
}
