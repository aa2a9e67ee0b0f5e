/* recvtty SOCKET [INPUT]: test helper. Listens on SOCKET, receives one pty
 * master over SCM_RIGHTS (as --console-socket peers do), writes INPUT to
 * it if given, and copies everything the container writes to stdout until
 * the pty closes. */
#include "accept_fd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
        return 2;
    }
    char buf[4096];
    int master = accept_fd("recvtty", argv[1], buf, sizeof(buf));
    if (master < 0)
        return 1;
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
