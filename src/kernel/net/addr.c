/* addr.c: IPv4 addresses over rtnetlink (see addr.h). */
#include "addr.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

static struct nlmsghdr *addr_msg(void *buf, uint16_t type, uint16_t flags, int index,
                                 struct in_addr addr, unsigned prefix)
{
    struct nlmsghdr *h = nl_msg(buf, type, flags);
    struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = (uint8_t)prefix;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (uint32_t)index;
    mnl_attr_put(h, IFA_LOCAL, sizeof(addr), &addr);
    mnl_attr_put(h, IFA_ADDRESS, sizeof(addr), &addr);
    return h;
}

struct nlmsghdr *addr_msg_add(void *buf, int index, struct in_addr addr, unsigned prefix)
{
    struct nlmsghdr *h = addr_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index, addr, prefix);
    if (prefix < 31) {
        uint32_t mask = prefix ? ~0U << (32 - prefix) : 0;
        struct in_addr brd = {htonl(ntohl(addr.s_addr) | ~mask)};
        mnl_attr_put(h, IFA_BROADCAST, sizeof(brd), &brd);
    }
    return h;
}

struct nlmsghdr *addr_msg_del(void *buf, int index, struct in_addr addr, unsigned prefix)
{
    return addr_msg(buf, RTM_DELADDR, 0, index, addr, prefix);
}

int addr_add(struct nl *nl, int index, struct in_addr addr, unsigned prefix, const char *name,
             merr_t *err)
{
    char buf[NL_BUF], a[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr, a, sizeof(a));
    return nl_talk(nl, addr_msg_add(buf, index, addr, prefix), NULL, NULL, err,
                   "add address %s/%u to \"%s\"", a, prefix, name);
}

int addr_del(struct nl *nl, int index, struct in_addr addr, unsigned prefix, const char *name,
             merr_t *err)
{
    char buf[NL_BUF], a[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr, a, sizeof(a));
    return nl_talk(nl, addr_msg_del(buf, index, addr, prefix), NULL, NULL, err,
                   "remove address %s/%u from \"%s\"", a, prefix, name);
}
