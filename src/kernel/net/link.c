/* link.c: network devices over rtnetlink (see link.h). */
#include "link.h"
#include "../../util/util.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define ETH_ALEN 6

static struct nlmsghdr *link_hdr(void *buf, uint16_t type, uint16_t flags, uint8_t family,
                                 int index)
{
    struct nlmsghdr *h = nl_msg(buf, type, flags);
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
    ifi->ifi_family = family;
    ifi->ifi_index = index;
    return h;
}

struct nlmsghdr *link_msg_get(void *buf, const char *name)
{
    struct nlmsghdr *h = link_hdr(buf, RTM_GETLINK, 0, AF_UNSPEC, 0);
    mnl_attr_put_strz(h, IFLA_IFNAME, name);
    mnl_attr_put_u32(h, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    return h;
}

struct nlmsghdr *link_msg_dump(void *buf)
{
    struct nlmsghdr *h = link_hdr(buf, RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 0);
    mnl_attr_put_u32(h, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    return h;
}

struct nlmsghdr *link_msg_new_bridge(void *buf, const char *name, unsigned mtu, const uint8_t *mac)
{
    struct nlmsghdr *h = link_hdr(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, AF_UNSPEC, 0);
    mnl_attr_put_strz(h, IFLA_IFNAME, name);
    if (mtu)
        mnl_attr_put_u32(h, IFLA_MTU, mtu);
    if (mac)
        mnl_attr_put(h, IFLA_ADDRESS, ETH_ALEN, mac);
    struct nlattr *li = mnl_attr_nest_start(h, IFLA_LINKINFO);
    mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
    mnl_attr_nest_end(h, li);
    return h;
}

struct nlmsghdr *link_msg_new_veth(void *buf, const struct veth_spec *v)
{
    struct nlmsghdr *h = link_hdr(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, AF_UNSPEC, 0);
    mnl_attr_put_strz(h, IFLA_IFNAME, v->name);
    if (v->mtu)
        mnl_attr_put_u32(h, IFLA_MTU, v->mtu);
    struct nlattr *li = mnl_attr_nest_start(h, IFLA_LINKINFO);
    mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
    struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
    /* the peer: an ifinfomsg, then its own attributes */
    struct nlattr *peer = mnl_attr_nest_start(h, VETH_INFO_PEER);
    struct ifinfomsg *pifi = mnl_nlmsg_put_extra_header(h, sizeof(*pifi));
    pifi->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(h, IFLA_IFNAME, v->peer);
    if (v->mtu)
        mnl_attr_put_u32(h, IFLA_MTU, v->mtu);
    if (v->peer_mac)
        mnl_attr_put(h, IFLA_ADDRESS, ETH_ALEN, v->peer_mac);
    mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)v->peer_netns);
    mnl_attr_nest_end(h, peer);
    mnl_attr_nest_end(h, data);
    mnl_attr_nest_end(h, li);
    return h;
}

struct nlmsghdr *link_msg_change(void *buf, const struct link_change *c)
{
    struct nlmsghdr *h = link_hdr(buf, RTM_SETLINK, 0, AF_UNSPEC, c->index);
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
    if (c->up) {
        ifi->ifi_flags = IFF_UP;
        ifi->ifi_change = IFF_UP;
    }
    if (c->name)
        mnl_attr_put_strz(h, IFLA_IFNAME, c->name);
    if (c->mac)
        mnl_attr_put(h, IFLA_ADDRESS, ETH_ALEN, c->mac);
    if (c->master > 0)
        mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)c->master);
    return h;
}

struct nlmsghdr *link_msg_hairpin(void *buf, int index, bool on)
{
    /* a bridge port's setting: the bridge family's setlink, as
     * `bridge link set dev X hairpin on` sends it */
    struct nlmsghdr *h = link_hdr(buf, RTM_SETLINK, 0, AF_BRIDGE, index);
    struct nlattr *pi = mnl_attr_nest_start(h, IFLA_PROTINFO);
    mnl_attr_put_u8(h, IFLA_BRPORT_MODE, on ? 1 : 0);
    mnl_attr_nest_end(h, pi);
    return h;
}

struct nlmsghdr *link_msg_route_localnet(void *buf, int index, bool on)
{
    /* net.ipv4.conf.DEV.route_localnet through netlink (IFLA_INET_CONF
     * attributes are numbered by IPV4_DEVCONF_*): no /proc/sys file to
     * open for a device that did not exist before the request */
    struct nlmsghdr *h = link_hdr(buf, RTM_SETLINK, 0, AF_UNSPEC, index);
    struct nlattr *af = mnl_attr_nest_start(h, IFLA_AF_SPEC);
    struct nlattr *inet = mnl_attr_nest_start(h, AF_INET);
    struct nlattr *conf = mnl_attr_nest_start(h, IFLA_INET_CONF);
    mnl_attr_put_u32(h, IPV4_DEVCONF_ROUTE_LOCALNET, on ? 1 : 0);
    mnl_attr_nest_end(h, conf);
    mnl_attr_nest_end(h, inet);
    mnl_attr_nest_end(h, af);
    return h;
}

