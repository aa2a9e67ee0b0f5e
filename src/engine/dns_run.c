/* dns_run.c: a container's embedded resolver, started, answered and
 * stopped by its monitor (see dns_run.h). */
#include "dns_run.h"
#include "dns_ctl.h"
#include "dns_names.h"
#include "dns_server.h"
#include "helper_exe.h"
#include "../kernel/caps.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct dns_run {
    struct store *s;
    int ctl;   /* to the resolver */
    int pidfd; /* the resolver (reaped by the monitor's loop or by stop) */
    pid_t pid;
    char id[65];
    struct dns_names *names; /* the monitor's table of them */
};

char **dns_upstreams(json_t *hc)
{
    char **v = NULL;
    json_t *dns = json_object_get(hc, "Dns");
    for (size_t i = 0; i < json_array_size(dns); i++)
        if (json_string_value(json_array_get(dns, i)))
            strv_push(&v, json_string_value(json_array_get(dns, i)));
    if (v)
        return v;
    cleanup_free char *host = NULL;
    merr_t e = MERR_INIT;
    read_file_at(AT_FDCWD, "/etc/resolv.conf", &host, NULL, &e);
    err_clear(&e);
    for (char *save = NULL, *l = host ? strtok_r(host, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        char *in = NULL, *k = strtok_r(l, " \t", &in), *a = k ? strtok_r(NULL, " \t", &in) : NULL;
        unsigned char b[16];
        if (k && a && strcmp(k, "nameserver") == 0 &&
            (inet_pton(AF_INET, a, b) == 1 || inet_pton(AF_INET6, a, b) == 1))
            strv_push(&v, a);
    }
    return v ? v : xzalloc(sizeof(char *));
}

/* a socket of type bound to 127.0.0.11:53 (listening, for TCP) */
static int bound(int type, merr_t *err)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
    inet_pton(AF_INET, DNS_ADDR, &a.sin_addr);
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_sys(err, "the resolver's socket");
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        (type == SOCK_STREAM && listen(fd, 16) < 0)) {
        close(fd);
        return err_sys(err, "the resolver's %s socket at %s:53",
                       type == SOCK_STREAM ? "TCP" : "UDP", DNS_ADDR);
    }
    return fd;
}

/* the resolver's sockets, made inside the network namespace nsfd */
static int sockets(int nsfd, int *udp, int *tcp, merr_t *err)
{
    cleanup_close int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return err_sys(err, "open /proc/self/ns/net");
    if (setns(nsfd, CLONE_NEWNET) < 0)
        return err_sys(err, "enter the container's network namespace");
    *udp = bound(SOCK_DGRAM, err);
    *tcp = *udp < 0 ? -1 : bound(SOCK_STREAM, err);
    if (setns(self, CLONE_NEWNET) < 0)
        abort(); /* the monitor cannot stay in the container's namespace */
    if (*tcp < 0) {
        close_fd(udp);
        return -1;
    }
    return 0;
}

struct child {
    int fds[3]; /* udp, tcp, ctl */
    int exe;
    uid_t uid;
    gid_t gid;
    pid_t parent;
    char **argv, **envp;
};

static void die(const char *what)
{
    fprintf(stderr, "moat: moat-dns: %s: %s\n", what, strerror(errno));
    _exit(126);
}

/* between fork and exec: its descriptors, limits, user, capabilities */
static void child(struct child *c)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC), up[3];
    int exe = fcntl(c->exe, F_DUPFD_CLOEXEC, 10);
    if (exe < 0)
        die("descriptors");
    for (int i = 0; i < 3; i++) /* out of the way of 0..5 first */
        if ((up[i] = fcntl(c->fds[i], F_DUPFD_CLOEXEC, 10)) < 0)
            die("descriptors");
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
        die("descriptors");
    for (int i = 0; i < 3; i++)
        if (dup2(up[i], DNS_FD_UDP + i) < 0)
            die("descriptors");
    if (close_range(DNS_FD_CTL + 1, ~0U, CLOSE_RANGE_CLOEXEC) < 0 || chdir("/") < 0)
        die("descriptors");
    struct rlimit zero = {0, 0}, files = {128, 128}, mem = {256ULL << 20, 256ULL << 20};
    if (setrlimit(RLIMIT_CORE, &zero) < 0 || setrlimit(RLIMIT_FSIZE, &zero) < 0 ||
        setrlimit(RLIMIT_NOFILE, &files) < 0 || setrlimit(RLIMIT_MEMLOCK, &zero) < 0 ||
        (!HELPER_SANITIZED && setrlimit(RLIMIT_AS, &mem) < 0))
        die("limits");
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    merr_t e = MERR_INIT;
    if (caps_apply_bounding(0, &e) < 0)
        die("capabilities");
    if (setgroups(0, NULL) < 0 || setresgid(c->gid, c->gid, c->gid) < 0 ||
        setresuid(c->uid, c->uid, c->uid) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die("become " DNS_USER);
    if (getppid() != c->parent) /* the monitor died before the death signal was set */
        _exit(126);
    syscall(SYS_execveat, exe, "", c->argv, c->envp, AT_EMPTY_PATH);
    die("exec");
}

