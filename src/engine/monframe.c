/* monframe.c: the frames of the monitor's attach socket (monitor.h). */
#include "monframe.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

int mon_sock_path(int dirfd, struct sockaddr_un *a)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    /* through the directory fd: store paths can be longer than sun_path */
    snprintf(a->sun_path, sizeof(a->sun_path), "/proc/self/fd/%d/attach.sock", dirfd);
    return 0;
}

int mon_frame(int fd, char type, const void *data, size_t len, int flags)
{
    unsigned char h[5] = {(unsigned char)type, (unsigned char)(len >> 24),
                          (unsigned char)(len >> 16), (unsigned char)(len >> 8),
                          (unsigned char)len};
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

int mon_read_frame(int fd, char *type, char **data, size_t *len)
{
    unsigned char h[5];
    if (read_all(fd, h, 5) != 5)
        return -1;
    *type = (char)h[0];
    *len = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
    if (*len > (1 << 20))
        return -1;
    *data = xmalloc(*len + 1);
    if (*len && read_all(fd, *data, *len) != (ssize_t)*len) {
        free(*data);
        return -1;
    }
    (*data)[*len] = 0;
    return 0;
}
