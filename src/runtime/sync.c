/* sync.c: messages between the runtime and the container's init over a
 * SOCK_SEQPACKET pair: one message per packet, EOF when the init execs
 * (its end is close-on-exec) or dies. */
#include "container.h"
#include "../util/util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

struct sync_hdr {
    uint32_t type;
    uint32_t len;
    int64_t value;
};

#define SYNC_MAX 65536

int sync_send(int fd, enum sync_type type, int64_t value, const char *text)
{
    size_t tl = text ? strlen(text) : 0;
    if (tl > SYNC_MAX - sizeof(struct sync_hdr))
        tl = SYNC_MAX - sizeof(struct sync_hdr);
    char *buf = xmalloc(sizeof(struct sync_hdr) + tl);
    struct sync_hdr h = {(uint32_t)type, (uint32_t)tl, value};
    memcpy(buf, &h, sizeof(h));
    if (tl)
        memcpy(buf + sizeof(h), text, tl);
    ssize_t r;
    do
        r = send(fd, buf, sizeof(h) + tl, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    free(buf);
    return r < 0 ? -1 : 0;
}

int sync_recv(int fd, enum sync_type *type, int64_t *value, char **text)
{
    char *buf = xmalloc(SYNC_MAX + 1);
    ssize_t r;
    do
        r = recv(fd, buf, SYNC_MAX, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        free(buf);
        return r < 0 ? -1 : 0;
    }
    if ((size_t)r < sizeof(struct sync_hdr)) {
        free(buf);
        errno = EPROTO;
        return -1;
    }
    struct sync_hdr h;
    memcpy(&h, buf, sizeof(h));
    *type = (enum sync_type)h.type;
    if (value)
        *value = h.value;
    if (text) {
        size_t tl = (size_t)r - sizeof(h);
        *text = xmalloc(tl + 1);
        memcpy(*text, buf + sizeof(h), tl);
        (*text)[tl] = 0;
    }
    free(buf);
    return 1;
}
