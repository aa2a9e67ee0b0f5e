/* fw_rules.c: the text of moat's nftables tables from a checked state
 * (fw.h). Every name printed here passed fw_ifname_ok and every address is
 * printed from its number, so the text holds nothing from the request but
 * those: no quote, brace, semicolon or newline can come in.
 *
 * table inet moat (the IP layer):
 *   raw_prerouting  (priority raw): nothing from outside the host to
 *       127.0.0.0/8 (the bridges have route_localnet on, which would let a
 *       container, or anybody who can send a frame to a bridge, reach the
 *       host's loopback services), no 127.0.0.0/8 source from a bridge,
 *       and nothing to a container's address (the subnet but the gateway,
 *       which is the host's) but through its own bridge (a LAN host
 *       routing moat's subnets through this host reaches nothing that is
 *       not published);
 *   nat_prerouting / nat_output (type nat, priority -100; nft 1.0.6
 *       refuses `dstnat` on output): DNAT of published ports, looked up
 *       in three maps: dnat_addr (a given host address . proto . port),
 *       dnat_any (proto . port, to any local address) and dnat_lo (a
 *       loopback address . proto . port). dnat_lo is used in output only:
 *       in prerouting a host on the LAN could send to 127.0.0.1 through
 *       our MAC address;
 *   prerouting (priority filter, after the DNAT): marks DNATed packets
 *       from a bridge with FW_DNAT_MARK for the bridge family (below);
 *   nat_postrouting: per network, outbound masquerade; what the host sends
 *       from a loopback address to a container (127.0.0.1:port published)
 *       and hairpin traffic (a container reaching a published port through
 *       the host's address) are masqueraded so that the reply comes back;
 *   forward: established traffic, then internal networks closed, then
 *       DNATed traffic to a bridge accepted (published ports, hairpin)
 *       BEFORE the isolation drops: between bridges, inside a bridge with
 *       ICC off (a routed detour through the gateway), and with
 *       forward_guard nothing forwarded that is neither from nor to a moat
 *       bridge (Docker's FORWARD DROP, scoped to what is not moat's), but
 *       traffic in or out of another engine's bridge (Podman's, libvirt's:
 *       with br_netfilter even the traffic inside such a bridge is seen
 *       here): the host does not start routing between its own
 *       interfaces, and the other engines keep working;
 *   input: from a bridge without host_access only replies, ICMP and DNS.
 *
 * table bridge moat (the switch; never relies on br_netfilter):
 *   prerouting: from any moat port ("mv*") IPv4 and ARP only; IPv4 only
 *       if its port . source MAC . source address is in set eps, ARP only
 *       if port . source MAC . sender address and port . sender MAC .
 *       sender address are: a port without an element (not moat's, or
 *       not yet) sends nothing;
 *   forward: nothing from or to a port in set isolated (the endpoints of
 *       networks with ICC off; a flood reflected to its own hairpin port
 *       included).
 *
 * Everything a container's endpoint adds is an element of a set or map
 * (FW_SET_* in fw.h; fw_elems.c has them in the kernel's encoding, which
 * moat-net adds and deletes at a container's start and stop without
 * touching a rule); the rules themselves change only with the networks.
 *
 * Hairpin and ICC off: with bridge-nf-call-iptables on (the default, as
 * br_netfilter is built into this kernel), a packet a container sends to a
 * published port on the host's address is DNATed by br_netfilter's IP
 * hooks and, the new destination being on the same bridge, BRIDGED to the
 * target's port (br_nf_pre_routing_finish: hence hairpin mode on the
 * ports), so it crosses the bridge family's forward hook, where ICC off
 * drops it. `ct status dnat accept` cannot be used there: on this kernel
 * (6.18, CONFIG_NF_CONNTRACK_BRIDGE unset) any `ct` expression in a bridge
 * table is refused with "Protocol error" (EPROTO from nf_ct_netns_get;
 * tried with nft 1.0.6). So the inet table marks DNATed packets from a
 * bridge (both directions: the status is the connection's) and the bridge
 * forward chain accepts that mark first. A container cannot forge it: the
 * mark is cleared when a packet leaves its network namespace (veth,
 * skb_scrub_packet). With bridge-nf-call-iptables off the hairpin packet
 * is routed, leaves through the bridge's output hook and is not affected. */
