/* monclient.c: the monitor's attach clients (see monclient.h). */
#include "monclient.h"
#include "monframe.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#define CHUNK 16384

void monc_init(struct mon_clients *cs, int *in_w, const int *master)
{
    memset(cs, 0, sizeof(*cs));
    for (int i = 0; i < MON_MAX_CLIENTS; i++)
        cs->c[i].fd = -1;
    cs->in_w = in_w;
    cs->master = master;
}

int monc_add(struct mon_clients *cs, int fd, bool docker, unsigned flags)
{
    for (int i = 0; i < MON_MAX_CLIENTS; i++)
        if (cs->c[i].fd < 0) {
            cs->c[i] =
                (struct mon_client){.fd = fd, .docker = docker, .flags = (unsigned char)flags};
            return i;
        }
    close(fd);
    return -1;
}

void monc_accept(struct mon_clients *cs, int listenfd)
{
    int c = accept4(listenfd, NULL, NULL, SOCK_CLOEXEC);
    if (c >= 0)
        monc_add(cs, c, false, 0);
}

static void drop(struct mon_clients *cs, int i)
{
    close_fd(&cs->c[i].fd);
}

/* all of iov to fd, a connection handed over (blocking or not: it is the
 * daemon's). A slow client slows the container down, as with a moat one
 * and with Docker; one that takes nothing for STALL_MS is dropped, so that
 * a client that stops reading cannot hold the monitor (and a stop or rm
 * waiting for it) for ever. */
#define STALL_MS 30000
static int put(int fd, struct iovec *iov, int cnt)
{
    while (cnt > 0) {
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)cnt};
        ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == ENOTSOCK)
            n = writev(fd, iov, cnt);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {fd, POLLOUT, 0};
            int r = poll(&p, 1, STALL_MS);
            if (r == 0 || (r < 0 && errno != EINTR))
                return -1;
            continue;
        }
        if (n < 0)
            return -1;
        size_t done = (size_t)n;
        while (cnt > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return 0;
}

/* moat's frame (monframe.h), sent as put sends */
static int moat_output(int fd, char type, const char *buf, size_t n)
{
    unsigned char h[MON_FRAME_HDR];
    mon_frame_header(h, type, n);
    struct iovec iov[2] = {{h, sizeof(h)}, {(void *)buf, n}};
    return put(fd, iov, n ? 2 : 1);
}

/* Docker's format: raw with a terminal, else each chunk after its header */
static int docker_output(struct mon_clients *cs, int fd, int stream, const char *buf, size_t n)
{
    unsigned char h[8] = {(unsigned char)(stream + 1),
                          0,
                          0,
                          0,
                          (unsigned char)(n >> 24),
                          (unsigned char)(n >> 16),
                          (unsigned char)(n >> 8),
                          (unsigned char)n};
    struct iovec iov[2] = {{h, 8}, {(void *)buf, n}};
    return cs->tty ? put(fd, iov + 1, 1) : put(fd, iov, 2);
}

void monc_output(struct mon_clients *cs, int stream, const char *buf, size_t n)
{
    /* an attached client gets every byte: a slow one slows the container
     * down (its writes block while we wait), as with Docker; only a client
     * that is gone is dropped */
    for (int i = 0; i < MON_MAX_CLIENTS && n; i++) {
        struct mon_client *c = &cs->c[i];
        if (c->fd < 0)
            continue;
        int r;
        if (!c->docker)
            r = moat_output(c->fd, stream ? 'e' : 'o', buf, n);
        else if (c->flags & (stream ? MON_FD_ERR : MON_FD_OUT))
            r = docker_output(cs, c->fd, stream, buf, n);
        else
            r = 0;
        if (r < 0)
            drop(cs, i);
    }
}

static size_t in_pending(const struct mon_clients *cs)
{
    return cs->in_q.len - cs->in_off;
}

void monc_poll(struct mon_clients *cs, struct pollfd *p)
{
    bool full = in_pending(cs) >= MON_IN_MAX;
    for (int i = 0; i < MON_MAX_CLIENTS; i++) {
        struct mon_client *c = &cs->c[i];
        /* a half-closed one only for its end (POLLHUP, POLLERR); all
         * while stdin is full: what they send waits in their sockets */
        p[i] = (struct pollfd){c->fd, c->in_eof || full ? 0 : POLLIN, 0};
    }
}

struct pollfd monc_stdin_poll(const struct mon_clients *cs)
{
    return (struct pollfd){in_pending(cs) ? *cs->in_w : -1, POLLOUT, 0};
}