static pid_t spawn(struct child *c, int *pidfd, merr_t *err)
{
    pid_t pid = fork();
    if (pid == 0)
        child(c);
    if (pid < 0)
        return err_sys(err, "fork the resolver");
    *pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (*pidfd < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return err_sys(err, "pidfd of the resolver");
    }
    return pid;
}

int dns_run_start(struct store *s, int nsfd, char *const *upstreams, const char *id,
                  struct dns_run **out, merr_t *err)
{
    struct child c = {.fds = {-1, -1, -1}, .exe = -1, .parent = getpid()};
    int sp[2] = {-1, -1}, pidfd = -1, ret = -1;
    if (helper_user(DNS_USER, "the containers' DNS resolver", &c.uid, &c.gid, err) < 0)
        return -1;
    c.exe = open("/proc/self/exe", O_PATH | O_CLOEXEC);
    if (c.exe < 0)
        return err_sys(err, "open /proc/self/exe");
    if (sockets(nsfd, &c.fds[0], &c.fds[1], err) < 0)
        goto out;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
        err_sys(err, "socketpair");
        goto out;
    }
    c.fds[2] = sp[1];
    strv_push(&c.argv, DNS_PROC_NAME);
    for (size_t i = 0; upstreams && upstreams[i]; i++)
        strv_push(&c.argv, upstreams[i]);
    c.envp = helper_env(NULL, 0);
    pid_t pid = spawn(&c, &pidfd, err);
    if (pid < 0)
        goto out;
    struct dns_run *d = xzalloc(sizeof(*d));
    *d = (struct dns_run){
        .s = s, .ctl = sp[0], .pidfd = pidfd, .pid = pid, .names = dns_names_new()};
    snprintf(d->id, sizeof(d->id), "%s", id);
    sp[0] = -1;
    fcntl(d->ctl, F_SETFL, O_NONBLOCK);
    *out = d;
    ret = 0;
out:
    for (int i = 0; i < 3; i++)
        if (c.fds[i] >= 0)
            close(c.fds[i]);
    if (sp[0] >= 0)
        close(sp[0]);
    close(c.exe);
    strv_free(c.argv);
    strv_free(c.envp);
    return ret;
}

int dns_run_fd(const struct dns_run *d)
{
    return d ? d->ctl : -1;
}

void dns_run_serve(struct dns_run *d)
{
    for (int i = 0; d && d->ctl >= 0 && i < 16; i++) {
        uint8_t b[DNS_CTL_REQ_MAX + 1], rep[DNS_CTL_REP_MAX];
        char name[DNS_CTL_REQ_MAX];
        uint32_t tag, addrs[DNS_CTL_MAX];
        ssize_t n = recv(d->ctl, b, sizeof(b), MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) { /* the resolver is gone */
            close_fd(&d->ctl);
            return;
        }
        if (dns_ctl_req_parse(b, (size_t)n, &tag, name) < 0)
            continue; /* not a question: no answer */
        size_t c = dns_names_lookup(d->names, d->s, d->id, name, addrs, DNS_CTL_MAX);
        size_t l = dns_ctl_rep(tag, addrs, c, rep);
        (void)send(d->ctl, rep, l, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
}

void dns_run_stop(struct dns_run *d)
{
    if (!d)
        return;
    syscall(SYS_pidfd_send_signal, d->pidfd, SIGKILL, NULL, 0);
    siginfo_t si;
    /* ECHILD: the monitor's loop reaped it already */
    while (waitid(P_PIDFD, (id_t)d->pidfd, &si, WEXITED) < 0 && errno == EINTR)
        ;
    close(d->pidfd);
    close_fd(&d->ctl);
    dns_names_free(d->names);
    free(d);
}
