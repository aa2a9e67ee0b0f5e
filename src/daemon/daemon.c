/* daemon.c: `moat daemon` (see daemon.h). */
#include "daemon.h"
#include "listen.h"
#include "worker.h"
#include "../engine/engine.h"
#include "../engine/helper_exe.h"
#include "../runtime/runtime.h"
#include "../util/log.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_SOCK "/run/moat/moat.sock"
#define DEFAULT_USER_SOCK "/run/moat/user.sock"
#define MAX_L 8

struct opts {
    const char *root, *user_path, *cacert, *cert, *key;
    char **hosts, **admin_cns;
    bool tlsverify;
};

struct listener {
    int fd;
    bool tcp;
    bool shared; /* the user socket: moat-api gives each uid a share */
    char *path;  /* made by us: removed at the end */
};

struct daemon {
    struct opts o;
    struct daemon_cfg cfg;
    struct listener l[MAX_L];
    size_t n;
    int ctl;
    pid_t front;
    int tls[3]; /* cert, key, ca */
};

static void usage(FILE *f)
{
    fprintf(
        f, "Usage: moat daemon [OPTIONS]\n\n"
           "Serve the Docker Engine API (1.24-1.44) for moat's store.\n\n"
           "Options:\n"
           "  --root STORE            the store (default " STORE_DEFAULT_ROOT ")\n"
           "  -H, --host unix:///PATH the admin socket, root:moat 0660 (default " DEFAULT_SOCK ")\n"
           "  -H, --host tcp://ADDR:PORT  TCP, mutual TLS only (--tlsverify)\n"
           "  --user-socket PATH      the socket of the group moat-users, each member\n"
           "                          scoped to its own objects (default " DEFAULT_USER_SOCK ",\n"
           "                          \"\" for none)\n"
           "  --tlsverify             require client certificates signed by --tlscacert\n"
           "  --tlscacert, --tlscert, --tlskey FILE\n"
           "  --tls-admin-cn NAME     a client certificate CN with full access (repeatable)\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {{"root", required_argument, NULL, 'r'},
                                       {"host", required_argument, NULL, 'H'},
                                       {"user-socket", required_argument, NULL, 'u'},
                                       {"tlsverify", no_argument, NULL, 'v'},
                                       {"tlscacert", required_argument, NULL, 'A'},
                                       {"tlscert", required_argument, NULL, 'C'},
                                       {"tlskey", required_argument, NULL, 'K'},
                                       {"tls-admin-cn", required_argument, NULL, 'N'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0, 0, 0, 0}};
    *o = (struct opts){.root = STORE_DEFAULT_ROOT, .user_path = DEFAULT_USER_SOCK};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "H:h", lo, NULL)) != -1) {
        switch (c) {
        case 'r':
            o->root = optarg;
            break;
        case 'H':
            strv_push(&o->hosts, optarg);
            break;
        case 'u':
            o->user_path = optarg;
            break;
        case 'v':
            o->tlsverify = true;
            break;
        case 'A':
            o->cacert = optarg;
            break;
        case 'C':
            o->cert = optarg;
            break;
        case 'K':
            o->key = optarg;
            break;
        case 'N':
            strv_push(&o->admin_cns, optarg);
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            fprintf(stderr, "moat daemon: unknown or incomplete flag \"%s\"\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "moat daemon: unexpected argument \"%s\"\n", argv[optind]);
        return -1;
    }
    if (!o->hosts)
        strv_push(&o->hosts, "unix://" DEFAULT_SOCK);
    return 0;
}

static int add_listener(struct daemon *d, int fd, bool tcp, const char *made)
{
    if (d->n >= MAX_L) {
        close(fd);
        fprintf(stderr, "moat daemon: at most %d sockets\n", MAX_L);
        return -1;
    }
    d->l[d->n++] = (struct listener){.fd = fd, .tcp = tcp, .path = made ? xstrdup(made) : NULL};
    return 0;
}

