/* test_dns.c: the embedded resolver's DNS messages (src/engine/dns_msg.h):
 * queries parsed from untrusted bytes (one question, label and length
 * limits, no compression pointer, nothing read past the end), its own
 * replies (A with TTL 600, NODATA, errors: id and RD copied, QR and RA
 * set) and the checks of a forwarded query's reply; the resolver's
 * questions to its monitor and the replies (src/engine/dns_ctl.h), each
 * side checking what the other sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/dns_ctl.h"
#include "engine/dns_msg.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* a query for name (dotted; "" the root) of type t, id 0x1234, RD set */
static size_t query(uint8_t *b, const char *name, uint16_t t)
{
    static const uint8_t h[DNS_HDR] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(b, h, DNS_HDR);
    size_t p = DNS_HDR;
    for (const char *s = name; *s;) {
        size_t l = strcspn(s, ".");
        b[p++] = (uint8_t)l;
        memcpy(b + p, s, l);
        p += l;
        s += l;
        if (*s)
            s++;
    }
    b[p++] = 0;
    b[p++] = (uint8_t)(t >> 8);
    b[p++] = (uint8_t)t;
    b[p++] = 0;
    b[p++] = 1;
    return p;
}

/* parse the n bytes copied to the heap, so ASan sees any read past them */
static int parse(const uint8_t *b, size_t n, struct dns_query *q)
{
    uint8_t *c = malloc(n ? n : 1);
    memcpy(c, b, n);
    int r = dns_parse_query(c, n, q);
    free(c);
    return r;
}

static void test_parse(void **state)
{
    (void)state;
    uint8_t b[600];
    struct dns_query q;
    size_t n = query(b, "Web.", DNS_TYPE_A);
    assert_int_equal(parse(b, n, &q), 0);
    assert_int_equal(q.id, 0x1234);
    assert_int_equal(q.qtype, DNS_TYPE_A);
    assert_int_equal(q.qclass, DNS_CLASS_IN);
    assert_int_equal(q.qend, n);
    assert_true(q.local);
    assert_string_equal(q.name, "web"); /* lower case, the trailing dot is the zero label */
    n = query(b, "my_db-1.example.COM", DNS_TYPE_AAAA);
    assert_int_equal(parse(b, n, &q), 0);
    assert_string_equal(q.name, "my_db-1.example.com");
    assert_int_equal(q.qtype, DNS_TYPE_AAAA);
    /* a name no container can have: parsed, never looked up */
    n = query(b, "a b.x", DNS_TYPE_A);
    assert_int_equal(parse(b, n, &q), 0);
    assert_false(q.local);
    assert_string_equal(q.name, "");
    n = query(b, "", DNS_TYPE_A); /* the root */
    assert_int_equal(parse(b, n, &q), 0);
    assert_false(q.local);
    /* extra bytes after the question (an EDNS OPT record) are the forwarder's */
    n = query(b, "web", DNS_TYPE_A);
    b[11] = 1;
    assert_int_equal(parse(b, n + 11, &q), 0);
    assert_int_equal(q.qend, n);
}

static void test_parse_bad(void **state)
{
    (void)state;
    uint8_t b[600];
    struct dns_query q;
    size_t n = query(b, "web", DNS_TYPE_A);
    /* every truncation: dropped (header) or FORMERR, never a read past it */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(parse(b, i, &q), i < DNS_HDR ? -1 : DNS_FORMERR);
    b[2] |= 0x80; /* a response */
    assert_int_equal(parse(b, n, &q), -1);
    b[2] = 0x01 | (5 << 3); /* opcode UPDATE */
    assert_int_equal(parse(b, n, &q), DNS_NOTIMP);
    b[2] = 0x01;
    b[5] = 2; /* two questions */
    assert_int_equal(parse(b, n, &q), DNS_FORMERR);
    b[5] = 0;
    assert_int_equal(parse(b, n, &q), DNS_FORMERR);
    b[5] = 1;
    b[7] = 1; /* an answer in a query */
    assert_int_equal(parse(b, n, &q), DNS_FORMERR);
    b[7] = 0;
    /* a compression pointer (to itself), and the reserved label types */
    static const uint8_t kinds[] = {0xc0, 0x80, 0x40};
    for (size_t k = 0; k < sizeof(kinds); k++) {
        n = query(b, "web", DNS_TYPE_A);
        b[DNS_HDR] = kinds[k];
        b[DNS_HDR + 1] = DNS_HDR;
        assert_int_equal(parse(b, n, &q), DNS_FORMERR);
    }
    /* a label longer than what is left */
    n = query(b, "web", DNS_TYPE_A);
    b[DNS_HDR] = 63;
    assert_int_equal(parse(b, n, &q), DNS_FORMERR);
}

