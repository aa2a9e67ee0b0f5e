/* accept_fd.h: for the test helpers that play a socket peer of the runtime
 * (--console-socket, linux.seccomp.listenerPath): listen on a UNIX socket,
 * accept one connection and receive one message carrying an fd. */
#ifndef MOAT_TEST_ACCEPT_FD_H
#define MOAT_TEST_ACCEPT_FD_H

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The fd received on path, the message's payload in buf (NUL-terminated);
 * -1 with a message on stderr on failure. */
static int accept_fd(const char *who, const char *path, char *buf, size_t size)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "%s: socket path too long\n", who);
        return -1;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
        fprintf(stderr, "%s: listen on %s: %m\n", who, path);
        return -1;
    }
    int c = accept(ls, NULL, NULL);
    close(ls);
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {buf, size - 1};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    ssize_t n = c < 0 ? -1 : recvmsg(c, &msg, 0);
    struct cmsghdr *cm = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (!cm || cm->cmsg_type != SCM_RIGHTS) {
        fprintf(stderr, "%s: no fd received\n", who);
        return -1;
    }
    buf[n] = 0;
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    return fd;
}

#endif