/* the end of stdin: the container's closed (not a pty's: it is its output
 * too), once what waits for it is written */
static void close_stdin(struct mon_clients *cs)
{
    if (in_pending(cs) && *cs->in_w >= 0) {
        cs->in_close = true;
        return;
    }
    cs->in_close = false;
    if (*cs->in_w >= 0 && *cs->in_w != *cs->master)
        close_fd(cs->in_w);
}

void monc_stdin_flush(struct mon_clients *cs)
{
    while (in_pending(cs) && *cs->in_w >= 0) {
        ssize_t n = write(*cs->in_w, cs->in_q.buf + cs->in_off, in_pending(cs));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            break; /* stdin is gone (the container ended): what waits goes */
        cs->in_off += (size_t)n;
    }
    cs->in_q.len = cs->in_off = 0;
    if (cs->in_close)
        close_stdin(cs);
}

/* bytes for stdin: queued, and written as far as it takes them now */
static void stdin_put(struct mon_clients *cs, const char *data, size_t len)
{
    if (*cs->in_w < 0)
        return;
    if (cs->in_off) { /* what was written goes: the queue holds what waits only */
        memmove(cs->in_q.buf, cs->in_q.buf + cs->in_off, in_pending(cs));
        cs->in_q.len -= cs->in_off;
        cs->in_off = 0;
    }
    sbuf_add(&cs->in_q, data, len);
    monc_stdin_flush(cs);
}

static void docker_input(struct mon_clients *cs, int i, short revents)
{
    struct mon_client *c = &cs->c[i];
    if (c->in_eof) {
        if (revents & (POLLHUP | POLLERR))
            drop(cs, i); /* gone */
        return;
    }
    char buf[CHUNK];
    ssize_t n = read(c->fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0) {
        drop(cs, i);
        return;
    }
    /* stdin only if it asked for it and the container has one open */
    bool in = (c->flags & MON_FD_IN) && cs->open_stdin;
    if (n == 0) {
        c->in_eof = true; /* half-closed: its output goes on */
        if (in && cs->stdin_once) {
            close_stdin(cs);
        } else if (in) {
            /* as Docker's: without StdinOnce the container's stdin stays
             * open for the next client, and this one's attach ends */
            drop(cs, i);
        }
        return;
    }
    if (in)
        stdin_put(cs, buf, (size_t)n);
}

/* a connection handed over by the moat client in slot i: served from
 * now on in its place; 'k' says so */
static void take_over(struct mon_clients *cs, int i, const char *data, size_t len, int passed)
{
    int via = cs->c[i].fd;
    cs->c[i].fd = -1; /* the slot is the new client's if no other is free */
    if (passed < 0 || len != 1 || monc_add(cs, passed, true, (unsigned char)data[0]) < 0) {
        close(via); /* no 'k': the caller fails */
        return;
    }
    mon_frame(via, 'k', NULL, 0, 0);
    close(via);
}

char monc_input(struct mon_clients *cs, int i, short revents)
{
    if (cs->c[i].docker) {
        docker_input(cs, i, revents);
        return 0;
    }
    char type;
    char *data;
    size_t len;
    int passed = -1;
    if (mon_read_frame_fd(cs->c[i].fd, &type, &data, &len, &passed) < 0) {
        drop(cs, i);
        return 0;
    }
    if (type == 'f') {
        take_over(cs, i, data, len, passed);
        passed = -1;
    } else if (type == 'i') {
        stdin_put(cs, data, len);
    } else if (type == 'c') {
        close_stdin(cs);
    } else if (type == 'w' && len == 4) {
        struct winsize ws = {
            .ws_row = (unsigned short)((unsigned char)data[0] << 8 | (unsigned char)data[1]),
            .ws_col = (unsigned short)((unsigned char)data[2] << 8 | (unsigned char)data[3])};
        if (*cs->master >= 0) {
            ioctl(*cs->master, TIOCSWINSZ, &ws);
        } else { /* before start: the pty starts at that size */
            cs->rows = ws.ws_row;
            cs->cols = ws.ws_col;
        }
    }
    if (passed >= 0)
        close(passed);
    free(data);
    return type;
}

void monc_end(struct mon_clients *cs, const char *code)
{
    for (int i = 0; i < MON_MAX_CLIENTS; i++)
        if (cs->c[i].fd >= 0) {
            if (!cs->c[i].docker)
                (void)moat_output(cs->c[i].fd, 'x', code, strlen(code));
            drop(cs, i);
        }
}
