/* test_fw.c: the firewall state from untrusted JSON and the text of moat's
 * nftables tables (src/net/fw.h). The rules' effect on traffic is tested
 * in tests/integration/net_fw.bats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/fw.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the 2-network example of the report: moat0 (ICC off, closed), moat1
 * (ICC on, host_access); NET0..PORTS replaceable in the variants below */
#define NET0                                                                                       \
    "{\"bridge\":\"moat0\",\"subnet\":\"10.89.0.0/16\",\"gateway\":\"10.89.0.1\","                 \
    "\"icc\":false,\"internal\":false,\"host_access\":false}"
#define NET1                                                                                       \
    "{\"bridge\":\"moat1\",\"subnet\":\"10.90.0.0/16\",\"gateway\":\"10.90.0.1\","                 \
    "\"icc\":true,\"internal\":false,\"host_access\":true}"
#define EP0                                                                                        \
    "{\"veth\":\"mv0123456780\",\"bridge\":\"moat0\",\"ip\":\"10.89.0.2\",\"mac\":\"02:6d:0a:59:"  \
    "00:02\"}"
#define EP1                                                                                        \
    "{\"veth\":\"mvabcdef0121\",\"bridge\":\"moat1\",\"ip\":\"10.90.0.2\",\"mac\":\"02:6d:0a:5a:"  \
    "00:02\"}"
#define PORT0                                                                                      \
    "{\"proto\":\"tcp\",\"host_ip\":\"127.0.0.1\",\"host_port\":8080,\"ip\":\"10.89.0.2\","        \
    "\"port\":80,\"bridge\":\"moat0\"}"
#define PORT1                                                                                      \
    "{\"proto\":\"udp\",\"host_ip\":\"0.0.0.0\",\"host_port\":5353,\"ip\":\"10.90.0.2\","          \
    "\"port\":53,\"bridge\":\"moat1\"}"
#define STATE(nets, eps, ports)                                                                    \
    "{\"op\":\"firewall\",\"networks\":[" nets "],\"endpoints\":[" eps "],\"ports\":[" ports       \
    "],\"forward_guard\":true}"
#define EXAMPLE STATE(NET0 "," NET1, EP0 "," EP1, PORT0 "," PORT1)

/* parse text; the error message (NULL if taken) */
static char *parse(const char *text, struct fw_state *st)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_ALLOW_NUL, &je);
    if (!j)
        fail_msg("bad test JSON: %s: %s", je.text, text);
    merr_t e = MERR_INIT;
    int r = fw_state_parse(j, st, &e);
    json_decref(j);
    assert_true((r < 0) == (e.msg != NULL));
    return e.msg;
}

static void refused(const char *text, const char *want)
{
    struct fw_state st;
    char *msg = parse(text, &st);
    if (!msg || strcmp(msg, want))
        fail_msg("%s:\n got \"%s\"\nwant \"%s\"", text, msg ? msg : "(taken)", want);
    free(msg);
    assert_null(st.nets);
    assert_int_equal(st.n_nets, 0);
}

/* the text of a state that must parse */
static char *text_of(const char *json)
{
    struct fw_state st;
    char *msg = parse(json, &st);
    if (msg)
        fail_msg("%s: %s", json, msg);
    char *t = fw_ruleset(&st);
    fw_state_free(&st);
    return t;
}

/* the body of chain `name` of the table starting at `table` */
static char *chain(const char *text, const char *table, const char *name)
{
    const char *t = strstr(text, table);
    assert_non_null(t);
    cleanup_free char *head = xasprintf("\tchain %s {\n", name);
    const char *c = strstr(t, head);
    if (!c)
        fail_msg("no chain %s in %s", name, table);
    const char *end = strstr(c, "\n\t}\n");
    assert_non_null(end);
    return xstrndup(c, (size_t)(end - c + 1));
}

