/* req.h: moat-net's requests, parsed and checked field by field before
 * anything is done (a malformed request changes nothing: exit 2).
 *
 *   {"op":"setup", "bridge":"moat0", "bridge_addr":"10.89.0.1", "prefix":16,
 *    "mtu":1500, "veth":"mv0123456780", "ifname":"eth0", "addr":"10.89.0.2",
 *    "mac":"02:6d:0a:59:00:02", "gateway":"10.89.0.1"}
 *   {"op":"teardown", "veth":"mv0123456780"}
 *   {"op":"bridge-rm", "bridge":"moat3"}
 *
 * setup and teardown may carry "firewall": the endpoint's part of moat's
 * firewall (fwpart.h; parsed there, not here).
 * Every key of an op is required but "mtu" (1500), "gateway" (none: no
 * default route) and "firewall"; a key the op does not know is an error. Names: 1 to 15
 * of A-Z a-z 0-9 _ . - (not "." or ".."), a bridge's starting with "moat"
 * and a host end's with "mv" (moat-net never touches another's device, the
 * host's own eth0 or a Docker bridge); prefix 8..30; mtu 576..65535;
 * mac: six hex pairs with colons, unicast, not zero; addresses: dotted
 * IPv4, bridge_addr a unicast address outside 0/8, 127/8, 169.254/16 and
 * 224/3, addr and gateway host addresses of bridge_addr/prefix (neither
 * the network nor the broadcast address), addr neither bridge_addr nor
 * gateway. */
#ifndef MOAT_NET_REQ_H
#define MOAT_NET_REQ_H

#include "../util/err.h"
#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define NET_IFNAME_MAX 15
#define NET_BRIDGE_PREFIX "moat"
#define NET_VETH_PREFIX "mv"

enum net_op {
    NET_OP_SETUP,
    NET_OP_TEARDOWN,
    NET_OP_BRIDGE_RM,
};

struct net_req {
    enum net_op op;
    char bridge[NET_IFNAME_MAX + 1];
    char veth[NET_IFNAME_MAX + 1];
    char ifname[NET_IFNAME_MAX + 1];
    struct in_addr bridge_addr, addr, gateway;
    bool has_gateway;
    unsigned prefix, mtu;
    uint8_t mac[6];
};

/* The fields of op `op` in j (an object whose "op" is op) into r. */
int net_req_parse(const json_t *j, const char *op, struct net_req *r, merr_t *err);

/* single fields, for the tests and other ops' parsers */
bool net_ifname_ok(const char *s);
int net_mac_parse(const char *s, uint8_t mac[6]);

#endif
