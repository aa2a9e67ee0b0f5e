/* nl.h: an rtnetlink socket (libmnl) and one request at a time: send it,
 * read the replies, wait for the kernel's acknowledgement. A refusal is
 * an merr_t naming the object: `create bridge "moat0": File exists`, with
 * the kernel's own explanation (extended ACK) when it gives one.
 *
 * A socket stays in the network namespace it was opened in: moat-net opens
 * one in the host's and one in the container's before it drops its
 * privileges. Messages are built in a caller's buffer of NL_BUF bytes by
 * the *_msg functions of link.h, addr.h and route.h, apart from the socket,
 * so a unit test can read them without privilege. */
#ifndef MOAT_KERNEL_NET_NL_H
#define MOAT_KERNEL_NET_NL_H

#include "../../util/err.h"
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct mnl_socket;

/* a request or a reply fits in this many bytes (libmnl's socket buffer) */
#define NL_BUF 8192

struct nl {
    struct mnl_socket *sock;
    uint32_t portid;
    uint32_t seq;
};

/* Open and bind a NETLINK_ROUTE socket in the current network namespace,
 * close-on-exec, with extended ACKs. */
int nl_open(struct nl *nl, merr_t *err);
/* The same for another netlink protocol (NETLINK_NETFILTER) */
int nl_open_proto(struct nl *nl, int proto, merr_t *err);
void nl_close(struct nl *nl);

/* Start a message in buf (NL_BUF bytes, zeroed here): type, and flags
 * besides NLM_F_REQUEST | NLM_F_ACK, which every request carries. */
struct nlmsghdr *nl_msg(void *buf, uint16_t type, uint16_t flags);

/* Called for each reply other than the ACK; < 0 stops with that error
 * (the callback fills err). */
typedef int (*nl_reply_cb)(const struct nlmsghdr *h, void *data, merr_t *err);

/* Send h (its sequence number is set here), hand each reply to cb (may be
 * NULL) and wait for the ACK. On a refusal: err is "WHAT: strerror" (and
 * "(kernel: MSG)" when the kernel explained), err->errnum the errno, -1. */
int nl_talk(struct nl *nl, struct nlmsghdr *h, nl_reply_cb cb, void *data, merr_t *err,
            const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* nl_talk for the len bytes of messages at buf (a batch): each gets the
 * same sequence number; the exchange ends with the first ACK or error. */
int nl_talk_buf(struct nl *nl, void *buf, size_t len, nl_reply_cb cb, void *data, merr_t *err,
                const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#endif