static void has(const char *text, const char *line)
{
    cleanup_free char *l = xasprintf("\t\t%s\n", line);
    if (!strstr(text, l))
        fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void lacks(const char *text, const char *what)
{
    if (strstr(text, what))
        fail_msg("\"%s\" in:\n%s", what, text);
}

static void test_parse_example(void **state)
{
    (void)state;
    struct fw_state st;
    char *msg = parse(EXAMPLE, &st);
    assert_null(msg);
    assert_int_equal(st.n_nets, 2);
    assert_string_equal(st.nets[0].bridge, "moat0");
    assert_int_equal(st.nets[0].subnet, 0x0a590000);
    assert_int_equal(st.nets[0].prefix, 16);
    assert_int_equal(st.nets[0].gateway, 0x0a590001);
    assert_false(st.nets[0].icc);
    assert_true(st.nets[1].icc);
    assert_true(st.nets[1].host_access);
    assert_true(st.nets[0].masquerade); /* absent: on */
    assert_int_equal(st.n_eps, 2);
    assert_string_equal(st.eps[1].veth, "mvabcdef0121");
    assert_int_equal(st.eps[1].mac[3], 0x5a);
    assert_int_equal(st.n_ports, 2);
    assert_int_equal(st.ports[0].host_ip, 0x7f000001);
    assert_int_equal(st.ports[1].proto, FW_UDP);
    assert_int_equal(st.ports[1].host_port, 5353);
    assert_true(st.forward_guard);
    fw_state_free(&st);
    /* no "op" is fine; empty arrays are fine */
    msg = parse("{\"networks\":[],\"endpoints\":[],\"ports\":[],\"forward_guard\":false}", &st);
    assert_null(msg);
    fw_state_free(&st);
}

static void test_parse_refused_request(void **state)
{
    (void)state;
    refused("[]", "firewall: must be an object, not an array");
    refused(
        "{\"op\":\"setup\",\"networks\":[],\"endpoints\":[],\"ports\":[],\"forward_guard\":true}",
        "firewall: op: must be \"firewall\", not \"setup\"");
    refused("{\"networks\":[],\"endpoints\":[],\"ports\":[],\"forward_guard\":true,\"rules\":1}",
            "firewall: rules: unknown key");
    refused("{\"networks\":[],\"endpoints\":[],\"ports\":[]}", "firewall: forward_guard: missing");
    refused("{\"networks\":{},\"endpoints\":[],\"ports\":[],\"forward_guard\":true}",
            "firewall: networks: must be an array, not an object");
    refused("{\"networks\":[],\"endpoints\":[],\"ports\":[],\"forward_guard\":1}",
            "firewall: forward_guard: must be a boolean, not an integer");
}

static void test_parse_refused_networks(void **state)
{
    (void)state;
    refused(STATE(NET0 ",7", "", ""), "firewall: networks[1]: must be an object, not an integer");
    refused(STATE("{\"bridge\":\"moat0\"}", "", ""), "firewall: networks[0].subnet: missing");
    refused(STATE("{\"bridge\":\"moat0\",\"mtu\":1500}", "", ""),
            "firewall: networks[0].mtu: unknown key");
    refused(
        STATE("{\"bridge\":\"moat\\\"0\"}", "", ""),
        "firewall: networks[0].bridge: \"moat\"0\" is not an interface name (1 to 15 of A-Z a-z "
        "0-9 _ . -)");
    refused(
        STATE("{\"bridge\":\"moat0123456789ab\"}", "", ""),
        "firewall: networks[0].bridge: \"moat0123456789ab\" is not an interface name (1 to 15 of "
        "A-Z a-z 0-9 _ . -)");
    const char *subnets[][2] = {
        {"10.89.0.0/33", "\"10.89.0.0/33\" is not an IPv4 subnet (a.b.c.d/n)"},
        {"10.89.0.0", "\"10.89.0.0\" is not an IPv4 subnet (a.b.c.d/n)"},
        {"10.89.0.0/16 ", "\"10.89.0.0/16 \" is not an IPv4 subnet (a.b.c.d/n)"},
        {"010.89.0.0/16", "\"010.89.0.0/16\" is not an IPv4 subnet (a.b.c.d/n)"},
        {"10.89.0/16", "\"10.89.0/16\" is not an IPv4 subnet (a.b.c.d/n)"},
        {"10.256.0.0/16", "\"10.256.0.0/16\" is not an IPv4 subnet (a.b.c.d/n)"},
        {"10.89.0.0/016", "\"10.89.0.0/016\" is not an IPv4 subnet (a.b.c.d/n)"},
        {"10.89.0.0/7", "the prefix length must be 8..30, not 7"},
        {"10.89.0.0/31", "the prefix length must be 8..30, not 31"},
        {"10.89.0.1/16", "\"10.89.0.1/16\" has host bits set"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(subnets); i++) {
        cleanup_free char *j = xasprintf(
            STATE("{\"bridge\":\"moat0\",\"subnet\":\"%s\",\"gateway\":\"10.89.0.1\"}", "", ""),
            subnets[i][0]);
        cleanup_free char *want = xasprintf("firewall: networks[0].subnet: %s", subnets[i][1]);
        refused(j, want);
    }
    refused(STATE("{\"bridge\":\"moat0\",\"subnet\":\"10.89.0.0/16\",\"gateway\":\"10.90.0.1\"}",
                  "", ""),
            "firewall: networks[0].gateway: must be a host address inside the subnet");
    refused(
        STATE("{\"bridge\":\"moat0\",\"subnet\":\"10.89.0.0/16\",\"gateway\":\"10.89.255.255\"}",
              "", ""),
        "firewall: networks[0].gateway: must be a host address inside the subnet");
    refused(STATE("{\"bridge\":\"moat0\",\"subnet\":\"10.89.0.0/16\",\"gateway\":\"10.89.0.1\","
                  "\"icc\":\"no\"}",
                  "", ""),
            "firewall: networks[0].icc: must be a boolean, not a string");
    refused(STATE(NET0 "," NET0, "", ""), "firewall: networks[1].bridge: \"moat0\" is given twice");
    refused(STATE(NET0 ",{\"bridge\":\"moat1\",\"subnet\":\"10.0.0.0/8\",\"gateway\":\"10.0.0.1\"}",
                  "", ""),
            "firewall: networks[1].subnet: overlaps the subnet of moat0");
}

static void test_parse_refused_endpoints(void **state)
{
    (void)state;
#define EP(veth, br, ip, mac)                                                                      \
    "{\"veth\":\"" veth "\",\"bridge\":\"" br "\",\"ip\":\"" ip "\",\"mac\":\"" mac "\"}"
    refused(STATE(NET0, EP("mv1", "moat1", "10.89.0.2", "02:6d:0a:59:00:02"), ""),
            "firewall: endpoints[0].bridge: \"moat1\" is not in networks");
    refused(STATE(NET0, EP("moat0", "moat0", "10.89.0.2", "02:6d:0a:59:00:02"), ""),
            "firewall: endpoints[0].veth: \"moat0\" is the name of a bridge");
    refused(STATE(NET0, EP("mv*", "moat0", "10.89.0.2", "02:6d:0a:59:00:02"), ""),
            "firewall: endpoints[0].veth: \"mv*\" is not an interface name (1 to 15 of A-Z a-z 0-9 "
            "_ . -)");
    refused(STATE(NET0, EP("mv1", "moat0", "10.89.0.1", "02:6d:0a:59:00:02"), ""),
            "firewall: endpoints[0].ip: must be a host address of moat0 other than its gateway");
    refused(STATE(NET0, EP("mv1", "moat0", "10.90.0.2", "02:6d:0a:59:00:02"), ""),
            "firewall: endpoints[0].ip: must be a host address of moat0 other than its gateway");
    refused(
        STATE(NET0, EP("mv1", "moat0", "10.89.0.2", "02:6d:0a:59:00"), ""),
        "firewall: endpoints[0].mac: \"02:6d:0a:59:00\" is not a MAC address (xx:xx:xx:xx:xx:xx)");
    refused(STATE(NET0, EP("mv1", "moat0", "10.89.0.2", "02-6d-0a-59-00-02"), ""),
            "firewall: endpoints[0].mac: \"02-6d-0a-59-00-02\" is not a MAC address "
            "(xx:xx:xx:xx:xx:xx)");
    refused(STATE(NET0, EP("mv1", "moat0", "10.89.0.2", "02:6d:0a:59:00:0g"), ""),
            "firewall: endpoints[0].mac: \"02:6d:0a:59:00:0g\" is not a MAC address "
            "(xx:xx:xx:xx:xx:xx)");
    refused(STATE(NET0, EP("mv1", "moat0", "10.89.0.2", "03:6d:0a:59:00:02"), ""),
            "firewall: endpoints[0].mac: \"03:6d:0a:59:00:02\" is not a unicast address");
    refused(STATE(NET0,
                  EP("mv1", "moat0", "10.89.0.2",
                     "02:6d:0a:59:00:02") "," EP("mv1", "moat0", "10.89.0.3", "02:6d:0a:59:00:03"),
                  ""),
            "firewall: endpoints[1].veth: \"mv1\" is given twice");
    refused(STATE(NET0,
                  EP("mv1", "moat0", "10.89.0.2",
                     "02:6d:0a:59:00:02") "," EP("mv2", "moat0", "10.89.0.2", "02:6d:0a:59:00:03"),
                  ""),
            "firewall: endpoints[1].ip: is the address of mv1 too");
    refused(STATE(NET0,
                  EP("mv1", "moat0", "10.89.0.2",
                     "02:6d:0a:59:00:02") "," EP("mv2", "moat0", "10.89.0.3", "02:6D:0A:59:00:02"),
                  ""),
            "firewall: endpoints[1].mac: is the address of mv1 too");
}

static void test_parse_refused_ports(void **state)
{
    (void)state;
#define PT(proto, hip, hport, ip, port, br)                                                        \
    "{\"proto\":\"" proto "\",\"host_ip\":\"" hip "\",\"host_port\":" hport ",\"ip\":\"" ip        \
    "\",\"port\":" port ",\"bridge\":\"" br "\"}"
#define OK_PT PT("tcp", "0.0.0.0", "80", "10.89.0.2", "80", "moat0")
    refused(STATE(NET0, "",
                  OK_PT "," OK_PT "," PT("tcp", "0.0.0.0", "70000", "10.89.0.2", "80", "moat0")),
            "firewall: ports[1].host_port: tcp port 80 is published by ports[0] too");
    refused(STATE(NET0, "",
                  OK_PT "," PT("tcp", "0.0.0.0", "81", "10.89.0.2", "80", "moat0") "," PT(
                      "tcp", "0.0.0.0", "70000", "10.89.0.2", "80", "moat0")),
            "firewall: ports[2].host_port: must be 1..65535, not 70000");
    refused(STATE(NET0, "", PT("tcp", "0.0.0.0", "0", "10.89.0.2", "80", "moat0")),
            "firewall: ports[0].host_port: must be 1..65535, not 0");
    refused(STATE(NET0, "", PT("tcp", "0.0.0.0", "8080", "10.89.0.2", "-1", "moat0")),
            "firewall: ports[0].port: must be 1..65535, not -1");
    refused(STATE(NET0, "", PT("tcp", "0.0.0.0", "\"80\"", "10.89.0.2", "80", "moat0")),
            "firewall: ports[0].host_port: must be an integer, not a string");
    refused(STATE(NET0, "", PT("sctp", "0.0.0.0", "80", "10.89.0.2", "80", "moat0")),
            "firewall: ports[0].proto: must be \"tcp\" or \"udp\", not \"sctp\"");
    refused(STATE(NET0, "", PT("tcp", "localhost", "80", "10.89.0.2", "80", "moat0")),
            "firewall: ports[0].host_ip: \"localhost\" is not an IPv4 address (a.b.c.d)");
    refused(STATE(NET0, "", PT("tcp", "224.0.0.1", "80", "10.89.0.2", "80", "moat0")),
            "firewall: ports[0].host_ip: must be 0.0.0.0 or a unicast address");
    refused(STATE(NET0, "", PT("tcp", "0.0.0.0", "80", "10.90.0.2", "80", "moat0")),
            "firewall: ports[0].ip: must be a host address of moat0 other than its gateway");
    refused(STATE(NET0, "", PT("tcp", "0.0.0.0", "80", "10.89.0.2", "80", "moat9")),
            "firewall: ports[0].bridge: \"moat9\" is not in networks");
    /* one host port: 0.0.0.0 covers every address; tcp and udp are apart */
    refused(STATE(NET0, "", PT("tcp", "127.0.0.1", "80", "10.89.0.2", "80", "moat0") "," OK_PT),
            "firewall: ports[1].host_port: tcp port 80 is published by ports[0] too");
    struct fw_state st;
    assert_null(
        parse(STATE(NET0, "",
                    PT("tcp", "127.0.0.1", "80", "10.89.0.2", "80", "moat0") "," PT(
                        "tcp", "127.0.0.2", "80", "10.89.0.2", "80",
                        "moat0") "," PT("udp", "0.0.0.0", "80", "10.89.0.2", "80", "moat0")),
              &st));
    fw_state_free(&st);
    refused(STATE("{\"bridge\":\"moat0\",\"subnet\":\"10.89.0.0/16\",\"gateway\":\"10.89.0.1\","
                  "\"icc\":false,\"internal\":true,\"host_access\":false}",
                  "", OK_PT),
            "firewall: ports[0].bridge: moat0 is an internal network: nothing is published on it");
    refused(STATE(NET0, "", "{\"proto\":\"tcp\",\"from\":1}"),
            "firewall: ports[0].from: unknown key");
}

static void test_text_example(void **state)
{
    (void)state;
    cleanup_free char *t = text_of(EXAMPLE);
    cleanup_free char *again = text_of(EXAMPLE);
    assert_string_equal(t, again); /* deterministic */
    assert_true(!strncmp(t, "table inet moat {\n", 18));
    assert_non_null(strstr(t, "}\ntable bridge moat {\n"));
    has(t, "elements = { \"moat0\", \"moat1\" }");
    has(t, "elements = { \"moat0\" }"); /* closed: moat1 has host_access */
    cleanup_free char *pre = chain(t, "table inet moat", "nat_prerouting");
    cleanup_free char *out = chain(t, "table inet moat", "nat_output");
    /* the ports are elements of maps; a loopback port's map (dnat_lo) is
     * looked up in output only */
    has(t, "elements = { 127.0.0.1 . tcp . 8080 : 10.89.0.2 . 80 }");
    has(t, "elements = { udp . 5353 : 10.90.0.2 . 53 }");
    lacks(pre, "dnat_lo");
    lacks(pre, "8080");
    has(out, "dnat ip to ip daddr . meta l4proto . th dport map @dnat_lo");
    has(pre, "type nat hook prerouting priority -100; policy accept;");
    has(out, "type nat hook output priority -100; policy accept;");
    has(pre, "dnat ip to ip daddr . meta l4proto . th dport map @dnat_addr");
    has(out, "dnat ip to ip daddr . meta l4proto . th dport map @dnat_addr");
    has(pre, "meta nfproto ipv4 fib daddr type local dnat ip to meta l4proto . th dport map "
             "@dnat_any");
    has(out, "meta nfproto ipv4 fib daddr type local dnat ip to meta l4proto . th dport map "
             "@dnat_any");
    cleanup_free char *raw = chain(t, "table inet moat", "raw_prerouting");
    has(raw, "iifname != \"lo\" ip daddr 127.0.0.0/8 drop");
    has(raw, "iifname @bridges ip saddr 127.0.0.0/8 drop");
    has(raw, "ip daddr 10.89.0.0/16 ip daddr != 10.89.0.1 iifname != \"moat0\" drop");
    cleanup_free char *post = chain(t, "table inet moat", "nat_postrouting");
    has(post, "ip saddr 10.89.0.0/16 oifname != \"moat0\" masquerade");
    has(post, "oifname \"moat0\" ct status dnat ip saddr 10.89.0.0/16 masquerade");
    has(post, "oifname \"moat0\" ip saddr 127.0.0.0/8 masquerade");
    cleanup_free char *fwd = chain(t, "table inet moat", "forward");
    has(fwd, "iifname \"moat0\" oifname \"moat0\" drop"); /* ICC off */
    lacks(fwd, "iifname \"moat1\" oifname \"moat1\" drop");
    has(fwd, "iifname \"moat1\" oifname @bridges oifname != \"moat1\" drop");
    has(fwd, "iifname != @bridges oifname != @bridges meta iifkind != \"bridge\" meta oifkind != "
             "\"bridge\" drop");
    /* DNATed traffic is accepted before any drop */
    const char *dnat = strstr(fwd, "oifname @bridges ct status dnat accept");
    assert_non_null(dnat);
    cleanup_free char *before = xstrndup(fwd, (size_t)(dnat - fwd));
    lacks(before, " drop\n");
    /* the endpoints: set eps (anti-spoofing), set isolated (ICC off) */
    has(t, "elements = { \"mv0123456780\" . 02:6d:0a:59:00:02 . 10.89.0.2, \"mvabcdef0121\" . "
           "02:6d:0a:5a:00:02 . 10.90.0.2 }");
    has(t, "elements = { \"mv0123456780\" }"); /* moat1 has ICC on */
    cleanup_free char *bpre = chain(t, "table bridge moat", "prerouting");
    has(bpre, "iifname \"mv*\" ether type != { ip, arp } drop");
    has(bpre, "iifname \"mv*\" ether type ip iifname . ether saddr . ip saddr != @eps drop");
    has(bpre, "iifname \"mv*\" ether type arp iifname . ether saddr . arp saddr ip != @eps drop");
    has(bpre,
        "iifname \"mv*\" ether type arp iifname . arp saddr ether . arp saddr ip != @eps drop");
    cleanup_free char *bfwd = chain(t, "table bridge moat", "forward");
    has(bfwd, "meta mark & 0x00800000 == 0x00800000 accept");
    has(bfwd, "iifname @isolated drop");
    has(bfwd, "oifname @isolated drop");
    /* the DNAT mark is accepted before the isolation */
    assert_true(strstr(bfwd, "meta mark") < strstr(bfwd, "@isolated"));
}

static void test_text_variants(void **state)
{
    (void)state;
    /* nothing at all: still two valid tables, sets without elements */
    char *t = text_of(STATE("", "", ""));
    lacks(t, "elements");
    has(t, "iifname != @bridges oifname != @bridges meta iifkind != \"bridge\" meta oifkind != "
           "\"bridge\" drop"); /* forward_guard */
    free(t);
    t = text_of("{\"networks\":[],\"endpoints\":[],\"ports\":[],\"forward_guard\":false}");
    lacks(t, "iifname != @bridges oifname != @bridges meta iifkind != \"bridge\" meta oifkind != "
             "\"bridge\" drop");
    free(t);
    /* internal: closed both ways, no NAT */
    t = text_of(STATE("{\"bridge\":\"moat3\",\"subnet\":\"10.91.0.0/24\",\"gateway\":\"10.91.0.1\","
                      "\"icc\":true,\"internal\":true,\"host_access\":false}",
                      "", ""));
    cleanup_free char *fwd = chain(t, "table inet moat", "forward");
    has(fwd, "iifname \"moat3\" oifname != \"moat3\" drop");
    has(fwd, "oifname \"moat3\" iifname != \"moat3\" drop");
    assert_true(strstr(fwd, "oifname \"moat3\" iifname") < strstr(fwd, "ct status dnat accept"));
    cleanup_free char *post = chain(t, "table inet moat", "nat_postrouting");
    lacks(post, "moat3");
    free(t);
    /* masquerade off: no outbound NAT, the hairpin one stays */
    t = text_of(STATE("{\"bridge\":\"moat4\",\"subnet\":\"10.92.0.0/16\",\"gateway\":\"10.92.0.1\","
                      "\"icc\":true,\"internal\":false,\"host_access\":false,\"masquerade\":false}",
                      "", ""));
    lacks(t, "oifname != \"moat4\" masquerade");
    has(t, "oifname \"moat4\" ct status dnat ip saddr 10.92.0.0/16 masquerade");
    free(t);
    /* a specific non-loopback host address: both hooks */
    t = text_of(STATE(NET0, "",
                      "{\"proto\":\"tcp\",\"host_ip\":\"192.168.1.5\",\"host_port\":443,"
                      "\"ip\":\"10.89.255.254\",\"port\":8443,\"bridge\":\"moat0\"}"));
    has(t, "elements = { 192.168.1.5 . tcp . 443 : 10.89.255.254 . 8443 }");
    cleanup_free char *m = xstrndup(strstr(t, "\tmap dnat_addr {"), 200);
    has(m, "elements = { 192.168.1.5 . tcp . 443 : 10.89.255.254 . 8443 }");
    free(t);
    /* 127.0.0.0/8, not only 127.0.0.1, goes to dnat_lo (output only) */
    t = text_of(STATE(NET0, "",
                      "{\"proto\":\"tcp\",\"host_ip\":\"127.1.2.3\",\"host_port\":443,"
                      "\"ip\":\"10.89.0.9\",\"port\":443,\"bridge\":\"moat0\"}"));
    cleanup_free char *lo = xstrndup(strstr(t, "\tmap dnat_lo {"), 200);
    has(lo, "elements = { 127.1.2.3 . tcp . 443 : 10.89.0.9 . 443 }");
    free(t);
}

/* Nothing from the request but checked names reaches the text: every
 * character that could end a quoted string or start a statement is
 * refused in each name field. */
static void test_quoting(void **state)
{
    (void)state;
    static const char *const bad[] = {"a\\\"b", "a b",    "a;b", "a}b", "a{b", "a\\nb",
                                      "a\\tb",  "a*",     "a@b", "a$b", "a#b", "a/b",
                                      "a'b",    "a\\\\b", "",    ".",   "..",  "a\\u00e9"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        cleanup_free char *n = xasprintf(
            STATE("{\"bridge\":\"%s\",\"subnet\":\"10.89.0.0/16\",\"gateway\":\"10.89.0.1\","
                  "\"icc\":false,\"internal\":false,\"host_access\":false}",
                  "", ""),
            bad[i]);
        struct fw_state st;
        char *msg = parse(n, &st);
        if (!msg || !strstr(msg, "networks[0].bridge: ") ||
            !strstr(msg, "is not an interface name"))
            fail_msg("%s: %s", n, msg ? msg : "taken");
        free(msg);
        cleanup_free char *e = xasprintf(STATE(NET0,
                                               "{\"veth\":\"%s\",\"bridge\":\"moat0\",\"ip\":\"10."
                                               "89.0.2\",\"mac\":\"02:6d:0a:59:00:02\"}",
                                               ""),
                                         bad[i]);
        msg = parse(e, &st);
        if (!msg || !strstr(msg, "endpoints[0].veth: "))
            fail_msg("%s: %s", e, msg ? msg : "taken");
        free(msg);
    }
    /* a NUL inside a name */
    refused(STATE("{\"bridge\":\"mo\\u0000at\"}", "", ""),
            "firewall: networks[0].bridge: must not contain NUL bytes");
    /* every allowed character is printed as it is, inside quotes */
    cleanup_free char *t = text_of(
        STATE("{\"bridge\":\"A-z_0.9\",\"subnet\":\"10.89.0.0/16\",\"gateway\":\"10.89.0.1\","
              "\"icc\":false,\"internal\":false,\"host_access\":false}",
              "{\"veth\":\"mv-.Z_9\",\"bridge\":\"A-z_0.9\",\"ip\":\"10.89.0.2\","
              "\"mac\":\"02:6D:0A:59:00:02\"}",
              ""));
    has(t, "elements = { \"mv-.Z_9\" . 02:6d:0a:59:00:02 . 10.89.0.2 }");
    has(t, "iifname \"A-z_0.9\" oifname \"A-z_0.9\" drop");
}

/* the elements in the kernel's encoding: the bytes nft 1.0.6 sends for
 * the same elements (nft --debug=netlink add element ...) */
static void test_elems(void **state)
{
    (void)state;
    struct fw_state st;
    char *msg = parse(
        STATE(NET0,
              "{\"veth\":\"mvc2\",\"bridge\":\"moat0\",\"ip\":\"10.89.0.3\",\"mac\":"
              "\"02:6d:0a:59:00:03\"}",
              "{\"proto\":\"udp\",\"host_ip\":\"10.99.0.1\",\"host_port\":53,\"ip\":\"10.89.0.3\","
              "\"port\":5353,\"bridge\":\"moat0\"},"
              "{\"proto\":\"tcp\",\"host_ip\":\"0.0.0.0\",\"host_port\":8080,\"ip\":\"10.89.0.3\","
              "\"port\":80,\"bridge\":\"moat0\"},"
              "{\"proto\":\"tcp\",\"host_ip\":\"127.0.0.1\",\"host_port\":8081,\"ip\":\"10.89.0."
              "3\",\"port\":80,\"bridge\":\"moat0\"}"),
        &st);
    assert_null(msg);
    size_t n;
    struct nft_elem *v = fw_elems(&st, &n);
    fw_state_free(&st);
    assert_int_equal(n, 5);
    static const uint8_t eps[] = {'m', 'v', 'c',  '2',  0,    0,    0, 0, 0, 0, 0,  0,  0, 0,
                                  0,   0,   0x02, 0x6d, 0x0a, 0x59, 0, 3, 0, 0, 10, 89, 0, 3};
    assert_int_equal(v[0].family, 7 /* NFPROTO_BRIDGE */);
    assert_string_equal(v[0].table, "moat");
    assert_string_equal(v[0].set, "eps");
    assert_int_equal(v[0].klen, sizeof(eps));
    assert_memory_equal(v[0].key, eps, sizeof(eps));
    assert_int_equal(v[0].dlen, 0);
    /* ICC off: the veth in isolated */
    assert_string_equal(v[1].set, "isolated");
    assert_int_equal(v[1].klen, 16);
    assert_memory_equal(v[1].key, eps, 16);
    static const uint8_t addr_key[] = {10, 99, 0, 1, 17, 0, 0, 0, 0, 53, 0, 0};
    static const uint8_t addr_data[] = {10, 89, 0, 3, 0x14, 0xe9, 0, 0};
    assert_int_equal(v[2].family, 1 /* NFPROTO_INET */);
    assert_string_equal(v[2].set, "dnat_addr");
    assert_int_equal(v[2].klen, sizeof(addr_key));
    assert_memory_equal(v[2].key, addr_key, sizeof(addr_key));
    assert_int_equal(v[2].dlen, sizeof(addr_data));
    assert_memory_equal(v[2].data, addr_data, sizeof(addr_data));
    static const uint8_t any_key[] = {6, 0, 0, 0, 0x1f, 0x90, 0, 0};
    assert_string_equal(v[3].set, "dnat_any");
    assert_int_equal(v[3].klen, sizeof(any_key));
    assert_memory_equal(v[3].key, any_key, sizeof(any_key));
    assert_string_equal(v[4].set, "dnat_lo");
    assert_memory_equal(v[4].key, "\x7f\x00\x00\x01", 4);
    free(v);
    /* ICC on: no isolated element */
    msg = parse(STATE(NET1, EP1, ""), &st);
    assert_null(msg);
    v = fw_elems(&st, &n);
    fw_state_free(&st);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].set, "eps");
    free(v);
    struct nft_elem br;
    fw_bridge_elem("moat0", &br);
    assert_string_equal(br.set, "bridges");
    assert_int_equal(br.klen, 16);
    assert_memory_equal(br.key, "moat0\0\0\0\0\0\0\0\0\0\0", 16);
}

