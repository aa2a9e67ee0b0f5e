/* fw.h: moat's firewall as data. The state (networks, endpoints, published
 * ports) comes in as JSON (moat-net's `firewall` request), is checked
 * field by field into the structs below, and is turned into the complete
 * text of moat's two nftables tables, `table inet moat` and `table bridge
 * moat` (src/kernel/net/nft.h applies it). Pure: no libnftables, no system
 * call; the same state always gives the same text.
 *
 * Every name and address in the text is printed from a checked value
 * (interface names of [A-Za-z0-9_.-], addresses as numbers), so nothing
 * from the request can end a quoted string or add a statement. */
#ifndef MOAT_NET_FW_H
#define MOAT_NET_FW_H

#include "../util/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IFNAMSIZ: the kernel's bound, checked before a name is copied in */
#define FW_IFNAMSIZ 16

/* The bit of the packet mark that tells the bridge family a packet was
 * DNATed (a hairpin to a published port, see fw.c) */
#define FW_DNAT_MARK 0x00800000u

struct fw_net {
    char bridge[FW_IFNAMSIZ];
    uint32_t subnet; /* host byte order, host bits zero */
    int prefix;      /* 8..30 */
    uint32_t gateway;
    bool icc, internal, host_access;
    bool masquerade; /* optional in the JSON, true when absent */
};

struct fw_endpoint {
    char veth[FW_IFNAMSIZ];
    char bridge[FW_IFNAMSIZ];
    uint32_t ip;
    uint8_t mac[6];
};

enum fw_proto { FW_TCP, FW_UDP };

struct fw_port {
    enum fw_proto proto;
    uint32_t host_ip; /* 0: every local address */
    uint16_t host_port;
    uint32_t ip;
    uint16_t port;
    char bridge[FW_IFNAMSIZ];
};

struct fw_state {
    struct fw_net *nets;
    size_t n_nets;
    struct fw_endpoint *eps;
    size_t n_eps;
    struct fw_port *ports;
    size_t n_ports;
    bool forward_guard;
};

/* Parse the request object (its "op", if present, must be "firewall").
 * Strict: unknown keys, wrong types, bad names or addresses, ports out of
 * 1..65535, an endpoint or port on a bridge that is not in "networks",
 * overlapping subnets, duplicate names or conflicting published ports are
 * refused with the JSON path ("ports[2].host_port: must be 1..65535").
 * On failure *st is empty (nothing to free). */
int fw_state_parse(json_t *req, struct fw_state *st, merr_t *err);
void fw_state_free(struct fw_state *st);

/* The text of both tables (caller frees). */
char *fw_ruleset(const struct fw_state *st);

/* Checks used by the parser, exposed for moat-net's other requests:
 * an interface name (1..15 of [A-Za-z0-9_.-]) */
bool fw_ifname_ok(const char *s);
/* dotted-quad IPv4 without leading zeros -> host byte order */
int fw_parse_ip4(const char *s, uint32_t *out);

#endif
