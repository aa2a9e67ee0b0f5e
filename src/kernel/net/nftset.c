/* nftset.c: set elements over NETLINK_NETFILTER (see nftset.h). The
 * messages are those nft sends for `add element` and `delete element`
 * (checked with nft --debug=netlink): in a batch (NFNL_MSG_BATCH_BEGIN,
 * one NEWSETELEM or DELSETELEM per element, NFNL_MSG_BATCH_END) that the
 * kernel commits as one transaction. Only the last message asks for an
 * acknowledgement: the kernel answers it when the batch is committed, and
 * a refused message is answered with its error whatever its flags. */
#include "nftset.h"
#include "../../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>

/* one element's message: headers, names, key, data, with room to spare */
#define ELEM_MSG_MAX 256

int nftset_open(struct nl *nl, merr_t *err)
{
    return nl_open_proto(nl, NETLINK_NETFILTER, err);
}

static struct nlmsghdr *put_msg(char *at, uint16_t type, int family, uint16_t flags, uint16_t res)
{
    struct nlmsghdr *h = mnl_nlmsg_put_header(at);
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_REQUEST | flags;
    struct nfgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
    g->nfgen_family = (uint8_t)family;
    g->version = NFNETLINK_V0;
    g->res_id = htons(res);
    return h;
}

static void put_value(struct nlmsghdr *h, uint16_t type, const void *v, size_t len)
{
    struct nlattr *n = mnl_attr_nest_start(h, type);
    mnl_attr_put(h, NFTA_DATA_VALUE, len, v);
    mnl_attr_nest_end(h, n);
}

static struct nlmsghdr *elem_msg(char *at, uint8_t msg, const struct nft_elem *e, uint16_t flags)
{
    struct nlmsghdr *h = put_msg(at, (NFNL_SUBSYS_NFTABLES << 8) | msg, e->family, flags, 0);
    mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_TABLE, e->table);
    mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_SET, e->set);
    struct nlattr *list = mnl_attr_nest_start(h, NFTA_SET_ELEM_LIST_ELEMENTS);
    struct nlattr *one = mnl_attr_nest_start(h, NFTA_LIST_ELEM);
    put_value(h, NFTA_SET_ELEM_KEY, e->key, e->klen);
    if (e->dlen)
        put_value(h, NFTA_SET_ELEM_DATA, e->data, e->dlen);
    mnl_attr_nest_end(h, one);
    mnl_attr_nest_end(h, list);
    return h;
}

static const char *what(bool add)
{
    return add ? "add to moat's nftables sets" : "delete from moat's nftables sets";
}

int nftset_change(struct nl *nl, bool add, const struct nft_elem *e, size_t n, merr_t *err)
{
    if (n == 0)
        return 0;
    size_t max = (n + 2) * ELEM_MSG_MAX, len = 0;
    cleanup_free char *buf = xzalloc(max);
    struct nlmsghdr *h = put_msg(buf, NFNL_MSG_BATCH_BEGIN, AF_UNSPEC, 0, NFNL_SUBSYS_NFTABLES);
    len += h->nlmsg_len;
    for (size_t i = 0; i < n; i++) {
        h = elem_msg(buf + len, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM, &e[i],
                     (add ? NLM_F_CREATE : 0) | (i + 1 == n ? NLM_F_ACK : 0));
        len += h->nlmsg_len;
    }
    h = put_msg(buf + len, NFNL_MSG_BATCH_END, AF_UNSPEC, 0, NFNL_SUBSYS_NFTABLES);
    len += h->nlmsg_len;
    return nl_talk_buf(nl, buf, len, NULL, NULL, err, "%s", what(add));
}

int nftset_has(struct nl *nl, const struct nft_elem *e, merr_t *err)
{
    cleanup_free char *buf = xzalloc(ELEM_MSG_MAX);
    struct nlmsghdr *h = elem_msg(buf, NFT_MSG_GETSETELEM, e, NLM_F_ACK);
    if (nl_talk(nl, h, NULL, NULL, err, "look up set %s", e->set) == 0)
        return 1;
    if (err->errnum != ENOENT)
        return -1;
    err_clear(err);
    return 0;
}
