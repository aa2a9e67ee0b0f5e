/* route.c: IPv4 routes over rtnetlink (see route.h). */
#include "route.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

struct nlmsghdr *route_msg_default(void *buf, struct in_addr gw, int oif)
{
    struct nlmsghdr *h = nl_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
    rt->rtm_family = AF_INET;
    rt->rtm_dst_len = 0;
    rt->rtm_table = RT_TABLE_MAIN;
    rt->rtm_protocol = RTPROT_BOOT;
    rt->rtm_scope = RT_SCOPE_UNIVERSE;
    rt->rtm_type = RTN_UNICAST;
    mnl_attr_put(h, RTA_GATEWAY, sizeof(gw), &gw);
    mnl_attr_put_u32(h, RTA_OIF, (uint32_t)oif);
    return h;
}

int route_add_default(struct nl *nl, struct in_addr gw, int oif, const char *name, merr_t *err)
{
    char buf[NL_BUF], a[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &gw, a, sizeof(a));
    return nl_talk(nl, route_msg_default(buf, gw, oif), NULL, NULL, err,
                   "add the default route via %s dev \"%s\"", a, name);
}
