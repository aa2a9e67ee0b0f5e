/* body.c: a raw request body as moat-api streams it on the channel: frames
 * of a 32-bit big-endian length and that many bytes, a frame of length 0
 * at its end. A body without its end marker is not whole and is not used. */
#include "api.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define FRAME_MAX (1u << 20)

static int read_exact(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* the frames to out (-1: dropped) until the end marker: 0, or -1 */
static int frames(struct api_ctx *x, int out, char *buf)
{
    for (;;) {
        uint32_t len;
        if (read_exact(x->chan, &len, 4) < 0)
            return -1;
        len = ntohl(len);
        if (len == 0) {
            x->raw_done = true;
            return 0;
        }
        if (len > FRAME_MAX || read_exact(x->chan, buf, len) < 0)
            return -1;
        if (out >= 0 && write_all(out, buf, len) < 0)
            return -1;
    }
}

int api_body_spool(struct api_ctx *x, merr_t *err)
{
    if (!x->raw || x->raw_done)
        return err_set(err, EINVAL, "this request has no body");
    int fd = openat(x->s->fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_sys(err, "a file for the request's body in %s", x->s->root);
    cleanup_free char *buf = xmalloc(FRAME_MAX);
    if (frames(x, fd, buf) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return err_set(err, EPROTO, "the request's body did not come whole");
    }
    return fd;
}

void api_body_drain(struct api_ctx *x)
{
    if (!x->raw || x->raw_done)
        return;
    cleanup_free char *buf = xmalloc(FRAME_MAX);
    frames(x, -1, buf);
}
