/* seccomp-listener SOCKET ERRNO: test helper for linux.seccomp.listenerPath.
 * Accepts one connection, receives the seccomp notify fd with the
 * container process state (printed to stdout), then answers every
 * notification with -ERRNO until the container is gone. */
#include "accept_fd.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: seccomp-listener SOCKET ERRNO\n");
        return 2;
    }
    int answer = atoi(argv[2]);
    char buf[65536];
    int fd = accept_fd("seccomp-listener", argv[1], buf, sizeof(buf));
    if (fd < 0)
        return 1;
    printf("%s\n", buf);
    fflush(stdout);
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
