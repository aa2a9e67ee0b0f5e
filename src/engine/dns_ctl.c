/* dns_ctl.c: the resolver's requests to its monitor and the replies (see
 * dns_ctl.h). */
#include "dns_ctl.h"

#include <string.h>

bool dns_ctl_name_ok(const char *name, size_t len)
{
    if (len < 1 || len > 253 || name[0] == '.' || name[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              (c == '.' && name[i + 1] != '.')))
            return false;
    }
    return true;
}

size_t dns_ctl_req(uint32_t tag, const char *name, uint8_t *buf)
{
    size_t len = strlen(name);
    if (!dns_ctl_name_ok(name, len))
        return 0;
    memcpy(buf, &tag, 4);
    buf[4] = (uint8_t)len;
    memcpy(buf + 5, name, len);
    return 5 + len;
}

int dns_ctl_req_parse(const uint8_t *buf, size_t n, uint32_t *tag, char *name)
{
    if (n < 5 || n != 5 + (size_t)buf[4] || !dns_ctl_name_ok((const char *)buf + 5, buf[4]))
        return -1;
    memcpy(tag, buf, 4);
    memcpy(name, buf + 5, buf[4]);
    name[buf[4]] = 0;
    return 0;
}

size_t dns_ctl_rep(uint32_t tag, const uint32_t *addrs, size_t count, uint8_t *buf)
{
    if (count > DNS_CTL_MAX)
        count = DNS_CTL_MAX;
    memcpy(buf, &tag, 4);
    buf[4] = (uint8_t)count;
    memcpy(buf + 5, addrs, 4 * count);
    return 5 + 4 * count;
}

int dns_ctl_rep_parse(const uint8_t *buf, size_t n, uint32_t *tag, uint32_t *addrs)
{
    if (n < 5 || buf[4] > DNS_CTL_MAX || n != 5 + 4 * (size_t)buf[4])
        return -1;
    memcpy(tag, buf, 4);
    memcpy(addrs, buf + 5, 4 * (size_t)buf[4]);
    return buf[4];
}
