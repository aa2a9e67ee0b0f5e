/* dns_ctl.h: what the embedded resolver asks its container's monitor, on
 * a SOCK_SEQPACKET socketpair, one message each way per name:
 *
 *   request  tag (4 bytes), length (1), the name (length bytes: 1..253 of
 *            [a-z0-9_.-], lower case, no empty label, no trailing dot)
 *   reply    tag (4), count (1, at most DNS_CTL_MAX), count IPv4
 *            addresses (4 bytes each, network order); count 0: not a
 *            name of a container on its networks
 *
 * Both ends check what they read: the resolver is the untrusted side. */
#ifndef MOAT_DNS_CTL_H
#define MOAT_DNS_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_CTL_MAX 16
#define DNS_CTL_REQ_MAX (5 + 253)
#define DNS_CTL_REP_MAX (5 + 4 * DNS_CTL_MAX)

/* a name the monitor looks up: as above */
bool dns_ctl_name_ok(const char *name, size_t len);
/* the request into buf (DNS_CTL_REQ_MAX bytes): its length, 0 if the name
 * is not one */
size_t dns_ctl_req(uint32_t tag, const char *name, uint8_t *buf);
/* a request of n bytes: 0 with its tag and its name (in name, 254 bytes),
 * or -1 */
int dns_ctl_req_parse(const uint8_t *buf, size_t n, uint32_t *tag, char *name);
/* the reply into buf (DNS_CTL_REP_MAX bytes): its length (count is cut to
 * DNS_CTL_MAX) */
size_t dns_ctl_rep(uint32_t tag, const uint32_t *addrs, size_t count, uint8_t *buf);
/* a reply of n bytes: its count (addresses into addrs, DNS_CTL_MAX) and
 * tag, or -1 */
int dns_ctl_rep_parse(const uint8_t *buf, size_t n, uint32_t *tag, uint32_t *addrs);

#endif
