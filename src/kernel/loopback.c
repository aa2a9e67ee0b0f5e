/* loopback.c: "lo" up in a new network namespace (see loopback.h). An
 * ioctl, not netlink: the init needs nothing more, and no library. */
#include "loopback.h"
#include "../util/util.h"

#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

int loopback_up(merr_t *err)
{
    cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_sys(err, "bring lo up: socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, "lo", 3);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
        return err_sys(err, "bring lo up: read its flags");
    if (ifr.ifr_flags & IFF_UP)
        return 0;
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
        return err_sys(err, "bring lo up");
    return 0;
}
