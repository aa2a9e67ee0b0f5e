/* udpecho PORT: answers every UDP datagram to PORT with the same bytes,
 * upper-cased (a server for the publishing tests; statically linked, it
 * runs inside test images that have no UDP server of their own). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((unsigned short)atoi(argv[1]))};
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("udpecho");
        return 1;
    }
    for (;;) {
        char buf[2048];
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (n < 0)
            continue;
        for (ssize_t i = 0; i < n; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
    }
}
