/* fuzz_dns: what a container sends to its resolver at 127.0.0.11, and
 * what an upstream resolver sends back (src/engine/dns_msg.h). The input
 * is a query; its last bytes, when there are more than a header's worth
 * after the question, are also tried as the upstream's reply to it. */
#include "engine/dns_msg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_query q;
    uint8_t out[DNS_UDP_MAX];
    int r = dns_parse_query(data, size, &q);
    if (r > 0) {
        if (dns_error(data, size, r, out, sizeof(out)) != DNS_HDR)
            __builtin_trap();
        return 0;
    }
    if (r < 0)
        return 0;
    if (q.qend > size || q.qend < DNS_HDR + 5 || strlen(q.name) > DNS_NAME_MAX ||
        (q.local && !q.name[0]))
        __builtin_trap();
    static const uint32_t addrs[40] = {0x0100000a};
    size_t n = dns_answer(data, &q, DNS_NOERROR, addrs, size % 40, out, sizeof(out));
    if (n && (n < q.qend || n > DNS_UDP_MAX || (n - q.qend) % 16))
        __builtin_trap();
    /* our own answer is a reply to the query; parsed as a query it is dropped */
    if (n && !dns_reply_matches(out, n, q.id, data, &q))
        __builtin_trap();
    if (n && dns_parse_query(out, n, &q) != -1)
        __builtin_trap();
    dns_parse_query(data, size, &q);
    size_t rest = size - q.qend;
    if (rest >= DNS_HDR) {
        uint8_t *rep = malloc(rest);
        memcpy(rep, data + q.qend, rest);
        dns_reply_matches(rep, rest, dns_get_id(rep), data, &q);
        free(rep);
    }
    return 0;
}