static void test_name_limits(void **state)
{
    (void)state;
    uint8_t b[600];
    struct dns_query q;
    char name[300];
    /* 63-byte labels: four make 4 * 64 + 1 = 257 bytes on the wire, too long */
    memset(name, 'a', sizeof(name));
    for (int i = 63; i < 300; i += 64)
        name[i] = '.';
    name[63 * 4 + 3] = 0;
    size_t n = query(b, name, DNS_TYPE_A);
    assert_int_equal(parse(b, n, &q), DNS_FORMERR);
    /* 255 on the wire: the longest name, 253 as text */
    name[63 * 3 + 3 + 61] = 0;
    n = query(b, name, DNS_TYPE_A);
    assert_int_equal(n - DNS_HDR - 4, 255);
    assert_int_equal(parse(b, n, &q), 0);
    assert_int_equal(strlen(q.name), DNS_NAME_MAX);
    name[63 * 3 + 3 + 61] = 'a'; /* a last label of 62: 256 */
    name[63 * 3 + 3 + 62] = 0;
    n = query(b, name, DNS_TYPE_A);
    assert_int_equal(parse(b, n, &q), DNS_FORMERR);
}

static void test_answer(void **state)
{
    (void)state;
    uint8_t b[600], out[DNS_UDP_MAX + 100];
    struct dns_query q;
    size_t n = query(b, "Web", DNS_TYPE_A);
    assert_int_equal(dns_parse_query(b, n, &q), 0);
    uint32_t a[2] = {inet_addr("10.90.0.2"), inet_addr("10.90.0.3")};
    size_t r = dns_answer(b, &q, DNS_NOERROR, a, 2, out, sizeof(out));
    assert_int_equal(r, n + 32);
    static const uint8_t hdr[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0};
    assert_memory_equal(out, hdr, DNS_HDR);
    assert_memory_equal(out + DNS_HDR, b + DNS_HDR, n - DNS_HDR); /* the question as asked */
    static const uint8_t rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0x02, 0x58, 0, 4, 10, 90, 0, 2};
    assert_memory_equal(out + n, rr, sizeof(rr));
    assert_int_equal(out[n + 31], 3);
    /* NODATA (a known name, AAAA): NOERROR, no answer */
    r = dns_answer(b, &q, DNS_NOERROR, a, 0, out, sizeof(out));
    assert_int_equal(r, n);
    assert_int_equal(out[7], 0);
    /* REFUSED without RD asked: RD clear, no answers even if given */
    b[2] = 0;
    assert_int_equal(dns_parse_query(b, n, &q), 0);
    r = dns_answer(b, &q, DNS_REFUSED, a, 2, out, sizeof(out));
    assert_int_equal(r, n);
    assert_int_equal(out[2], 0x80);
    assert_int_equal(out[3], 0x85);
    /* as many as fit in 512 bytes */
    uint32_t many[64] = {0};
    r = dns_answer(b, &q, DNS_NOERROR, many, 64, out, sizeof(out));
    assert_true(r <= DNS_UDP_MAX);
    assert_int_equal(r, n + 16 * ((DNS_UDP_MAX - n) / 16));
    assert_int_equal(dns_answer(b, &q, DNS_NOERROR, a, 2, out, n - 1), 0);
}

