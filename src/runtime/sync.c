/* sync.c: messages between the runtime and the container's init over a
 * SOCK_SEQPACKET pair: one message per packet, EOF when the init execs
 * (its end is close-on-exec) or dies. */
#include "container.h"
#include "../util/util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct sync_hdr {
    uint32_t type;
    uint32_t len;
    int64_t value;
};

#define SYNC_MAX 65536

int sync_send(int fd, enum sync_type type, int64_t value, const char *text)
{
    size_t tl = text ? strlen(text) : 0;
    if (tl > SYNC_MAX - sizeof(struct sync_hdr))
        tl = SYNC_MAX - sizeof(struct sync_hdr);
    char *buf = xmalloc(sizeof(struct sync_hdr) + tl);
    struct sync_hdr h = {(uint32_t)type, (uint32_t)tl, value};
    memcpy(buf, &h, sizeof(h));
    if (tl)
        memcpy(buf + sizeof(h), text, tl);
    ssize_t r;
    do
        r = send(fd, buf, sizeof(h) + tl, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    free(buf);
    return r < 0 ? -1 : 0;
}

int sync_send_fds(int fd, enum sync_type type, int64_t value, const int *fds, size_t n)
{
    struct sync_hdr h = {(uint32_t)type, 0, value};
    struct iovec iov = {&h, sizeof(h)};
    size_t clen = CMSG_SPACE(n * sizeof(int));
    char *cbuf = xzalloc(clen);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n) {
        msg.msg_control = cbuf;
        msg.msg_controllen = clen;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(n * sizeof(int));
        memcpy(CMSG_DATA(c), fds, n * sizeof(int));
    }
    ssize_t r;
    do
        r = sendmsg(fd, &msg, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    free(cbuf);
    return r < 0 ? -1 : 0;
}

/* One message: header, optional text, optional fds. */
static int recv_msg(int fd, enum sync_type *type, int64_t *value, char **text, int *fds, size_t max,
                    size_t *nfds)
{
    char *buf = xmalloc(SYNC_MAX + 1);
    struct iovec iov = {buf, SYNC_MAX};
    size_t clen = CMSG_SPACE((max ? max : 1) * sizeof(int));
    char *cbuf = xzalloc(clen);
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = clen};
    ssize_t r;
    do
        r = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    while (r < 0 && errno == EINTR);
    int n = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); r > 0 && c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int *got = (int *)(void *)CMSG_DATA(c);
            for (size_t i = 0; i < k; i++) {
                if ((size_t)n < max)
                    fds[n++] = got[i];
                else
                    close(got[i]);
            }
        }
    free(cbuf);
    if (r <= 0 || (size_t)r < sizeof(struct sync_hdr)) {
        free(buf);
        if (r > 0)
            errno = EPROTO;
        return r == 0 ? 0 : -1;
    }
    struct sync_hdr h;
    memcpy(&h, buf, sizeof(h));
    *type = (enum sync_type)h.type;
    if (value)
        *value = h.value;
    if (text) {
        size_t tl = (size_t)r - sizeof(h);
        *text = xmalloc(tl + 1);
        memcpy(*text, buf + sizeof(h), tl);
        (*text)[tl] = 0;
    }
    free(buf);
    if (nfds)
        *nfds = (size_t)n;
    return 1;
}

int sync_recv(int fd, enum sync_type *type, int64_t *value, char **text)
{
    return recv_msg(fd, type, value, text, NULL, 0, NULL);
}

int sync_recv_fds(int fd, enum sync_type *type, int64_t *value, int *fds, size_t max)
{
    size_t n = 0;
    int r = recv_msg(fd, type, value, NULL, fds, max, &n);
    return r <= 0 ? -1 : (int)n;
}

int sync_recv_any(int fd, enum sync_type *type, int64_t *value, char **text, int *fdout)
{
    size_t n = 0;
    *fdout = -1;
    return recv_msg(fd, type, value, text, fdout, 1, &n);
}
