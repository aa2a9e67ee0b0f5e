/* main.c: moat-api, the front of moat's API daemon (see front.h). Run by
 * `moat daemon` (src/daemon/daemon.c) as root with its descriptors open:
 *
 *   moat-api --ctl FD --uid UID --gid GID
 *            [--unix FD]... [--tcp FD --cert FD --key FD --ca FD [--host NAME]...]
 *
 * It reads the TLS files from their descriptors, becomes its own user in
 * its sandbox (sandbox.h), serves every listener with libmicrohttpd (a
 * thread per connection), and exits when the back closes the control
 * socket. */
#include "front.h"
#include "accept.h"
#include "sandbox.h"
#include "tlsterm.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LISTENERS 8
#define MAX_CONNECTIONS 512U /* per listener */

struct args {
    int ctl, cert, key, ca;
    unsigned long uid, gid;
    struct front_listener l[MAX_LISTENERS];
    size_t n;
    char **hosts;
};

static int num(const char *s, unsigned long *v)
{
    char *end;
    errno = 0;
    *v = strtoul(s, &end, 10);
    return errno || !*s || *end ? -1 : 0;
}

static int parse(int argc, char **argv, struct args *a)
{
    *a = (struct args){.ctl = -1, .cert = -1, .key = -1, .ca = -1};
    for (int i = 1; i + 1 < argc; i += 2) {
        unsigned long v = 0;
        const char *k = argv[i], *val = argv[i + 1];
        if (!strcmp(k, "--host")) {
            strv_push(&a->hosts, val);
            continue;
        }
        if (num(val, &v) < 0 || v > 0x7fffffff)
            return -1;
        if (!strcmp(k, "--ctl"))
            a->ctl = (int)v;
        else if (!strcmp(k, "--uid"))
            a->uid = v;
        else if (!strcmp(k, "--gid"))
            a->gid = v;
        else if (!strcmp(k, "--cert"))
            a->cert = (int)v;
        else if (!strcmp(k, "--key"))
            a->key = (int)v;
        else if (!strcmp(k, "--ca"))
            a->ca = (int)v;
        else if ((!strcmp(k, "--unix") || !strcmp(k, "--tcp") || !strcmp(k, "--unix-shared")) &&
                 a->n < MAX_LISTENERS)
            a->l[a->n++] = (struct front_listener){
                .fd = (int)v, .tls = k[2] == 't', .shared = !strcmp(k, "--unix-shared")};
        else
            return -1;
    }
    return a->ctl >= 0 && a->n ? 0 : -1;
}

/* a PEM file the back opened for us, whole (at most 1 MiB) */
static char *pem_from_fd(int fd)
{
    struct sbuf b = {0};
    char buf[4096];
    if (fd < 0)
        return NULL;
    while (b.len < (1 << 20)) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        sbuf_add(&b, buf, (size_t)n);
    }
    close(fd);
    if (b.buf)
        sbuf_add(&b, "", 1);
    return b.buf;
}

/* libmicrohttpd's complaints, minus those of a client that went away
 * before a streamed answer ended (docker's wait reads its JSON and goes) */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (strstr(fmt, "Failed to send the")) /* a client that went away: not news */
        return;
    /* a UNIX socket handed over by our own accept (accept.h, tlsterm.h)
     * has no TCP options to set */
    if (strstr(fmt, "TCP_NODELAY") || strstr(fmt, "TCP_CORK") ||
        strstr(fmt, "Failed to push the data"))
        return;
    fputs("moat-api: ", stderr);
    vfprintf(stderr, fmt, ap);
}

#define COMMON_OPTIONS                                                                             \
    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_NOTIFY_COMPLETED, front_completed, NULL, \
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024), MHD_OPTION_CONNECTION_LIMIT,           \
        MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT, 120U

static struct MHD_Daemon *serve(struct front_listener *l)
{
    /* poll, not select: a descriptor past FD_SETSIZE (1024) would be
     * refused, on every listener; one caller's connections and their
     * channels to the back are enough to get there. TURBO: no shutdown of
     * a connection handed over. Over TLS, tlsterm.c accepts and hands the
     * plain side of each connection to libmicrohttpd. */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD |
                     MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    if (l->tls || l->shared)
        flags |= MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
    struct MHD_Daemon *d;
    if (l->tls)
        d = MHD_start_daemon(flags, 0, NULL, NULL, front_handler, l, COMMON_OPTIONS,
                             MHD_OPTION_END);
    else if (l->shared)
        d = MHD_start_daemon(flags, 0, NULL, NULL, front_handler, l, COMMON_OPTIONS,
                             MHD_OPTION_NOTIFY_CONNECTION, accept_notify, NULL, MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, 0, NULL, NULL, front_handler, l, COMMON_OPTIONS,
                             MHD_OPTION_LISTEN_SOCKET, l->fd, MHD_OPTION_END);
    if (d && ((l->tls && tlsterm_serve(l->fd, d, MAX_CONNECTIONS) < 0) ||
              (l->shared && accept_serve(l->fd, d) < 0))) {
        MHD_stop_daemon(d);
        return NULL;
    }
    return d;
}

int main(int argc, char **argv)
{
    struct args a;
    if (parse(argc, argv, &a) < 0) {
        fprintf(stderr, "moat-api: run by `moat daemon`, not by hand\n");
        return 2;
    }
    /* a back that answered and went while we write to it: an error, not a death */
    signal(SIGPIPE, SIG_IGN);
    cleanup_free char *cert = pem_from_fd(a.cert);
    cleanup_free char *key = pem_from_fd(a.key);
    cleanup_free char *ca = pem_from_fd(a.ca);
    /* each listener's connections and a channel to the back for each:
     * as many as the hard limit allows (systemd's soft limit is 1024) */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    merr_t err = MERR_INIT;
    if (api_sandbox_enter((uid_t)a.uid, (gid_t)a.gid, &err) < 0) {
        fprintf(stderr, "moat-api: %s\n", err.msg);
        return 1;
    }
    struct MHD_Daemon *d[MAX_LISTENERS] = {0};
    bool tls_ready = false;
    for (size_t i = 0; i < a.n; i++) {
        a.l[i].ctl = a.ctl;
        a.l[i].hosts = a.hosts;
        const char *why = "TLS needs a certificate, its key and a CA";
        if (a.l[i].tls && !tls_ready &&
            (!cert || !key || !ca || tlsterm_init(cert, key, ca, &why) < 0)) {
            fprintf(stderr, "moat-api: %s\n", why);
            return 1;
        }
        tls_ready = tls_ready || a.l[i].tls;
        d[i] = serve(&a.l[i]);
        if (!d[i]) {
            fprintf(stderr, "moat-api: cannot serve listener %zu\n", i);
            return 1;
        }
    }
    /* until the back goes away */
    struct pollfd p = {.fd = a.ctl, .events = POLLIN};
    while (poll(&p, 1, -1) >= 0 || errno == EINTR) {
        char c;
        if (p.revents && recv(a.ctl, &c, 1, MSG_DONTWAIT) == 0)
            break;
        if (p.revents & (POLLHUP | POLLERR))
            break;
    }
    for (size_t i = 0; i < a.n; i++)
        MHD_stop_daemon(d[i]);
    return 0;
}
