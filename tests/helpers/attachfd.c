/* attachfd [-i] [-o] [-e] [-d] [-r FILE] [-S FILE] [-H] STORE ID: test helper for
 * ctr_attach_fd (engine/attach_fd.h), as the API daemon uses it. Makes a
 * socketpair, begins an attach to container ID of the store at STORE,
 * creates FILE (-r) once the attach is registered (a start after that
 * finds it), hands one end over with the streams -i (stdin), -o (stdout),
 * -e (stderr), and relays the other end: its stdin to the socket (then
 * shutdown(SHUT_WR), Docker's half-close), the socket to its stdout. -d
 * decodes Docker's 8-byte headers: stream 1 to stdout, 2 to stderr, and
 * fails (3) on a malformed header. -S: create FILE once all of stdin is
 * sent and the socket half-closed. -H: begin, create FILE, and wait to be
 * killed. Errors: "attachfd: MESSAGE [ERRNAME]" and exit 1. */
#include "engine/engine.h"
#include "util/util.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(merr_t *e)
{
    fprintf(stderr, "attachfd: %s [%s]\n", e->msg ? e->msg : "?",
            e->errnum ? strerrorname_np(e->errnum) : "0");
    return 1;
}

static int put(int fd, const void *b, size_t n)
{
    const char *p = b;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* the whole frames in buf: their data to stdout or stderr; what is left
 * of a partial one stays */
static int decode(char *buf, size_t *len)
{
    size_t off = 0;
    while (*len - off >= 8) {
        unsigned char *h = (unsigned char *)buf + off;
        if ((h[0] != 1 && h[0] != 2) || h[1] || h[2] || h[3]) {
            fprintf(stderr, "attachfd: bad header %02x %02x %02x %02x\n", h[0], h[1], h[2], h[3]);
            return -1;
        }
        size_t n = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | h[7];
        if (*len - off - 8 < n)
            break;
        if (put(h[0], buf + off + 8, n) < 0)
            return -1;
        off += 8 + n;
    }
    memmove(buf, buf + off, *len - off);
    *len -= off;
    return 0;
}

static void touch(const char *path)
{
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f)
        fclose(f);
}

static int relay_buf(int sock, bool dec, const char *sent, char **bufp);

static int relay(int sock, bool dec, const char *sent)
{
    char *buf = NULL;
    int r = relay_buf(sock, dec, sent, &buf);
    free(buf);
    return r;
}

static int relay_buf(int sock, bool dec, const char *sent, char **bufp)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = *bufp = xmalloc(cap);
    bool in_open = true;
    for (;;) {
        /* stdin's end once it ended: no more (its POLLHUP would spin) */
        struct pollfd p[2] = {{sock, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (p[0].revents) {
            if (len == cap)
                buf = *bufp = xrealloc(buf, cap *= 2);
            ssize_t n = read(sock, buf + len, cap - len);
            if (n <= 0)
                return dec && len ? (fprintf(stderr, "attachfd: partial frame\n"), 3) : 0;
            len += (size_t)n;
            if (!dec) {
                put(1, buf, len);
                len = 0;
            } else if (decode(buf, &len) < 0) {
                return 3;
            }
        }
        if (in_open && p[1].revents) {
            char b[4096];
            ssize_t n = read(0, b, sizeof(b));
            if (n > 0) {
                put(sock, b, (size_t)n);
            } else {
                in_open = false;
                shutdown(sock, SHUT_WR);
                touch(sent);
            }
        }
    }
}

int main(int argc, char **argv)
{
    struct attach_fd_opts o = {0};
    bool dec = false, hold = false;
    const char *ready = NULL, *sent = NULL;
    int c;
    while ((c = getopt(argc, argv, "ioedr:S:H")) != -1) {
        if (c == 'i')
            o.in = true;
        else if (c == 'o')
            o.out = true;
        else if (c == 'e')
            o.err = true;
        else if (c == 'd')
            dec = true;
        else if (c == 'r')
            ready = optarg;
        else if (c == 'S')
            sent = optarg;
        else if (c == 'H')
            hold = true;
        else
            return 2;
    }
    if (argc - optind != 2) {
        fprintf(stderr, "usage: attachfd [-i] [-o] [-e] [-d] [-r FILE] [-S FILE] [-H] STORE ID\n");
        return 2;
    }
    merr_t err = MERR_INIT;
    struct store s;
    char id[65];
    if (store_open(&s, argv[optind], &err) < 0 || ctr_find(&s, argv[optind + 1], id, &err) < 0)
        return fail(&err);
    struct attach_fd_wait *w;
    if (ctr_attach_fd_begin(&s, id, &w, &err) < 0)
        return fail(&err);
    touch(ready);
    while (hold)
        pause();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        perror("attachfd: socketpair");
        return 1;
    }
    if (ctr_attach_fd_end(w, sv[0], &o, &err) < 0)
        return fail(&err);
    close(sv[0]);
    int r = relay(sv[1], dec, sent);
    store_close(&s);
    return r;
}
