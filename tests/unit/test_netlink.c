/* test_netlink.c: moat-net's netlink requests, byte by byte and attribute
 * by attribute (src/kernel/net: link, addr, route), and its request
 * parser (src/net/req.h). No socket: no privilege needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include "kernel/net/addr.h"
#include "kernel/net/link.h"
#include "kernel/net/route.h"
#include "net/req.h"

static char buf[NL_BUF];

/* the attribute `type` among the attributes of h after `off` bytes, or of a
 * nest (h NULL): exactly one may be there */
static const struct nlattr *attr_in(const struct nlmsghdr *h, size_t off, const struct nlattr *nest,
                                    uint16_t type)
{
    const struct nlattr *a, *found = NULL;
    int n = 0;
    if (h) {
        mnl_attr_for_each(a, h, off)
        {
            if (mnl_attr_get_type(a) == type) {
                found = a;
                n++;
            }
        }
    } else {
        mnl_attr_for_each_nested(a, nest)
        {
            if (mnl_attr_get_type(a) == type) {
                found = a;
                n++;
            }
        }
    }
    if (n > 1)
        fail_msg("attribute %u: %d times", type, n);
    return found;
}

#define IFI_ATTR(h, type) attr_in(h, sizeof(struct ifinfomsg), NULL, type)
#define NESTED(nest, type) attr_in(NULL, 0, nest, type)

static void check_header(const struct nlmsghdr *h, uint16_t type, uint16_t flags)
{
    assert_int_equal(h->nlmsg_type, type);
    assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | flags);
    /* the length covers every attribute and nothing past them */
    assert_true(h->nlmsg_len <= NL_BUF);
    for (size_t i = h->nlmsg_len; i < NL_BUF; i++)
        assert_int_equal(buf[i], 0);
}

