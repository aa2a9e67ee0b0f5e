/* setmac IFNAME MAC: give an interface another MAC address, through an
 * inet socket (busybox's ip asks for a packet socket, which moat's
 * seccomp profile refuses); statically linked, run inside test images. */
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    struct ifreq ifr;
    unsigned m[6];
    if (argc != 3 || strlen(argv[1]) >= IFNAMSIZ ||
        sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
        return 2;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, argv[1]);
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    for (int i = 0; i < 6; i++)
        ifr.ifr_hwaddr.sa_data[i] = (char)m[i];
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || ioctl(fd, SIOCSIFHWADDR, &ifr) < 0) {
        perror("setmac");
        return 1;
    }
    return 0;
}