#include "fw.h"
#include "../util/util.h"

#include <string.h>

static void ip4(struct sbuf *b, uint32_t ip)
{
    sbuf_printf(b, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255);
}

static void net4(struct sbuf *b, const struct fw_net *n)
{
    ip4(b, n->subnet);
    sbuf_printf(b, "/%d", n->prefix);
}

static void mac(struct sbuf *b, const uint8_t m[6])
{
    sbuf_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static bool is_loopback(uint32_t ip)
{
    return ip >> 24 == 127;
}

static void ifname_set(struct sbuf *b, const char *name, const struct fw_state *st,
                       bool closed_only)
{
    sbuf_printf(b, "\tset %s {\n\t\ttype ifname\n", name);
    const char *sep = "\t\telements = { ";
    for (size_t i = 0; i < st->n_nets; i++) {
        if (closed_only && st->nets[i].host_access)
            continue;
        sbuf_printf(b, "%s\"%s\"", sep, st->nets[i].bridge);
        sep = ", ";
    }
    if (*sep == ',')
        sbuf_puts(b, " }\n");
    sbuf_puts(b, "\t}\n");
}

static const char *proto_name(enum fw_proto p)
{
    return p == FW_TCP ? "tcp" : "udp";
}

enum dnat_map { DNAT_ADDR, DNAT_ANY, DNAT_LO };

static enum dnat_map dnat_map_of(const struct fw_port *p)
{
    return !p->host_ip ? DNAT_ANY : is_loopback(p->host_ip) ? DNAT_LO : DNAT_ADDR;
}

/* a map of published ports: those of st that go in map m */
static void dnat_map(struct sbuf *b, const char *name, enum dnat_map m, const struct fw_state *st)
{
    sbuf_printf(b, "\tmap %s {\n\t\ttype %sinet_proto . inet_service : ipv4_addr . inet_service\n",
                name, m == DNAT_ANY ? "" : "ipv4_addr . ");
    const char *sep = "\t\telements = { ";
    for (size_t i = 0; i < st->n_ports; i++) {
        const struct fw_port *p = &st->ports[i];
        if (dnat_map_of(p) != m)
            continue;
        sbuf_puts(b, sep);
        if (m != DNAT_ANY) {
            ip4(b, p->host_ip);
            sbuf_puts(b, " . ");
        }
        sbuf_printf(b, "%s . %u : ", proto_name(p->proto), p->host_port);
        ip4(b, p->ip);
        sbuf_printf(b, " . %u", p->port);
        sep = ", ";
    }
    if (*sep == ',')
        sbuf_puts(b, " }\n");
    sbuf_puts(b, "\t}\n");
}

static void chain_head(struct sbuf *b, const char *name, const char *hook)
{
    sbuf_printf(b, "\tchain %s {\n\t\t%s; policy accept;\n", name, hook);
}

static void raw_prerouting(struct sbuf *b, const struct fw_state *st)
{
    chain_head(b, "raw_prerouting", "type filter hook prerouting priority raw");
    sbuf_puts(b, "\t\tiifname != \"lo\" ip daddr 127.0.0.0/8 drop\n"
                 "\t\tiifname @bridges ip saddr 127.0.0.0/8 drop\n");
    for (size_t i = 0; i < st->n_nets; i++) {
        sbuf_puts(b, "\t\tip daddr ");
        net4(b, &st->nets[i]);
        sbuf_puts(b, " ip daddr != ");
        ip4(b, st->nets[i].gateway);
        sbuf_printf(b, " iifname != \"%s\" drop\n", st->nets[i].bridge);
    }
    sbuf_puts(b, "\t}\n");
}

/* DNAT of published ports for the hook (output or prerouting) */
static void dnat_chain(struct sbuf *b, bool output)
{
    chain_head(b, output ? "nat_output" : "nat_prerouting",
               output ? "type nat hook output priority -100"
                      : "type nat hook prerouting priority -100");
    if (output)
        sbuf_puts(b, "\t\tdnat ip to ip daddr . meta l4proto . th dport map @" FW_SET_DNAT_LO "\n");
    sbuf_puts(b, "\t\tdnat ip to ip daddr . meta l4proto . th dport map @" FW_SET_DNAT_ADDR "\n"
                 "\t\tmeta nfproto ipv4 fib daddr type local dnat ip to meta l4proto . th dport "
                 "map @" FW_SET_DNAT_ANY "\n"
                 "\t}\n");
}

static void mark_chain(struct sbuf *b)
{
    chain_head(b, "prerouting", "type filter hook prerouting priority filter");
    sbuf_printf(b, "\t\tiifname @bridges ct status dnat meta mark set meta mark | 0x%08x\n",
                FW_DNAT_MARK);
    sbuf_puts(b, "\t}\n");
}

static void postrouting(struct sbuf *b, const struct fw_state *st)
{
    chain_head(b, "nat_postrouting", "type nat hook postrouting priority srcnat");
    for (size_t i = 0; i < st->n_nets; i++) {
        const struct fw_net *n = &st->nets[i];
        if (n->internal)
            continue;
        sbuf_printf(b, "\t\toifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n", n->bridge);
        sbuf_printf(b, "\t\toifname \"%s\" ct status dnat ip saddr ", n->bridge);
        net4(b, n);
        sbuf_puts(b, " masquerade\n");
        if (n->masquerade) {
            sbuf_puts(b, "\t\tip saddr ");
            net4(b, n);
            sbuf_printf(b, " oifname != \"%s\" masquerade\n", n->bridge);
        }
    }
    sbuf_puts(b, "\t}\n");
}

static void forward(struct sbuf *b, const struct fw_state *st)
{
    chain_head(b, "forward", "type filter hook forward priority filter");
    sbuf_puts(b, "\t\tct state established,related accept\n");
    for (size_t i = 0; i < st->n_nets; i++) {
        const char *br = st->nets[i].bridge;
        if (st->nets[i].internal)
            sbuf_printf(b,
                        "\t\tiifname \"%s\" oifname != \"%s\" drop\n"
                        "\t\toifname \"%s\" iifname != \"%s\" drop\n",
                        br, br, br, br);
    }
    sbuf_puts(b, "\t\toifname @bridges ct status dnat accept\n");
    for (size_t i = 0; i < st->n_nets; i++) {
        const char *br = st->nets[i].bridge;
        sbuf_printf(b, "\t\tiifname \"%s\" oifname @bridges oifname != \"%s\" drop\n", br, br);
        if (!st->nets[i].icc)
            sbuf_printf(b, "\t\tiifname \"%s\" oifname \"%s\" drop\n", br, br);
    }
    if (st->forward_guard)
        sbuf_puts(b, "\t\tiifname != @bridges oifname != @bridges meta iifkind != \"bridge\" "
                     "meta oifkind != \"bridge\" drop\n");
    sbuf_puts(b, "\t}\n");
}

static void input(struct sbuf *b)
{
    chain_head(b, "input", "type filter hook input priority filter");
    sbuf_puts(b, "\t\tiifname @closed ct state established,related accept\n"
                 "\t\tiifname @closed ip protocol icmp accept\n"
                 "\t\tiifname @closed udp dport 53 accept\n"
                 "\t\tiifname @closed tcp dport 53 accept\n"
                 "\t\tiifname @closed drop\n"
                 "\t}\n");
}

static void inet_table(struct sbuf *b, const struct fw_state *st)
{
    sbuf_puts(b, "table inet moat {\n");
    ifname_set(b, FW_SET_BRIDGES, st, false);
    /* the bridges whose containers may not reach the host's services */
    ifname_set(b, "closed", st, true);
    dnat_map(b, FW_SET_DNAT_ADDR, DNAT_ADDR, st);
    dnat_map(b, FW_SET_DNAT_ANY, DNAT_ANY, st);
    dnat_map(b, FW_SET_DNAT_LO, DNAT_LO, st);
    raw_prerouting(b, st);
    dnat_chain(b, false);
    dnat_chain(b, true);
    mark_chain(b);
    postrouting(b, st);
    forward(b, st);
    input(b);
    sbuf_puts(b, "}\n");
}

static const struct fw_net *net_of(const struct fw_state *st, const char *br)
{
    for (size_t i = 0; i < st->n_nets; i++)
        if (!strcmp(st->nets[i].bridge, br))
            return &st->nets[i];
    return NULL;
}

/* set eps: veth . mac . ip of every endpoint */
static void eps_set(struct sbuf *b, const struct fw_state *st)
{
    sbuf_puts(b, "\tset " FW_SET_EPS " {\n\t\ttype ifname . ether_addr . ipv4_addr\n");
    const char *sep = "\t\telements = { ";
    for (size_t i = 0; i < st->n_eps; i++) {
        const struct fw_endpoint *e = &st->eps[i];
        sbuf_printf(b, "%s\"%s\" . ", sep, e->veth);
        mac(b, e->mac);
        sbuf_puts(b, " . ");
        ip4(b, e->ip);
        sep = ", ";
    }
    if (*sep == ',')
        sbuf_puts(b, " }\n");
    sbuf_puts(b, "\t}\n");
}

/* set isolated: the endpoints of networks with ICC off */
static void isolated_set(struct sbuf *b, const struct fw_state *st)
{
    sbuf_puts(b, "\tset " FW_SET_ISOLATED " {\n\t\ttype ifname\n");
    const char *sep = "\t\telements = { ";
    for (size_t i = 0; i < st->n_eps; i++) {
        const struct fw_net *n = net_of(st, st->eps[i].bridge);
        if (!n || n->icc)
            continue;
        sbuf_printf(b, "%s\"%s\"", sep, st->eps[i].veth);
        sep = ", ";
    }
    if (*sep == ',')
        sbuf_puts(b, " }\n");
    sbuf_puts(b, "\t}\n");
}

static void bridge_table(struct sbuf *b, const struct fw_state *st)
{
    sbuf_puts(b, "table bridge moat {\n");
    eps_set(b, st);
    isolated_set(b, st);
    chain_head(b, "prerouting", "type filter hook prerouting priority filter");
    sbuf_puts(b,
              "\t\tiifname \"mv*\" ether type != { ip, arp } drop\n"
              "\t\tiifname \"mv*\" ether type ip iifname . ether saddr . ip saddr != @" FW_SET_EPS
              " drop\n"
              "\t\tiifname \"mv*\" ether type arp iifname . ether saddr . arp saddr ip != "
              "@" FW_SET_EPS " drop\n"
              "\t\tiifname \"mv*\" ether type arp iifname . arp saddr ether . arp saddr ip != "
              "@" FW_SET_EPS " drop\n"
              "\t}\n");
    chain_head(b, "forward", "type filter hook forward priority filter");
    sbuf_printf(b, "\t\tmeta mark & 0x%08x == 0x%08x accept\n", FW_DNAT_MARK, FW_DNAT_MARK);
    sbuf_puts(b, "\t\tiifname @" FW_SET_ISOLATED " drop\n"
                 "\t\toifname @" FW_SET_ISOLATED " drop\n"
                 "\t}\n}\n");
}

char *fw_ruleset(const struct fw_state *st)
{
    struct sbuf b = {0};
    inet_table(&b, st);
    bridge_table(&b, st);
    return sbuf_steal(&b);
}
