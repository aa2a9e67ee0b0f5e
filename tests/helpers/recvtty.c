/* recvtty SOCKET [INPUT]: test helper. Listens on SOCKET, receives one pty
 * master over SCM_RIGHTS (as --console-socket peers do), writes INPUT to
 * it if given, and copies everything the container writes to stdout until
 * the pty closes. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
        return 2;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof(sa.sun_path))
        return 2;
    strcpy(sa.sun_path, argv[1]);
    unlink(argv[1]);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
        perror("recvtty: listen");
        return 1;
    }
    int c = accept(ls, NULL, NULL);
    if (c < 0) {
        perror("recvtty: accept");
        return 1;
    }
    char buf[4096], cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    if (recvmsg(c, &msg, 0) < 0) {
        perror("recvtty: recvmsg");
        return 1;
    }
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (!cm || cm->cmsg_type != SCM_RIGHTS) {
        fprintf(stderr, "recvtty: no fd received\n");
        return 1;
    }
    int master;
    memcpy(&master, CMSG_DATA(cm), sizeof(int));
    if (argc > 2) {
        size_t n = strlen(argv[2]);
        if (write(master, argv[2], n) != (ssize_t)n)
            perror("recvtty: write");
    }
    for (;;) {
        ssize_t n = read(master, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        fwrite(buf, 1, (size_t)n, stdout);
        fflush(stdout);
    }
    return 0;
}