static void test_error(void **state)
{
    (void)state;
    uint8_t b[600], out[64];
    size_t n = query(b, "web", DNS_TYPE_A);
    b[5] = 3;
    assert_int_equal(dns_error(b, n, DNS_FORMERR, out, sizeof(out)), DNS_HDR);
    static const uint8_t hdr[] = {0x12, 0x34, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(out, hdr, DNS_HDR);
    b[2] = 0x01 | (2 << 3); /* opcode STATUS: kept in the reply */
    assert_int_equal(dns_error(b, n, DNS_NOTIMP, out, sizeof(out)), DNS_HDR);
    assert_int_equal(out[2], 0x80 | (2 << 3) | 0x01);
    assert_int_equal(dns_error(b, DNS_HDR - 1, DNS_FORMERR, out, sizeof(out)), 0);
    assert_int_equal(dns_error(b, n, DNS_FORMERR, out, DNS_HDR - 1), 0);
}

static void test_forward(void **state)
{
    (void)state;
    uint8_t b[600], rep[600];
    struct dns_query q;
    size_t n = query(b, "example.org", DNS_TYPE_A);
    assert_int_equal(dns_parse_query(b, n, &q), 0);
    dns_set_id(b, 0xbeef);
    assert_int_equal(dns_get_id(b), 0xbeef);
    /* the upstream's reply: QR, the same id and question (another case) */
    memcpy(rep, b, n);
    rep[2] |= 0x80;
    rep[DNS_HDR + 1] = 'E';
    assert_true(dns_reply_matches(rep, n, 0xbeef, b, &q));
    assert_false(dns_reply_matches(rep, n, 0xbeee, b, &q));
    assert_false(dns_reply_matches(rep, n - 1, 0xbeef, b, &q));
    rep[n - 1] = 3; /* another class */
    assert_false(dns_reply_matches(rep, n, 0xbeef, b, &q));
    rep[n - 1] = 1;
    rep[DNS_HDR + 2] = 'y'; /* another name */
    assert_false(dns_reply_matches(rep, n, 0xbeef, b, &q));
    rep[DNS_HDR + 2] = 'x';
    rep[2] &= 0x7f; /* not a response */
    assert_false(dns_reply_matches(rep, n, 0xbeef, b, &q));
    rep[2] |= 0x80;
    rep[5] = 0; /* no question */
    assert_false(dns_reply_matches(rep, n, 0xbeef, b, &q));
    /* the reply goes back with the client's id */
    dns_set_id(rep, q.id);
    assert_int_equal(dns_get_id(rep), 0x1234);
}

static void test_ctl(void **state)
{
    (void)state;
    uint8_t b[DNS_CTL_REQ_MAX + 1], r[DNS_CTL_REP_MAX + 8];
    char name[DNS_CTL_REQ_MAX];
    uint32_t tag = 0, addrs[DNS_CTL_MAX];
    size_t n = dns_ctl_req(7, "my_db-1.web", b);
    assert_int_equal(n, 5 + 11);
    assert_int_equal(dns_ctl_req_parse(b, n, &tag, name), 0);
    assert_int_equal(tag, 7);
    assert_string_equal(name, "my_db-1.web");
    assert_int_equal(dns_ctl_req_parse(b, n - 1, &tag, name), -1); /* length byte disagrees */
    assert_int_equal(dns_ctl_req_parse(b, 4, &tag, name), -1);
    /* not names the monitor looks up */
    static const char *const bad[] = {"", "Web", "a..b", ".a", "a.", "a b", "a/b", "a\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(dns_ctl_req(1, bad[i], b), 0);
    b[5] = '/';
    assert_int_equal(dns_ctl_req_parse(b, n, &tag, name), -1);
    char longest[255];
    memset(longest, 'a', 254);
    longest[254] = 0;
    assert_int_equal(dns_ctl_req(1, longest, b), 0);
    longest[253] = 0;
    assert_int_equal(dns_ctl_req(1, longest, b), 5 + 253);
    /* replies: up to DNS_CTL_MAX addresses */
    uint32_t many[DNS_CTL_MAX + 4];
    for (size_t i = 0; i < DNS_CTL_MAX + 4; i++)
        many[i] = (uint32_t)i;
    n = dns_ctl_rep(9, many, DNS_CTL_MAX + 4, r);
    assert_int_equal(n, DNS_CTL_REP_MAX);
    assert_int_equal(dns_ctl_rep_parse(r, n, &tag, addrs), DNS_CTL_MAX);
    assert_int_equal(tag, 9);
    assert_int_equal(addrs[DNS_CTL_MAX - 1], DNS_CTL_MAX - 1);
    assert_int_equal(dns_ctl_rep_parse(r, n - 1, &tag, addrs), -1);
    r[4] = DNS_CTL_MAX + 1; /* more than it may hold */
    assert_int_equal(dns_ctl_rep_parse(r, 5 + 4 * (DNS_CTL_MAX + 1), &tag, addrs), -1);
    n = dns_ctl_rep(3, NULL, 0, r);
    assert_int_equal(dns_ctl_rep_parse(r, n, &tag, addrs), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),       cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_name_limits), cmocka_unit_test(test_answer),
        cmocka_unit_test(test_error),       cmocka_unit_test(test_forward),
        cmocka_unit_test(test_ctl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
