/* vminit_net.c: the guest's network (see vminit_int.h). */
#include "vminit_int.h"
#include "../util/fs.h"
#include "../util/jpath.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static int set_addr(struct sockaddr *sa, const char *ip)
{
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    memset(in, 0, sizeof(*in));
    in->sin_family = AF_INET;
    return inet_pton(AF_INET, ip, &in->sin_addr) == 1 ? 0 : -1;
}

static int up(int s, const char *ifname, merr_t *err)
{
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        return err_sys(err, "network: %s", ifname);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        return err_sys(err, "network: %s up", ifname);
    return 0;
}

int vminit_net(json_t *net, merr_t *err)
{
    cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return err_sys(err, "network: socket");
    if (up(s, "lo", err) < 0)
        return -1;
    if (!json_is_object(net))
        return 0;
    const char *addr = json_string_value(json_object_get(net, "address")),
               *gw = json_string_value(json_object_get(net, "gateway"));
    json_int_t prefix = json_integer_value(json_object_get(net, "prefix"));
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "eth0");
    if (!addr || prefix < 1 || prefix > 32 || set_addr(&ifr.ifr_addr, addr) < 0)
        return err_set(err, EINVAL, "network: a bad address");
    if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
        return err_sys(err, "network: eth0 address %s", addr);
    struct sockaddr_in *m = (struct sockaddr_in *)&ifr.ifr_netmask;
    m->sin_family = AF_INET;
    m->sin_addr.s_addr = htonl(~0U << (32 - prefix));
    if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
        return err_sys(err, "network: eth0 netmask");
    if (up(s, "eth0", err) < 0)
        return -1;
    if (!gw)
        return 0;
    struct rtentry rt = {0};
    set_addr(&rt.rt_dst, "0.0.0.0");
    set_addr(&rt.rt_genmask, "0.0.0.0");
    if (set_addr(&rt.rt_gateway, gw) < 0)
        return err_set(err, EINVAL, "network: a bad gateway");
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    if (ioctl(s, SIOCADDRT, &rt) < 0)
        return err_sys(err, "network: the default route via %s", gw);
    return 0;
}

int vminit_resolv_prepare(json_t *net)
{
    const char *dns = json_string_value(json_object_get(net, "dns"));
    if (!dns)
        return -1;
    /* in the initramfs, before the share becomes the root */
    int fd = open("/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    char line[96];
    int n = snprintf(line, sizeof(line), "nameserver %s\n", dns);
    bool ok = n > 0 && (size_t)n < sizeof(line) && write_all(fd, line, (size_t)n) == 0;
    close(fd);
    return ok ? (int)syscall(SYS_open_tree, AT_FDCWD, "/resolv.conf", OPEN_TREE_CLONE | O_CLOEXEC)
              : -1;
}

void vminit_resolv_place(int tree)
{
    struct stat st;
    /* over the image's own (the engine's file, through the share: never
     * written from here) */
    if (tree >= 0 && stat("/etc/resolv.conf", &st) == 0 && S_ISREG(st.st_mode))
        syscall(SYS_move_mount, tree, "", AT_FDCWD, "/etc/resolv.conf", MOVE_MOUNT_F_EMPTY_PATH);
    if (tree >= 0)
        close(tree);
}