static int unix_listener(struct daemon *d, const char *path, const char *group, merr_t *err)
{
    int fd = listen_systemd(path);
    if (fd >= 0)
        return add_listener(d, fd, false, NULL);
    gid_t gid = 0;
    if (group_gid(group, &gid) < 0)
        return err_set(err, 0, "%s: the group %s does not exist (scripts/setup.sh makes it)", path,
                       group);
    if (!strcmp(group, "moat"))
        d->cfg.admin_gid = gid;
    fd = listen_unix(path, gid, err);
    return fd < 0 ? -1 : add_listener(d, fd, false, path);
}

static int open_tls(struct daemon *d, merr_t *err)
{
    const struct opts *o = &d->o;
    if (!o->tlsverify)
        return err_set(err, EINVAL,
                       "a TCP socket needs --tlsverify with --tlscacert, --tlscert "
                       "and --tlskey: moat serves TCP only with client certificates");
    const char *f[3] = {o->cert, o->key, o->cacert};
    static const char *const name[3] = {"--tlscert", "--tlskey", "--tlscacert"};
    for (int i = 0; i < 3; i++) {
        if (!f[i])
            return err_set(err, 0, "--tlsverify needs %s", name[i]);
        if (d->tls[i] < 0 && (d->tls[i] = open(f[i], O_RDONLY | O_CLOEXEC)) < 0)
            return err_sys(err, "%s %s", name[i], f[i]);
    }
    return 0;
}

static int listeners(struct daemon *d, merr_t *err)
{
    for (char **h = d->o.hosts; *h; h++) {
        if (!strncmp(*h, "unix://", 7)) {
            if (d->cfg.admin_path) {
                return err_set(err, EINVAL, "-H %s: one admin socket only", *h);
            }
            d->cfg.admin_path = *h + 7;
            if (unix_listener(d, *h + 7, "moat", err) < 0)
                return -1;
        } else if (!strncmp(*h, "tcp://", 6)) {
            if (open_tls(d, err) < 0)
                return -1;
            int fd = listen_systemd(NULL);
            if (fd < 0 && (fd = listen_tcp(*h + 6, err)) < 0)
                return -1;
            if (add_listener(d, fd, true, NULL) < 0)
                return -1;
        } else {
            return err_set(err, EINVAL, "-H %s: unix:///PATH or tcp://ADDRESS:PORT expected", *h);
        }
    }
    if (!d->cfg.admin_path)
        d->cfg.admin_path = "";
    if (d->o.user_path && *d->o.user_path) {
        d->cfg.user_path = d->o.user_path;
        if (unix_listener(d, d->o.user_path, "moat-users", err) < 0)
            return -1;
        d->l[d->n - 1].shared = true;
    }
    d->cfg.admin_cns = d->o.admin_cns;
    return 0;
}

static void arg_fd(char ***argv, const char *flag, int fd)
{
    char num[16];
    snprintf(num, sizeof(num), "%d", fd);
    strv_push(argv, flag);
    strv_push(argv, num);
    fcntl(fd, F_SETFD, 0); /* in the child only: it is about to exec */
}

/* moat-api, as its user, with the listeners, the control socket's other
 * end and the TLS files */
