/* vmm_sink.c: the supervisor's outputs of the guest's processes, queued
 * for readers that may be slow (see vmm_int.h). */
#include "vmm_int.h"

#include "../util/fs.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

void vmm_sink_init(struct vmm_sink *s, int fd)
{
    *s = (struct vmm_sink){.fd = fd, .told = fd < 0};
}

/* The descriptor is shared with others (a caller's terminal, a shim's
 * pipe): it stays blocking, and is written only when poll says it takes
 * bytes, PIPE_BUF at a time (what a pipe then takes without waiting). */
void vmm_sink_flush(struct vmm_sink *s)
{
    while (s->fd >= 0 && vmp_out_pending(&s->q)) {
        struct pollfd p = {s->fd, POLLOUT, 0};
        if (poll(&p, 1, 0) <= 0)
            break;
        /* a pipe whose reader closed is POLLERR, never POLLOUT again */
        if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
            s->fd = -1;
            break;
        }
        if (!(p.revents & POLLOUT))
            break;
        size_t n = vmp_out_pending(&s->q);
        ssize_t w = write(s->fd, s->q.buf + s->q.off, n > PIPE_BUF ? PIPE_BUF : n);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0) { /* a reader that is gone loses the output; the process goes on */
            s->fd = -1;
            break;
        }
        s->q.off += (size_t)w;
    }
    if (s->fd < 0 || !vmp_out_pending(&s->q))
        s->q.off = s->q.len = 0;
}

int vmm_sink_add(struct vmm_sink *s, const uint8_t *p, size_t n)
{
    if (s->fd < 0)
        return 0;
    vmp_out_raw(&s->q, p, n);
    vmm_sink_flush(s);
    /* past the hold, only what was on its way comes: a guest that goes on
     * sending ignores the protocol */
    return vmp_out_pending(&s->q) > SINK_HARD_MAX ? -1 : 0;
}

void vmm_sink_finish(struct vmm_sink *s)
{
    if (s->fd >= 0 && vmp_out_pending(&s->q))
        (void)write_all(s->fd, s->q.buf + s->q.off, vmp_out_pending(&s->q));
    vmm_sink_free(s);
}

void vmm_sink_free(struct vmm_sink *s)
{
    vmp_out_free(&s->q);
    s->fd = -1;
}

short vmm_sink_events(const struct vmm_sink *s)
{
    return s->fd >= 0 && vmp_out_pending(&s->q) ? POLLOUT : 0;
}

void vmm_sink_tell(struct vmm *m, uint32_t chan, struct vmm_sink *s, uint8_t stream)
{
    if (s->fd < 0 && !s->told) {
        vmp_put(&m->out, VMP_OUTGONE, chan, &stream, 1);
        s->told = true;
    }
}

void vmm_flow(struct vmm *m, uint32_t chan, bool *held, size_t pending)
{
    if (!*held && pending > SINK_HOLD) {
        vmp_put(&m->out, VMP_HOLD, chan, NULL, 0);
        *held = true;
    } else if (*held && pending < SINK_RELEASE) {
        vmp_put(&m->out, VMP_RELEASE, chan, NULL, 0);
        *held = false;
    }
}
