/* relay.c: a hijacked TLS stream's copy thread (see relay.h). */
#include "relay.h"
#include "../util/fs.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define AFTER_END_MS 10000 /* a client that does not close once the stream ended */

struct relay {
    int fd[2]; /* libmicrohttpd's (the client), ours (the monitor's peer) */
    struct MHD_UpgradeResponseHandle *urh;
};

/* one chunk from fd[i] to the other; false once fd[i] has ended */
static bool pump(struct relay *r, int i)
{
    char buf[16384];
    ssize_t n = read(r->fd[i], buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0 || write_all(r->fd[!i], buf, (size_t)n) < 0) {
        shutdown(r->fd[!i], SHUT_WR);
        return false;
    }
    return true;
}

static void *run(void *arg)
{
    struct relay *r = arg;
    struct pollfd p[2] = {{.fd = r->fd[0], .events = POLLIN}, {.fd = r->fd[1], .events = POLLIN}};
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        /* once the container's side ended, the client gets a while to go */
        int n = poll(p, 2, p[1].fd < 0 ? AFTER_END_MS : -1);
        if (n == 0)
            break;
        for (int i = 0; i < 2 && n > 0; i++)
            if (p[i].fd >= 0 && p[i].revents && !pump(r, i))
                p[i].fd = -1;
    }
    close(r->fd[1]);
    MHD_upgrade_action(r->urh, MHD_UPGRADE_ACTION_CLOSE);
    free(r);
    return NULL;
}

int relay_start(MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    int sp[2];
    struct relay *r = malloc(sizeof(*r));
    if (!r || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
        free(r);
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return -1;
    }
    *r = (struct relay){{sock, sp[0]}, urh};
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 128 * 1024);
    int e = pthread_create(&t, &a, run, r);
    pthread_attr_destroy(&a);
    if (e) {
        close(sp[0]);
        close(sp[1]);
        free(r);
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return -1;
    }
    return sp[1];
}