/* one endpoint's part (setup and teardown) */
static char *part(const char *json, const char *veth)
{
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    struct fw_state st;
    merr_t e = MERR_INIT;
    int r = fw_part_parse(j, veth, &st, &e);
    json_decref(j);
    assert_true((r < 0) == (e.msg != NULL));
    fw_state_free(&st);
    return e.msg;
}

#define PART(nets, eps, ports)                                                                     \
    "{\"networks\":[" nets "],\"endpoints\":[" eps "],\"ports\":[" ports "]}"

static void test_part(void **state)
{
    (void)state;
    assert_null(part(PART(NET0, EP0, PORT0), "mv0123456780"));
    assert_null(part(PART(NET1, EP1, ""), "mvabcdef0121"));
    char *m = part(PART(NET0, EP0, PORT0), "mv0123456781");
    assert_string_equal(m, "firewall: endpoints[0].veth: \"mv0123456780\" is not the request's "
                           "mv0123456781");
    free(m);
    m = part(PART(NET0 "," NET1, EP0, ""), "mv0123456780");
    assert_string_equal(m, "firewall: one network and one endpoint, not 2 and 1");
    free(m);
    m = part(PART(NET0, "", ""), "mv0123456780");
    assert_string_equal(m, "firewall: one network and one endpoint, not 1 and 0");
    free(m);
    /* a port to another address than the endpoint's */
    m = part(PART(NET0, EP0,
                  "{\"proto\":\"tcp\",\"host_ip\":\"0.0.0.0\",\"host_port\":1,\"ip\":\"10.89."
                  "0.3\",\"port\":80,\"bridge\":\"moat0\"}"),
             "mv0123456780");
    assert_string_equal(m, "firewall: ports[0].ip: is not the endpoint's address");
    free(m);
    m = part("{\"networks\":[],\"endpoints\":[],\"ports\":[],\"forward_guard\":true}", "x");
    assert_string_equal(m, "firewall: forward_guard: unknown key");
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_example),
        cmocka_unit_test(test_parse_refused_request),
        cmocka_unit_test(test_parse_refused_networks),
        cmocka_unit_test(test_parse_refused_endpoints),
        cmocka_unit_test(test_parse_refused_ports),
        cmocka_unit_test(test_text_example),
        cmocka_unit_test(test_text_variants),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_elems),
        cmocka_unit_test(test_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
