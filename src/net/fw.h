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

#include "../kernel/net/nftset.h"
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

/* The named sets and maps that hold what a container's endpoint adds to
 * the rules (fw_rules.c): the rules refer to them, so a container's start
 * or stop changes elements only, never a rule. */
#define FW_SET_BRIDGES "bridges"     /* inet: every moat bridge (ifname) */
#define FW_SET_DNAT_ADDR "dnat_addr" /* inet: addr . proto . port : ip . port */
#define FW_SET_DNAT_ANY "dnat_any"   /* inet: proto . port : ip . port */
#define FW_SET_DNAT_LO "dnat_lo"     /* inet, output only: loopback addr . proto . port */
#define FW_SET_EPS "eps"             /* bridge: veth . mac . ip of each endpoint */
#define FW_SET_ISOLATED "isolated"   /* bridge: the veths of networks with ICC off */

/* Parse the request object (its "op", if present, must be "firewall").
 * Strict: unknown keys, wrong types, bad names or addresses, ports out of
 * 1..65535, an endpoint or port on a bridge that is not in "networks",
 * overlapping subnets, duplicate names or conflicting published ports are
 * refused with the JSON path ("ports[2].host_port: must be 1..65535").
 * On failure *st is empty (nothing to free). */
int fw_state_parse(json_t *req, struct fw_state *st, merr_t *err);
void fw_state_free(struct fw_state *st);

/* One endpoint's part of a state, for moat-net's setup and teardown:
 * {"networks":[ONE], "endpoints":[ONE], "ports":[...]}, checked as
 * fw_state_parse checks them; the endpoint's veth must be `veth` and
 * every port must go to the endpoint's address. */
int fw_part_parse(json_t *part, const char *veth, struct fw_state *st, merr_t *err);

/* The text of both tables (caller frees), the sets and maps filled with
 * the elements of every endpoint and port of st. */
char *fw_ruleset(const struct fw_state *st);

/* Elements of the sets above as the kernel has them (nftset.h): the
 * key's fields (and the map's data) in network byte order, each padded to
 * 4 bytes, an interface name to 16. */
/* The elements the endpoints and ports of st put into the sets (those
 * fw_ruleset writes into its text); *n of them; caller frees. */
struct nft_elem *fw_elems(const struct fw_state *st, size_t *n);
/* The element of bridge br in the inet table's set of bridges */
void fw_bridge_elem(const char *br, struct nft_elem *e);

/* Checks used by the parser, exposed for moat-net's other requests:
 * an interface name (1..15 of [A-Za-z0-9_.-]) */
bool fw_ifname_ok(const char *s);
/* dotted-quad IPv4 without leading zeros -> host byte order */
int fw_parse_ip4(const char *s, uint32_t *out);

#endif
