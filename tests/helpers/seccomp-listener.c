/* seccomp-listener SOCKET ERRNO: test helper for linux.seccomp.listenerPath.
 * Accepts one connection, receives the seccomp notify fd with the
 * container process state (printed to stdout), then answers every
 * notification with -ERRNO until the container is gone. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: seccomp-listener SOCKET ERRNO\n");
        return 2;
    }
    int answer = atoi(argv[2]);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof(sa.sun_path))
        return 2;
    strcpy(sa.sun_path, argv[1]);
    unlink(argv[1]);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
        perror("listen");
        return 1;
    }
    int c = accept(ls, NULL, NULL);
    char buf[65536], cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {buf, sizeof(buf) - 1};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    ssize_t n = c < 0 ? -1 : recvmsg(c, &msg, 0);
    struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (!cm || cm->cmsg_type != SCM_RIGHTS) {
        fprintf(stderr, "no fd received\n");
        return 1;
    }
    buf[n] = 0;
    printf("%s\n", buf);
    fflush(stdout);
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    for (;;) {
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;
        memset(&req, 0, sizeof(req));
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
            if (errno == EINTR)
                continue;
            break; /* the filter's last user is gone */
        }
        memset(&resp, 0, sizeof(resp));
        resp.id = req.id;
        resp.error = -answer;
        printf("notified: syscall %d\n", req.data.nr);
        fflush(stdout);
        ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
    return 0;
}