static void test_bridge(void **state)
{
    (void)state;
    const uint8_t mac[6] = {0x02, 0x6d, 0x0a, 0x59, 0x00, 0x01};
    const struct nlmsghdr *h = link_msg_new_bridge(buf, "moat0", 1400, mac);
    check_header(h, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
    assert_int_equal(ifi->ifi_index, 0);
    assert_string_equal(mnl_attr_get_str(IFI_ATTR(h, IFLA_IFNAME)), "moat0");
    assert_int_equal(mnl_attr_get_u32(IFI_ATTR(h, IFLA_MTU)), 1400);
    assert_int_equal(mnl_attr_get_payload_len(IFI_ATTR(h, IFLA_ADDRESS)), 6);
    assert_memory_equal(mnl_attr_get_payload(IFI_ATTR(h, IFLA_ADDRESS)), mac, 6);
    const struct nlattr *li = IFI_ATTR(h, IFLA_LINKINFO);
    assert_non_null(li);
    assert_string_equal(mnl_attr_get_str(NESTED(li, IFLA_INFO_KIND)), "bridge");
}

static void test_veth(void **state)
{
    (void)state;
    const uint8_t mac[6] = {0x02, 0x6d, 0x0a, 0x59, 0x00, 0x02};
    struct veth_spec v = {"mv0123456780", "eth0", 3, 1500, mac};
    const struct nlmsghdr *h = link_msg_new_veth(buf, &v);
    check_header(h, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    assert_string_equal(mnl_attr_get_str(IFI_ATTR(h, IFLA_IFNAME)), "mv0123456780");
    assert_int_equal(mnl_attr_get_u32(IFI_ATTR(h, IFLA_MTU)), 1500);
    /* the host end stays in the socket's namespace */
    assert_null(IFI_ATTR(h, IFLA_NET_NS_FD));
    const struct nlattr *li = IFI_ATTR(h, IFLA_LINKINFO);
    assert_string_equal(mnl_attr_get_str(NESTED(li, IFLA_INFO_KIND)), "veth");
    const struct nlattr *data = NESTED(li, IFLA_INFO_DATA);
    const struct nlattr *peer = NESTED(data, VETH_INFO_PEER);
    assert_non_null(peer);
    /* the peer: an ifinfomsg, then its attributes */
    const struct ifinfomsg *pifi = mnl_attr_get_payload(peer);
    assert_int_equal(pifi->ifi_family, AF_UNSPEC);
    assert_int_equal(pifi->ifi_index, 0);
    const struct nlattr *a;
    int seen = 0;
    size_t off = MNL_ALIGN(sizeof(struct ifinfomsg));
    for (a = (const void *)((const char *)mnl_attr_get_payload(peer) + off);
         mnl_attr_ok(a, (int)((const char *)peer + peer->nla_len - (const char *)a));
         a = mnl_attr_next(a)) {
        switch (mnl_attr_get_type(a)) {
        case IFLA_IFNAME:
            assert_string_equal(mnl_attr_get_str(a), "eth0");
            seen |= 1;
            break;
        case IFLA_ADDRESS:
            assert_int_equal(mnl_attr_get_payload_len(a), 6);
            assert_memory_equal(mnl_attr_get_payload(a), mac, 6);
            seen |= 2;
            break;
        case IFLA_NET_NS_FD:
            assert_int_equal(mnl_attr_get_u32(a), 3);
            seen |= 4;
            break;
        case IFLA_MTU:
            assert_int_equal(mnl_attr_get_u32(a), 1500);
            seen |= 8;
            break;
        default:
            fail_msg("peer: unexpected attribute %u", mnl_attr_get_type(a));
        }
    }
    assert_int_equal(seen, 15);
}

static void test_change(void **state)
{
    (void)state;
    const uint8_t mac[6] = {0x02, 0x6d, 1, 2, 3, 4};
    struct link_change c = {.index = 7, .name = "eth1", .mac = mac, .master = 4, .up = true};
    const struct nlmsghdr *h = link_msg_change(buf, &c);
    check_header(h, RTM_SETLINK, 0);
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
    assert_int_equal(ifi->ifi_index, 7);
    assert_int_equal(ifi->ifi_flags, IFF_UP);
    assert_int_equal(ifi->ifi_change, IFF_UP);
    assert_string_equal(mnl_attr_get_str(IFI_ATTR(h, IFLA_IFNAME)), "eth1");
    assert_memory_equal(mnl_attr_get_payload(IFI_ATTR(h, IFLA_ADDRESS)), mac, 6);
    assert_int_equal(mnl_attr_get_u32(IFI_ATTR(h, IFLA_MASTER)), 4);

    /* only what is asked: attach alone neither renames nor brings up */
    struct link_change attach = {.index = 9, .master = 4};
    h = link_msg_change(buf, &attach);
    ifi = mnl_nlmsg_get_payload(h);
    assert_int_equal(ifi->ifi_change, 0);
    assert_null(IFI_ATTR(h, IFLA_IFNAME));
    assert_null(IFI_ATTR(h, IFLA_ADDRESS));
    assert_int_equal(mnl_attr_get_u32(IFI_ATTR(h, IFLA_MASTER)), 4);
}

static void test_hairpin(void **state)
{
    (void)state;
    const struct nlmsghdr *h = link_msg_hairpin(buf, 12, true);
    check_header(h, RTM_SETLINK, 0);
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
    assert_int_equal(ifi->ifi_family, AF_BRIDGE);
    assert_int_equal(ifi->ifi_index, 12);
    const struct nlattr *pi = IFI_ATTR(h, IFLA_PROTINFO);
    assert_non_null(pi);
    assert_true(pi->nla_type & NLA_F_NESTED); /* the bridge parses it nested */
    const struct nlattr *mode = NESTED(pi, IFLA_BRPORT_MODE);
    assert_int_equal(mnl_attr_get_payload_len(mode), 1);
    assert_int_equal(mnl_attr_get_u8(mode), 1);
}

static void test_route_localnet(void **state)
{
    (void)state;
    const struct nlmsghdr *h = link_msg_route_localnet(buf, 5, true);
    check_header(h, RTM_SETLINK, 0);
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
    assert_int_equal(ifi->ifi_family, AF_UNSPEC);
    assert_int_equal(ifi->ifi_index, 5);
    const struct nlattr *af = IFI_ATTR(h, IFLA_AF_SPEC);
    const struct nlattr *inet = NESTED(af, AF_INET);
    const struct nlattr *conf = NESTED(inet, IFLA_INET_CONF);
    assert_non_null(conf);
    const struct nlattr *a = NESTED(conf, IPV4_DEVCONF_ROUTE_LOCALNET);
    assert_int_equal(mnl_attr_get_payload_len(a), 4);
    assert_int_equal(mnl_attr_get_u32(a), 1);
}

static void test_get_del(void **state)
{
    (void)state;
    const struct nlmsghdr *h = link_msg_get(buf, "moat0");
    check_header(h, RTM_GETLINK, 0);
    assert_string_equal(mnl_attr_get_str(IFI_ATTR(h, IFLA_IFNAME)), "moat0");
    h = link_msg_dump(buf);
    check_header(h, RTM_GETLINK, NLM_F_DUMP);
    h = link_msg_del(buf, 42);
    check_header(h, RTM_DELLINK, 0);
    assert_int_equal(((const struct ifinfomsg *)mnl_nlmsg_get_payload(h))->ifi_index, 42);
    assert_int_equal(h->nlmsg_len, MNL_ALIGN(sizeof(struct nlmsghdr)) + sizeof(struct ifinfomsg));
}

static struct in_addr ip(const char *s)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, s, &a), 1);
    return a;
}

