/* monframe.c: the frames of the monitor's attach socket (monitor.h). */
#include "monframe.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int mon_sock_path(int dirfd, struct sockaddr_un *a)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    /* through the directory fd: store paths can be longer than sun_path */
    snprintf(a->sun_path, sizeof(a->sun_path), "/proc/self/fd/%d/attach.sock", dirfd);
    return 0;
}

void mon_frame_header(unsigned char h[MON_FRAME_HDR], char type, size_t len)
{
    h[0] = (unsigned char)type;
    h[1] = (unsigned char)(len >> 24);
    h[2] = (unsigned char)(len >> 16);
    h[3] = (unsigned char)(len >> 8);
    h[4] = (unsigned char)len;
}

int mon_frame(int fd, char type, const void *data, size_t len, int flags)
{
    unsigned char h[MON_FRAME_HDR];
    mon_frame_header(h, type, len);
    struct iovec iov[2] = {{h, 5}, {(void *)data, len}};
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
    size_t want = 5 + len;
    ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL | flags);
    if (n == (ssize_t)want)
        return 0;
    if (n < 0)
        return -1;
    /* a partial frame: finish it blocking (rare; a slow client) */
    size_t done = (size_t)n;
    if (done < 5) {
        if (write_all(fd, h + done, 5 - done) < 0)
            return -1;
        done = 5;
    }
    return write_all(fd, (const char *)data + (done - 5), len - (done - 5));
}

int mon_frame_fd(int fd, char type, const void *data, size_t len, int pass)
{
    unsigned char h[MON_FRAME_HDR];
    mon_frame_header(h, type, len);
    struct iovec iov[2] = {{h, 5}, {(void *)data, len}};
    union {
        struct cmsghdr c;
        char b[CMSG_SPACE(sizeof(int))];
    } u;
    memset(&u, 0, sizeof(u));
    struct msghdr m = {.msg_iov = iov,
                       .msg_iovlen = len ? 2 : 1,
                       .msg_control = u.b,
                       .msg_controllen = sizeof(u.b)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pass, sizeof(int));
    ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL);
    if (n < 0)
        return -1;
    /* the rest, if the socket took part of it (the fd went with the first byte) */
    size_t done = (size_t)n;
    if (done < 5) {
        if (write_all(fd, h + done, 5 - done) < 0)
            return -1;
        done = 5;
    }
    return write_all(fd, (const char *)data + (done - 5), len - (done - 5));
}

/* the header; an fd that came with it to *passed (NULL: closed) */
static int read_header(int fd, unsigned char h[5], int *passed)
{
    union {
        struct cmsghdr c;
        char b[CMSG_SPACE(sizeof(int))];
    } u;
    struct iovec iov = {h, 5};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b};
    size_t got = 0;
    while (got < 5) {
        iov = (struct iovec){h + got, 5 - got};
        m.msg_control = u.b;
        m.msg_controllen = sizeof(u.b);
        ssize_t n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                c->cmsg_len >= CMSG_LEN(sizeof(int))) {
                int r;
                memcpy(&r, CMSG_DATA(c), sizeof(int));
                if (passed && *passed < 0)
                    *passed = r;
                else
                    close(r);
            }
        got += (size_t)n;
    }
    return 0;
}

int mon_read_frame(int fd, char *type, char **data, size_t *len)
{
    return mon_read_frame_fd(fd, type, data, len, NULL);
}

int mon_read_frame_fd(int fd, char *type, char **data, size_t *len, int *passed)
{
    unsigned char h[5];
    if (passed)
        *passed = -1;
    if (read_header(fd, h, passed) < 0) {
        if (passed && *passed >= 0)
            close_fd(passed);
        return -1;
    }
    *type = (char)h[0];
    *len = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
    if (*len > (1 << 20)) {
        if (passed && *passed >= 0)
            close_fd(passed);
        return -1;
    }
    *data = xmalloc(*len + 1);
    if (*len && read_all(fd, *data, *len) != (ssize_t)*len) {
        free(*data);
        if (passed && *passed >= 0)
            close_fd(passed);
        return -1;
    }
    (*data)[*len] = 0;
    return 0;
}