static int start_front(struct daemon *d, int their, merr_t *err)
{
    uid_t uid;
    gid_t gid;
    if (helper_user("moat-api", "the API daemon's front", &uid, &gid, err) < 0)
        return -1;
    cleanup_free char *path = NULL;
    int exe = helper_exe_open("moat-api", &path, err);
    if (exe < 0)
        return -1;
    char **envp = helper_env(NULL, 0);
    pid_t pid = fork();
    if (pid < 0) {
        close(exe);
        strv_free(envp);
        return err_sys(err, "fork");
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        char **argv = NULL;
        char num[16];
        strv_push(&argv, path);
        arg_fd(&argv, "--ctl", their);
        snprintf(num, sizeof(num), "%u", (unsigned)uid);
        strv_push(&argv, "--uid");
        strv_push(&argv, num);
        snprintf(num, sizeof(num), "%u", (unsigned)gid);
        strv_push(&argv, "--gid");
        strv_push(&argv, num);
        for (size_t i = 0; i < d->n; i++)
            arg_fd(&argv,
                   d->l[i].tcp      ? "--tcp"
                   : d->l[i].shared ? "--unix-shared"
                                    : "--unix",
                   d->l[i].fd);
        static const char *const tf[3] = {"--cert", "--key", "--ca"};
        for (int i = 0; i < 3; i++)
            if (d->tls[i] >= 0)
                arg_fd(&argv, tf[i], d->tls[i]);
        for (char **h = d->o.hosts; *h; h++)
            if (!strncmp(*h, "tcp://", 6)) {
                strv_push(&argv, "--host");
                strv_push(&argv, *h + 6);
            }
        syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
        fprintf(stderr, "moat daemon: cannot run %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(exe);
    strv_free(envp);
    d->front = pid;
    return 0;
}

/* a request from the front: a worker of its own serves it */
static void request(struct daemon *d, int sfd)
{
    int fds[UNIX_MAX_FDS];
    size_t n = 0;
    char tag;
    merr_t err = MERR_INIT;
    ssize_t r = unix_recv_fds(d->ctl, fds, UNIX_MAX_FDS, &n, &tag, 1, &err);
    err_clear(&err);
    if (r <= 0 || n != 2 || tag != 'r') {
        for (size_t i = 0; i < n; i++)
            close(fds[i]);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(sfd);
        close(d->ctl);
        for (size_t i = 0; i < d->n; i++)
            close(d->l[i].fd);
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_UNBLOCK, &all, NULL);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        seal_set_argv(NULL); /* the daemon is protected already; never start it again */
        _exit(worker_main(d->o.root, &d->cfg, fds[0], fds[1]));
    }
    close(fds[0]);
    close(fds[1]);
}

static void cleanup(struct daemon *d)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->l[i].path)
            unlink(d->l[i].path);
        close(d->l[i].fd);
        free(d->l[i].path);
    }
    if (d->front > 0)
        kill(d->front, SIGTERM);
}

/* until SIGTERM or SIGINT, or the front is gone */
static int serve(struct daemon *d)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    struct pollfd p[2] = {{.fd = d->ctl, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
    int ret = 0;
    for (;;) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents) {
            struct signalfd_siginfo si;
            bool stop = false;
            while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                stop |= si.ssi_signo != SIGCHLD;
            int st;
            pid_t c;
            while ((c = waitpid(-1, &st, WNOHANG)) > 0)
                if (c == d->front) {
                    fprintf(stderr, "moat daemon: moat-api ended (status %d)\n", st);
                    d->front = -1;
                    stop = true;
                    ret = 1;
                }
            if (stop)
                break;
        }
        if (p[0].revents & POLLIN)
            request(d, sfd);
        else if (p[0].revents & (POLLHUP | POLLERR))
            break;
    }
    close(sfd);
    return ret;
}

int daemon_main(int argc, char **argv)
{
    /* protected from the start (CVE-2019-5736): its workers start
     * containers and cannot restart themselves */
    char **again = xmalloc(((size_t)argc + 2) * sizeof(char *));
    again[0] = "moat";
    memcpy(again + 1, argv, ((size_t)argc + 1) * sizeof(char *));
    seal_set_argv(again);
    merr_t err = MERR_INIT;
    struct daemon d = {.ctl = -1, .tls = {-1, -1, -1}};
    if (parse(argc, argv, &d.o) < 0)
        return 125;
    if (getuid() != 0) {
        fprintf(stderr, "moat daemon: must run as root (it hands requests to the engine as root; "
                        "the HTTP and TLS side runs as the user moat-api)\n");
        return 1;
    }
    if (seal_protect_now(&err) < 0 || listeners(&d, &err) < 0) {
        fprintf(stderr, "moat daemon: %s\n", err.msg);
        cleanup(&d);
        return 1;
    }
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0 ||
        start_front(&d, sp[1], &err) < 0) {
        fprintf(stderr, "moat daemon: %s\n", err.msg ? err.msg : strerror(errno));
        cleanup(&d);
        return 1;
    }
    close(sp[1]);
    d.ctl = sp[0];
    for (int i = 0; i < 3; i++)
        if (d.tls[i] >= 0)
            close(d.tls[i]);
    fprintf(stderr, "moat daemon: serving API %s on %s%s%s\n", "1.44", d.cfg.admin_path,
            d.cfg.user_path ? " and " : "", d.cfg.user_path ? d.cfg.user_path : "");
    int r = serve(&d);
    cleanup(&d);
    return r;
}