struct nlmsghdr *link_msg_del(void *buf, int index)
{
    return link_hdr(buf, RTM_DELLINK, 0, AF_UNSPEC, index);
}

static int kind_attr(const struct nlattr *a, void *data)
{
    struct link_info *li = data;
    if (mnl_attr_get_type(a) == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_STRING) == 0)
        snprintf(li->kind, sizeof(li->kind), "%.*s", (int)mnl_attr_get_payload_len(a),
                 (const char *)mnl_attr_get_payload(a));
    return MNL_CB_OK;
}

static int link_attr(const struct nlattr *a, void *data)
{
    struct link_info *li = data;
    switch (mnl_attr_get_type(a)) {
    case IFLA_MASTER:
        if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
            li->master = (int)mnl_attr_get_u32(a);
        break;
    case IFLA_LINK:
        if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
            li->link = (int)mnl_attr_get_u32(a);
        break;
    case IFLA_LINKINFO:
        if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
            mnl_attr_parse_nested(a, kind_attr, li);
        break;
    }
    return MNL_CB_OK;
}

static int link_reply(const struct nlmsghdr *h, void *data, merr_t *err)
{
    struct link_info *li = data;
    if (h->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(h) < sizeof(struct ifinfomsg))
        return err_set(err, EBADMSG, "netlink: an unexpected reply to a link query");
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
    li->index = ifi->ifi_index;
    li->flags = ifi->ifi_flags;
    mnl_attr_parse(h, sizeof(*ifi), link_attr, li);
    return 0;
}

int link_get(struct nl *nl, const char *name, struct link_info *li, merr_t *err)
{
    char buf[NL_BUF];
    memset(li, 0, sizeof(*li));
    if (nl_talk(nl, link_msg_get(buf, name), link_reply, li, err, "look up \"%s\"", name) < 0) {
        if (err->errnum != ENODEV)
            return -1;
        err_clear(err);
        return 0;
    }
    return li->index > 0 ? 1 : err_set(err, 0, "look up \"%s\": no reply from the kernel", name);
}

struct port_count {
    int master, n;
};

static int count_reply(const struct nlmsghdr *h, void *data, merr_t *err)
{
    struct port_count *pc = data;
    struct link_info li = {0};
    if (link_reply(h, &li, err) < 0)
        return -1;
    if (li.master == pc->master)
        pc->n++;
    return 0;
}

int link_count_ports(struct nl *nl, int index, merr_t *err)
{
    char buf[NL_BUF];
    struct port_count pc = {index, 0};
    if (nl_talk(nl, link_msg_dump(buf), count_reply, &pc, err, "list the ports of bridge %d",
                index) < 0)
        return -1;
    return pc.n;
}

int link_new_bridge(struct nl *nl, const char *name, unsigned mtu, const uint8_t *mac, merr_t *err)
{
    char buf[NL_BUF];
    return nl_talk(nl, link_msg_new_bridge(buf, name, mtu, mac), NULL, NULL, err,
                   "create bridge \"%s\"", name);
}

int link_new_veth(struct nl *nl, const struct veth_spec *v, merr_t *err)
{
    char buf[NL_BUF];
    return nl_talk(nl, link_msg_new_veth(buf, v), NULL, NULL, err,
                   "create veth \"%s\" (peer \"%s\" in the container's network namespace)", v->name,
                   v->peer);
}

int link_change(struct nl *nl, const struct link_change *c, const char *name, merr_t *err)
{
    char buf[NL_BUF];
    struct sbuf w = {0};
    if (c->name)
        sbuf_printf(&w, ", rename to \"%s\"", c->name);
    if (c->mac)
        sbuf_printf(&w, ", set MAC %02x:%02x:%02x:%02x:%02x:%02x", c->mac[0], c->mac[1], c->mac[2],
                    c->mac[3], c->mac[4], c->mac[5]);
    if (c->master > 0)
        sbuf_printf(&w, ", attach to bridge %d", c->master);
    if (c->up)
        sbuf_puts(&w, ", bring up");
    cleanup_free char *what = sbuf_steal(&w);
    return nl_talk(nl, link_msg_change(buf, c), NULL, NULL, err, "\"%s\": %s", name,
                   what && *what ? what + 2 : "change");
}

int link_hairpin(struct nl *nl, int index, bool on, const char *name, merr_t *err)
{
    char buf[NL_BUF];
    return nl_talk(nl, link_msg_hairpin(buf, index, on), NULL, NULL, err,
                   "\"%s\": set hairpin mode %s", name, on ? "on" : "off");
}

int link_route_localnet(struct nl *nl, int index, bool on, const char *name, merr_t *err)
{
    char buf[NL_BUF];
    return nl_talk(nl, link_msg_route_localnet(buf, index, on), NULL, NULL, err,
                   "\"%s\": set route_localnet %d", name, on ? 1 : 0);
}

int link_del(struct nl *nl, int index, const char *name, merr_t *err)
{
    char buf[NL_BUF];
    return nl_talk(nl, link_msg_del(buf, index), NULL, NULL, err, "delete \"%s\"", name);
}
