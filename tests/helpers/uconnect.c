/* uconnect: an abstract unix socket, for the Landlock scope tests.
 *   uconnect listen NAME    listen on "\0NAME", print "listening", accept for ever
 *   uconnect connect NAME   print "connected" (exit 0) or the error (exit 1)
 * Statically linked: it runs inside containers. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3 || strlen(argv[2]) >= sizeof(((struct sockaddr_un *)0)->sun_path) - 1) {
        fprintf(stderr, "usage: uconnect listen|connect NAME\n");
        return 2;
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t n = strlen(argv[2]);
    memcpy(a.sun_path + 1, argv[2], n);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        printf("socket: %s\n", strerror(errno));
        return 1;
    }
    if (strcmp(argv[1], "listen") == 0) {
        if (bind(fd, (struct sockaddr *)&a, len) < 0 || listen(fd, 16) < 0) {
            printf("listen: %s\n", strerror(errno));
            return 1;
        }
        printf("listening\n");
        fflush(stdout);
        for (;;) {
            int c = accept(fd, NULL, NULL);
            if (c >= 0)
                close(c);
        }
    }
    if (connect(fd, (struct sockaddr *)&a, len) < 0) {
        printf("connect: %s\n", strerror(errno));
        return 1;
    }
    printf("connected\n");
    return 0;
}
