/* nl.c: the rtnetlink socket and the request/ACK exchange (see nl.h). */
#include "nl.h"
#include "../../util/util.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* replies to a link query carry every attribute of the link: room for
 * the largest, so none is cut (libmnl's own size is one page) */
#define NL_RCVBUF (64 * 1024)

int nl_open(struct nl *nl, merr_t *err)
{
    return nl_open_proto(nl, NETLINK_ROUTE, err);
}

int nl_open_proto(struct nl *nl, int proto, merr_t *err)
{
    nl->seq = 0;
    nl->sock = mnl_socket_open2(proto, SOCK_CLOEXEC);
    if (!nl->sock)
        return err_sys(err, "open a netlink socket");
    int on = 1;
    /* the kernel's reason with a refusal; the refused request not echoed */
    (void)mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &on, sizeof(on));
    (void)mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &on, sizeof(on));
    if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
        err_sys(err, "bind a netlink socket");
        nl_close(nl);
        return -1;
    }
    nl->portid = mnl_socket_get_portid(nl->sock);
    return 0;
}

void nl_close(struct nl *nl)
{
    if (nl->sock)
        mnl_socket_close(nl->sock);
    nl->sock = NULL;
}

struct nlmsghdr *nl_msg(void *buf, uint16_t type, uint16_t flags)
{
    memset(buf, 0, NL_BUF);
    struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    return h;
}

static int extack_attr(const struct nlattr *a, void *data)
{
    if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
        *(const char **)data = mnl_attr_get_str(a);
    return MNL_CB_OK;
}

/* the kernel's text in an error's extended ACK, or NULL */
static const char *extack_msg(const struct nlmsghdr *h)
{
    if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
        return NULL;
    const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
    size_t off = sizeof(*e);
    if (!(h->nlmsg_flags & NLM_F_CAPPED))
        off += e->msg.nlmsg_len - sizeof(e->msg);
    if (mnl_nlmsg_get_payload_len(h) < off)
        return NULL;
    const char *msg = NULL;
    mnl_attr_parse(h, (unsigned)off, extack_attr, &msg);
    return msg;
}

__attribute__((format(printf, 4, 0))) static int refused(merr_t *err, int errnum, const char *kmsg,
                                                         const char *fmt, va_list ap)
{
    cleanup_free char *what = NULL;
    if (vasprintf(&what, fmt, ap) < 0)
        what = NULL;
    if (kmsg && *kmsg)
        err_set(err, 0, "%s: %s (kernel: %s)", what ? what : "netlink", strerror(errnum), kmsg);
    else
        err_set(err, 0, "%s: %s", what ? what : "netlink", strerror(errnum));
    err->errnum = errnum;
    return -1;
}

/* One datagram's messages: 1 when the ACK (or an error) ended the
 * exchange, 0 to read on, -1 on an error (errnum, kmsg set). */
static int walk(struct nl *nl, const void *buf, size_t len, nl_reply_cb cb, void *data, int *errnum,
                const char **kmsg, merr_t *err)
{
    const struct nlmsghdr *h = buf;
    int n = (int)len;
    for (; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
        if (h->nlmsg_seq != nl->seq || h->nlmsg_pid != nl->portid)
            continue; /* not ours */
        if (h->nlmsg_type == NLMSG_ERROR) {
            if (mnl_nlmsg_get_payload_len(h) < sizeof(struct nlmsgerr)) {
                *errnum = EBADMSG;
                return -1;
            }
            const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
            if (e->error == 0)
                return 1;
            *errnum = -e->error;
            *kmsg = extack_msg(h);
            return -1;
        }
        if (h->nlmsg_type == NLMSG_DONE)
            return 1;
        if (h->nlmsg_type >= NLMSG_MIN_TYPE && cb && cb(h, data, err) < 0) {
            *errnum = 0;
            return -1;
        }
    }
    return 0;
}

/* A datagram from the kernel, 0 for one from another socket: a process
 * with CAP_NET_ADMIN in the socket's namespace (a container's, on the
 * socket opened there) may send to our port id, never as the kernel. */
static ssize_t recv_kernel(struct nl *nl, char *buf)
{
    struct sockaddr_nl from;
    struct iovec iov = {buf, NL_RCVBUF};
    struct msghdr msg = {
        .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n = recvmsg(mnl_socket_get_fd(nl->sock), &msg, 0);
    if (n < 0)
        return -1;
    if (msg.msg_flags & MSG_TRUNC) {
        errno = ENOSPC;
        return -1;
    }
    if (msg.msg_namelen != sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0)
        return 0;
    return n;
}

__attribute__((format(printf, 7, 0))) static int talk(struct nl *nl, void *msgs, size_t len,
                                                      nl_reply_cb cb, void *data, merr_t *err,
                                                      const char *fmt, va_list ap)
{
    int errnum = 0, r = 0;
    const char *kmsg = NULL;
    ++nl->seq;
    int left = (int)len;
    for (struct nlmsghdr *m = msgs; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
        m->nlmsg_seq = nl->seq;
        m->nlmsg_pid = 0;
    }
    cleanup_free char *buf = xmalloc(NL_RCVBUF);
    if (mnl_socket_sendto(nl->sock, msgs, len) < 0) {
        errnum = errno;
        r = -1;
    }
    while (r == 0) {
        ssize_t n = recv_kernel(nl, buf);
        if (n == 0)
            continue; /* not the kernel's */
        if (n < 0) {
            errnum = errno == EINTR ? 0 : errno;
            r = errnum ? -1 : 0;
            continue;
        }
        r = walk(nl, buf, (size_t)n, cb, data, &errnum, &kmsg, err);
    }
    if (r > 0)
        return 0;
    if (errnum == 0)
        return -1; /* the callback's own error */
    refused(err, errnum, kmsg, fmt, ap);
    return -1;
}

int nl_talk(struct nl *nl, struct nlmsghdr *h, nl_reply_cb cb, void *data, merr_t *err,
            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = talk(nl, h, h->nlmsg_len, cb, data, err, fmt, ap);
    va_end(ap);
    return r;
}

int nl_talk_buf(struct nl *nl, void *buf, size_t len, nl_reply_cb cb, void *data, merr_t *err,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = talk(nl, buf, len, cb, data, err, fmt, ap);
    va_end(ap);
    return r;
}