static void test_addr(void **state)
{
    (void)state;
    const struct nlmsghdr *h = addr_msg_add(buf, 6, ip("10.89.0.2"), 16);
    check_header(h, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
    assert_int_equal(ifa->ifa_family, AF_INET);
    assert_int_equal(ifa->ifa_prefixlen, 16);
    assert_int_equal(ifa->ifa_index, 6);
    assert_int_equal(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
    const size_t off = sizeof(*ifa);
    struct in_addr want = ip("10.89.0.2"), brd = ip("10.89.255.255");
    assert_memory_equal(mnl_attr_get_payload(attr_in(h, off, NULL, IFA_LOCAL)), &want, 4);
    assert_memory_equal(mnl_attr_get_payload(attr_in(h, off, NULL, IFA_ADDRESS)), &want, 4);
    assert_memory_equal(mnl_attr_get_payload(attr_in(h, off, NULL, IFA_BROADCAST)), &brd, 4);
    h = addr_msg_add(buf, 6, ip("192.168.7.9"), 30);
    brd = ip("192.168.7.11");
    assert_memory_equal(mnl_attr_get_payload(attr_in(h, off, NULL, IFA_BROADCAST)), &brd, 4);
    h = addr_msg_del(buf, 6, ip("10.89.0.2"), 16);
    check_header(h, RTM_DELADDR, 0);
    assert_null(attr_in(h, off, NULL, IFA_BROADCAST));
}

static void test_route(void **state)
{
    (void)state;
    const struct nlmsghdr *h = route_msg_default(buf, ip("10.89.0.1"), 2);
    check_header(h, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    const struct rtmsg *rt = mnl_nlmsg_get_payload(h);
    assert_int_equal(rt->rtm_family, AF_INET);
    assert_int_equal(rt->rtm_dst_len, 0);
    assert_int_equal(rt->rtm_table, RT_TABLE_MAIN);
    assert_int_equal(rt->rtm_type, RTN_UNICAST);
    assert_int_equal(rt->rtm_scope, RT_SCOPE_UNIVERSE);
    struct in_addr gw = ip("10.89.0.1");
    assert_memory_equal(mnl_attr_get_payload(attr_in(h, sizeof(*rt), NULL, RTA_GATEWAY)), &gw, 4);
    assert_int_equal(mnl_attr_get_u32(attr_in(h, sizeof(*rt), NULL, RTA_OIF)), 2);
    assert_null(attr_in(h, sizeof(*rt), NULL, RTA_DST));
}

#define SETUP_OK                                                                                   \
    "\"op\":\"setup\",\"bridge\":\"moat0\",\"bridge_addr\":\"10.89.0.1\",\"prefix\":16,"           \
    "\"veth\":\"mv0123456780\",\"ifname\":\"eth0\",\"addr\":\"10.89.0.2\","                        \
    "\"mac\":\"02:6d:0a:59:00:02\""

static int parse(const char *text, struct net_req *r, merr_t *err)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_ALLOW_NUL, &je); /* the parser checks too */
    if (!j)
        fail_msg("test JSON: %s: %s", text, je.text);
    const char *op = json_string_value(json_object_get(j, "op"));
    int rc = net_req_parse(j, op ? op : "", r, err);
    json_decref(j);
    return rc;
}

static void test_req_ok(void **state)
{
    (void)state;
    struct net_req r;
    merr_t err = MERR_INIT;
    if (parse("{" SETUP_OK ",\"gateway\":\"10.89.0.1\",\"mtu\":9000}", &r, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(r.op, NET_OP_SETUP);
    assert_string_equal(r.bridge, "moat0");
    assert_string_equal(r.veth, "mv0123456780");
    assert_string_equal(r.ifname, "eth0");
    assert_int_equal(r.prefix, 16);
    assert_int_equal(r.mtu, 9000);
    assert_true(r.has_gateway);
    assert_int_equal(r.gateway.s_addr, ip("10.89.0.1").s_addr);
    assert_int_equal(r.addr.s_addr, ip("10.89.0.2").s_addr);
    const uint8_t mac[6] = {0x02, 0x6d, 0x0a, 0x59, 0x00, 0x02};
    assert_memory_equal(r.mac, mac, 6);
    /* mtu 1500 and no gateway when absent */
    assert_int_equal(parse("{" SETUP_OK "}", &r, &err), 0);
    assert_int_equal(r.mtu, 1500);
    assert_false(r.has_gateway);
    assert_int_equal(parse("{\"op\":\"teardown\",\"veth\":\"mv1\"}", &r, &err), 0);
    assert_int_equal(r.op, NET_OP_TEARDOWN);
    assert_string_equal(r.veth, "mv1");
    assert_int_equal(parse("{\"op\":\"bridge-rm\",\"bridge\":\"moat3\"}", &r, &err), 0);
    assert_int_equal(r.op, NET_OP_BRIDGE_RM);
    assert_string_equal(r.bridge, "moat3");
}

static void bad(const char *text, const char *want)
{
    struct net_req r;
    merr_t err = MERR_INIT;
    if (parse(text, &r, &err) == 0)
        fail_msg("accepted: %s", text);
    if (!err.msg || !strstr(err.msg, want))
        fail_msg("%s: message \"%s\" lacks \"%s\"", text, err.msg ? err.msg : "", want);
    err_clear(&err);
}

static void test_req_bad(void **state)
{
    (void)state;
    bad("{\"op\":\"frobnicate\"}", "\"op\": unknown");
    bad("{\"op\":\"teardown\"}", "\"veth\": missing");
    bad("{\"op\":\"teardown\",\"veth\":\"mv1\",\"bridge\":\"x\"}", "\"bridge\": not a field");
    bad("{\"op\":\"teardown\",\"veth\":\"abcdefghijklmnop\"}", "1 to 15 characters");
    bad("{\"op\":\"teardown\",\"veth\":\"\"}", "1 to 15 characters");
    bad("{\"op\":\"teardown\",\"veth\":\"a/b\"}", "1 to 15 characters");
    bad("{\"op\":\"teardown\",\"veth\":\"a b\"}", "1 to 15 characters");
    bad("{\"op\":\"teardown\",\"veth\":\"..\"}", "1 to 15 characters");
    bad("{\"op\":\"teardown\",\"veth\":\"a\\u0000b\"}", "NUL");
    bad("{\"op\":\"teardown\",\"veth\":7}", "must be a string");
    bad("{\"op\":\"bridge-rm\",\"bridge\":\"ab:c\"}", "1 to 15 characters");
    /* never a device that is not moat's */
    bad("{\"op\":\"bridge-rm\",\"bridge\":\"docker0\"}",
        "\"bridge\": \"docker0\": not one of moat's (they start with \"moat\")");
    bad("{\"op\":\"teardown\",\"veth\":\"eth0\"}",
        "\"veth\": \"eth0\": not one of moat's (they start with \"mv\")");
    bad("{\"op\":\"teardown\",\"veth\":\"vethab12\"}", "not one of moat's");
    bad("{" SETUP_OK ",\"mtu\":575}", "\"mtu\": 575: must be from 576 to 65535");
    bad("{" SETUP_OK ",\"mtu\":65536}", "\"mtu\"");
    bad("{" SETUP_OK ",\"mtu\":\"1500\"}", "\"mtu\": must be an integer");
    bad("{" SETUP_OK ",\"mtu\":1500.0}", "\"mtu\": must be an integer");
    bad("{" SETUP_OK ",\"gateway\":\"10.90.0.1\"}", "\"gateway\": 10.90.0.1 is outside");
    bad("{" SETUP_OK ",\"gateway\":\"10.89.0.2\"}", "is the gateway's address");
    bad("{" SETUP_OK ",\"gateway\":\"10.89.255.255\"}", "broadcast");
    bad("{" SETUP_OK ",\"gateway\":\"10.89.0\"}", "not an IPv4 address");
    bad("{" SETUP_OK ",\"extra\":1}", "\"extra\": not a field of op setup");
}

static void setup_with(const char *field, const char *value, const char *want)
{
    /* SETUP_OK with one field replaced */
    json_error_t je;
    json_t *j = json_loads("{" SETUP_OK "}", 0, &je);
    json_t *v = json_loads(value, JSON_DECODE_ANY, &je);
    assert_non_null(v);
    json_object_set_new(j, field, v);
    char *text = json_dumps(j, 0);
    bad(text, want);
    free(text);
    json_decref(j);
}

static void test_req_fields(void **state)
{
    (void)state;
    setup_with("prefix", "7", "\"prefix\": 7: must be from 8 to 30");
    setup_with("prefix", "31", "\"prefix\"");
    setup_with("prefix", "-16", "\"prefix\"");
    setup_with("prefix", "true", "must be an integer");
    setup_with("addr", "\"10.90.0.2\"",
               "\"addr\": 10.90.0.2 is outside the bridge's subnet 10.89.0.0/16");
    setup_with("addr", "\"10.89.0.0\"", "network address");
    setup_with("addr", "\"10.89.0.1\"", "is the bridge's address");
    setup_with("addr", "\"010.89.0.2\"", "not an IPv4 address");
    setup_with("addr", "\"10.89.0.2 \"", "not an IPv4 address");
    setup_with("addr", "\"::1\"", "not an IPv4 address");
    setup_with("bridge_addr", "\"127.0.0.1\"", "not a usable unicast address");
    setup_with("bridge_addr", "\"0.1.2.3\"", "not a usable unicast address");
    setup_with("bridge_addr", "\"224.0.0.1\"", "not a usable unicast address");
    setup_with("bridge_addr", "\"255.255.255.255\"", "not a usable unicast address");
    setup_with("bridge_addr", "\"169.254.0.1\"", "not a usable unicast address");
    setup_with("bridge_addr", "\"10.89.0.0\"", "network address");
    setup_with("mac", "\"01:6d:0a:59:00:02\"", "not a unicast MAC");
    setup_with("mac", "\"00:00:00:00:00:00\"", "not a unicast MAC");
    setup_with("mac", "\"02:6d:0a:59:00\"", "not a unicast MAC");
    setup_with("mac", "\"02-6d-0a-59-00-02\"", "not a unicast MAC");
    setup_with("mac", "\"02:6d:0a:59:00:0g\"", "not a unicast MAC");
    setup_with("mac", "\"02:6d:0a:59:00:02:\"", "not a unicast MAC");
    setup_with("ifname", "\"eth0000000000000\"", "\"ifname\"");
    setup_with("veth", "\"moat0\"", "not one of moat's");
    setup_with("bridge", "\"br0\"", "not one of moat's");
    setup_with("bridge", "null", "must be a string");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bridge),         cmocka_unit_test(test_veth),
        cmocka_unit_test(test_change),         cmocka_unit_test(test_hairpin),
        cmocka_unit_test(test_route_localnet), cmocka_unit_test(test_get_del),
        cmocka_unit_test(test_addr),           cmocka_unit_test(test_route),
        cmocka_unit_test(test_req_ok),         cmocka_unit_test(test_req_bad),
        cmocka_unit_test(test_req_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
