/* accept.c: a share of a UNIX listener per uid (see accept.h). */
#include "accept.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_OPEN 2048 /* connections counted at once (the listener takes 512) */

/* An open connection: counted from its accept (libmicrohttpd takes it
 * in its own thread later) until libmicrohttpd says it closed. One that
 * libmicrohttpd dropped without a word is found when its descriptor
 * number comes back from accept. */
struct conn {
    int fd;
    uid_t uid;
    uint64_t gen; /* which connection on that fd (0: a free slot) */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn conns[MAX_OPEN];
static uint64_t next_gen = 1;

static int peer_uid(int fd, uid_t *uid)
{
    struct ucred cr;
    socklen_t len = sizeof(cr);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
        return -1;
    *uid = cr.uid;
    return 0;
}

/* count fd for uid if it has room: false when its share is used up */
static bool admit(int fd, uid_t uid)
{
    unsigned n = 0;
    struct conn *free_slot = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < MAX_OPEN; i++) {
        struct conn *c = &conns[i];
        if (c->gen && c->fd == fd) /* closed before: this number is new */
            c->gen = 0;
        if (!c->gen)
            free_slot = free_slot ? free_slot : c;
        else
            n += c->uid == uid;
    }
    bool ok = n < ACCEPT_PER_UID && free_slot;
    if (ok)
        *free_slot = (struct conn){.fd = fd, .uid = uid, .gen = next_gen++};
    pthread_mutex_unlock(&lock);
    return ok;
}

void accept_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
                   enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < MAX_OPEN; i++) {
        struct conn *c = &conns[i];
        if (!c->gen)
            continue;
        if (toe == MHD_CONNECTION_NOTIFY_STARTED && ci && c->fd == ci->connect_fd) {
            *socket_context = (void *)(uintptr_t)c->gen;
            break;
        }
        if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context &&
            c->gen == (uint64_t)(uintptr_t)*socket_context) {
            c->gen = 0;
            *socket_context = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

struct loop {
    int fd;
    accept_fn take;
    void *ctx;
};

static void *loop_main(void *arg)
{
    struct loop *l = arg;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                poll(NULL, 0, 100); /* out of descriptors: a while, not a spin */
            continue;
        }
        l->take(fd, (struct sockaddr *)&ss, len, l->ctx);
    }
    return NULL;
}

int accept_loop(int fd, accept_fn take, void *ctx)
{
    struct loop *l = malloc(sizeof(*l));
    pthread_t t;
    if (!l)
        return -1;
    *l = (struct loop){.fd = fd, .take = take, .ctx = ctx};
    if (pthread_create(&t, NULL, loop_main, l) != 0) {
        free(l);
        return -1;
    }
    pthread_detach(t);
    return 0;
}

/* a user socket's connection: counted, or closed when its uid's share is
 * used up (the others' is not) */
static void take_shared(int fd, const struct sockaddr *a, socklen_t len, void *ctx)
{
    uid_t uid;
    if (peer_uid(fd, &uid) < 0 || !admit(fd, uid)) {
        close(fd);
        return;
    }
    MHD_add_connection(ctx, fd, a, len); /* closes it on failure */
}

int accept_serve(int fd, struct MHD_Daemon *d)
{
    return accept_loop(fd, take_shared, d);
}
