/* monclient.h: the attach clients of a container's monitor (monitor.h):
 * moat's own, on containers/ID/attach.sock, in its frames (monframe.h),
 * and client connections handed over to it (attach_fd.h), in Docker's
 * attach format: with no terminal each chunk of output after a header of
 * 8 bytes {1 stdout or 2 stderr, 0, 0, 0, length as 32-bit big-endian},
 * with one the bytes as they are; what such a client sends is the
 * container's stdin, as it is. */
#ifndef MOAT_ENGINE_MONCLIENT_H
#define MOAT_ENGINE_MONCLIENT_H

#include "../util/util.h"

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define MON_MAX_CLIENTS 16

struct mon_client {
    int fd;              /* -1: a free slot */
    bool docker;         /* a handed-over connection, in Docker's format */
    unsigned char flags; /* its streams (MON_FD_*) */
    bool in_eof;         /* it has half-closed: output only */
};

struct mon_clients {
    struct mon_client c[MON_MAX_CLIENTS];
    bool tty, open_stdin; /* the container's (its record) */
    bool stdin_once;      /* a Docker client's half-close closes stdin (else ends its attach) */
    int *in_w;            /* the container's stdin, -1 (the monitor's) */
    const int *master;    /* its pty master, -1 */
    unsigned short rows, cols; /* the size a client said before the pty exists */
    /* what clients sent to stdin that the container has not taken yet:
     * in_w is non-blocking and written when it takes bytes, so a
     * container that does not read its stdin never holds the monitor */
    struct sbuf in_q;
    size_t in_off;
    bool in_close; /* stdin closes once in_q is written */
};

void monc_init(struct mon_clients *cs, int *in_w, const int *master);
/* A client in a free slot (its index); -1 if all are taken (fd closed) */
int monc_add(struct mon_clients *cs, int fd, bool docker, unsigned flags);
void monc_accept(struct mon_clients *cs, int listenfd);
/* Output of stream 0 (stdout) or 1 (stderr) to every client that wants
 * it; a client that is gone is dropped */
void monc_output(struct mon_clients *cs, int stream, const char *buf, size_t n);
/* The poll entries of the MON_MAX_CLIENTS slots, in their order; a
 * client's input waits while MON_IN_MAX bytes of stdin are not taken */
#define MON_IN_MAX 65536
void monc_poll(struct mon_clients *cs, struct pollfd *p);
/* stdin's poll entry: in_w for POLLOUT while bytes wait, else fd -1 */
struct pollfd monc_stdin_poll(const struct mon_clients *cs);
/* write what waits for stdin, as much as it takes now (in_w ready, or
 * gone: then what waits is dropped) */
void monc_stdin_flush(struct mon_clients *cs);
/* Slot i is ready (revents): read what it sends. The type of the moat
 * frame it was ('w': a size, 'f': a connection handed over), else 0. */
char monc_input(struct mon_clients *cs, int i, short revents);
/* The container ended with code (its text): moat clients get it in an
 * 'x' frame; every client is closed (a Docker one sees the end of the
 * stream). */
void monc_end(struct mon_clients *cs, const char *code);

#endif
