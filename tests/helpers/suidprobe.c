/* suidprobe: what a setuid binary planted by a container gives a host
 * user. Prints "euid N" and whether /etc/shadow could be read; exit 0 if
 * it could (the escape worked), 1 if not. Statically linked: the test
 * copies it through containers. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("euid %u\n", (unsigned)geteuid());
    int fd = open("/etc/shadow", O_RDONLY);
    char c;
    if (fd >= 0 && read(fd, &c, 1) == 1) {
        printf("read /etc/shadow\n");
        return 0;
    }
    printf("cannot read /etc/shadow\n");
    return 1;
}
