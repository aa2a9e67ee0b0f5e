#include "caps.h"
#include "../util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int cap_last_cap(void)
{
    static int last = -1;
    if (last >= 0)
        return last;
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    char buf[16] = {0};
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n > 0)
            last = atoi(buf);
    }
    if (last <= 0) {
        /* probe the bounding set */
        last = 0;
        while (last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0)
            last++;
    }
    return last;
}

int caps_apply_bounding(uint64_t bounding, merr_t *err)
{
    int last = cap_last_cap();
    for (int c = 0; c <= last; c++) {
        if (bounding & (1ULL << c))
            continue;
        /* dropping one that is not there succeeds: no read first */
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0)
            return err_sys(err, "drop %s from the bounding set", cap_name(c) ? cap_name(c) : "cap");
    }
    return 0;
}

int caps_apply_sets(const struct cap_state *c, merr_t *err)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    data[0].effective = (uint32_t)c->effective;
    data[1].effective = (uint32_t)(c->effective >> 32);
    data[0].permitted = (uint32_t)c->permitted;
    data[1].permitted = (uint32_t)(c->permitted >> 32);
    data[0].inheritable = (uint32_t)c->inheritable;
    data[1].inheritable = (uint32_t)(c->inheritable >> 32);
    if (syscall(SYS_capset, &hdr, data) < 0)
        return err_sys(err, "capset (effective %#llx, permitted %#llx, inheritable %#llx)",
                       (unsigned long long)c->effective, (unsigned long long)c->permitted,
                       (unsigned long long)c->inheritable);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return err_sys(err, "clear ambient capabilities");
    int last = cap_last_cap();
    for (int i = 0; i <= last; i++) {
        if (!(c->ambient & (1ULL << i)))
            continue;
        /* the kernel only raises what is both permitted and inheritable;
         * like runc, ask for the rest without failing */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0 &&
            ((c->permitted & c->inheritable) & (1ULL << i)))
            return err_sys(err, "raise ambient %s", cap_name(i) ? cap_name(i) : "cap");
    }
    return 0;
}

int caps_set_effective(int cap, bool on, merr_t *err)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) < 0)
        return err_sys(err, "capget");
    uint32_t bit = 1U << (cap % 32);
    if (on)
        data[cap / 32].effective |= bit & data[cap / 32].permitted;
    else
        data[cap / 32].effective &= ~bit;
    if (syscall(SYS_capset, &hdr, data) < 0)
        return err_sys(err, "capset: %s %s", on ? "raise" : "lower",
                       cap_name(cap) ? cap_name(cap) : "capability");
    return 0;
}

int caps_get(struct cap_state *c)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) < 0)
        return -1;
    c->effective = data[0].effective | ((uint64_t)data[1].effective << 32);
    c->permitted = data[0].permitted | ((uint64_t)data[1].permitted << 32);
    c->inheritable = data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
    c->bounding = 0;
    c->ambient = 0;
    for (int i = 0; i <= cap_last_cap(); i++) {
        if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) > 0)
            c->bounding |= 1ULL << i;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) > 0)
            c->ambient |= 1ULL << i;
    }
    return 0;
}
