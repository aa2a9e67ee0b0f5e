/* vm_exec.c: `exec` into a container that runs in a VM (see vm_exec.h). */
#include "vm_exec.h"
#include "vm_config.h"
#include "../../kernel/mount.h"
#include "../../util/fs.h"
#include "../../util/unixsock.h"
#include "../../util/util.h"
#include "../../vm/proto.h"
#include "../../vm/vmexec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define RUN_DIR "/run/moat-vm" /* in the sandbox (vm_config.c) */

/* the container's own process (the guest's), from the sandbox's config */
static json_t *guest_process(const char *config, size_t len, merr_t *err)
{
    json_t *c = json_loadb(config, len, 0, NULL), *e, *proc = NULL;
    size_t i;
    const size_t kl = strlen(VM_SPEC_ENV);
    json_array_foreach(json_object_get(json_object_get(c, "process"), "env"), i, e)
    {
        const char *s = json_string_value(e);
        if (s && !strncmp(s, VM_SPEC_ENV, kl) && s[kl] == '=') {
            json_t *spec = json_loads(s + kl + 1, 0, NULL);
            proc = json_deep_copy(json_object_get(json_object_get(spec, "guest"), "process"));
            json_decref(spec);
            break;
        }
    }
    json_decref(c);
    if (!json_is_object(proc)) {
        json_decref(proc);
        err_set(err, EINVAL, "the VM's sandbox has no spec of its process");
        return NULL;
    }
    return proc;
}

/* KEY=VALUE over the same KEY of env */
static void env_put(json_t *env, const char *kv)
{
    size_t kl = strcspn(kv, "="), i;
    json_t *e;
    json_array_foreach(env, i, e)
    {
        const char *s = json_string_value(e);
        if (s && !strncmp(s, kv, kl) && (s[kl] == '=' || !s[kl])) {
            json_array_set_new(env, i, json_string(kv));
            return;
        }
    }
    json_array_append_new(env, json_string(kv));
}

/* "UID[:GID]" (numbers, as the engine resolves them) */
static int set_user(json_t *proc, const char *user, merr_t *err)
{
    cleanup_free char *u = xstrdup(user);
    char *colon = strchr(u, ':');
    uint64_t uid = 0, gid = 0;
    if (colon)
        *colon = 0;
    if (parse_u64(u, &uid) < 0 || uid > UINT32_MAX ||
        (colon && (parse_u64(colon + 1, &gid) < 0 || gid > UINT32_MAX)))
        return err_set(err, EINVAL, "exec --user \"%s\": a VM's exec takes UID[:GID]", user);
    json_object_set_new(proc, "user",
                        json_pack("{s:I,s:I}", "uid", (json_int_t)uid, "gid", (json_int_t)gid));
    return 0;
}

static json_t *exec_process(const struct exec_opts *o, const char *config, size_t len, merr_t *err)
{
    if (o->process_file) {
        cleanup_free char *text = NULL;
        size_t n = 0;
        if (read_file_at(AT_FDCWD, o->process_file, &text, &n, err) < 0)
            return NULL;
        json_t *p = json_loadb(text, n, 0, NULL);
        if (!json_is_object(p)) {
            json_decref(p);
            err_set(err, EINVAL, "--process %s: not a JSON object", o->process_file);
            return NULL;
        }
        return p;
    }
    json_t *p = guest_process(config, len, err);
    if (!p)
        return NULL;
    json_t *args = json_array();
    for (char **a = o->args; a && *a; a++)
        json_array_append_new(args, json_string(*a));
    json_object_set_new(p, "args", args);
    json_t *env = json_object_get(p, "env");
    if (!json_is_array(env))
        json_object_set_new(p, "env", env = json_array());
    for (char **e = o->env; e && *e; e++)
        env_put(env, *e);
    if (o->cwd)
        json_object_set_new(p, "cwd", json_string(o->cwd));
    json_object_set_new(p, "terminal", json_boolean(o->tty));
    if (o->user && set_user(p, o->user, err) < 0) {
        json_decref(p);
        return NULL;
    }
    return p;
}

/* the supervisor's exec socket, found inside the sandbox's root (never
 * through a link that leads out of it) */
static int connect_exec(pid_t pid, const char *process, const int *fds, size_t nfds, merr_t *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
    cleanup_close int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int run = root < 0 ? -1 : mnt_openat_in_root(root, RUN_DIR, O_PATH | O_DIRECTORY);
    /* the socket itself, not a link the sandbox put in its place */
    cleanup_close int so = run < 0 ? -1 : mnt_openat_beneath_plain(run, "exec.sock", O_PATH);
    struct stat st;
    if (so < 0 || fstat(so, &st) < 0 || !S_ISSOCK(st.st_mode))
        return err_sys(err, "the VM's supervisor (%s/exec.sock in its sandbox)", RUN_DIR);
    char at[64];
    snprintf(at, sizeof(at), "/proc/self/fd/%d", so);
    int s = vmexec_start(at, process, fds, nfds, err);
    /* and bound by the supervisor (the sandbox's init), no other process */
    struct ucred cr;
    socklen_t len = sizeof(cr);
    if (s >= 0 && (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.pid != pid)) {
        close(s);
        return err_set(err, EPERM, "exec: the socket in the VM's sandbox is not its supervisor's");
    }
    return s;
}

struct relay {
    int from, to;
};

/* one chunk; false once the source ended (the sink is then closed) */
static bool pump(struct relay *r)
{
    char buf[16384];
    ssize_t n = read(r->from, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n > 0 && write_all(r->to, buf, (size_t)n) == 0)
        return true;
    return false;
}

/* fd closed, and no relay names it any more */
static void forget(struct relay *r, size_t n, int fd)
{
    if (fd < 0)
        return;
    close(fd);
    for (size_t j = 0; j < n; j++) {
        r[j].from = r[j].from == fd ? -1 : r[j].from;
        r[j].to = r[j].to == fd ? -1 : r[j].to;
    }
}

/* the terminal's size to the process' when it changed (*last) */
static void follow_size(int sock, int term, struct winsize *last)
{
    struct winsize ws;
    merr_t e = MERR_INIT;
    if (ioctl(term, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col &&
        (ws.ws_row != last->ws_row || ws.ws_col != last->ws_col)) {
        *last = ws;
        vmexec_resize(sock, ws.ws_row, ws.ws_col, &e);
    }
    err_clear(&e);
}

/* Relay r[0..n) until the reply; signals we get go to the process. term:
 * our side of its terminal (-1 none; 0 ours, made raw, its size followed
 * on SIGWINCH; a pty of --console-socket's, whose size is looked at
 * every POLL_SIZE_MS: the peer resizes the master, and no SIGWINCH comes
 * to a process without it as its terminal) */
#define POLL_SIZE_MS 250
static int wait_relaying(int sock, struct relay *r, size_t n, int term, int *status, merr_t *err)
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    int sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
    struct termios saved;
    struct winsize last = {0};
    bool raw = term == 0 && tcgetattr(0, &saved) == 0; /* ours raw: the guest's pty echoes */
    if (raw) {
        struct termios t = saved;
        cfmakeraw(&t);
        tcsetattr(0, TCSANOW, &t);
    }
    if (term >= 0)
        follow_size(sock, term, &last);
    int ret = -1;
    for (;;) {
        struct pollfd p[5] = {{sock, POLLIN, 0}, {sfd, POLLIN, 0}};
        for (size_t i = 0; i < n; i++)
            p[i + 2] = (struct pollfd){r[i].from, POLLIN, 0};
        if (poll(p, (nfds_t)n + 2, term > 0 ? POLL_SIZE_MS : -1) < 0 && errno != EINTR)
            break;
        if (term > 0)
            follow_size(sock, term, &last);
        for (size_t i = 0; i < n; i++)
            if (r[i].from >= 0 && p[i + 2].revents && !pump(&r[i])) {
                /* our stdin ended: the process' too (a socket's half, a
                 * pipe); our reader of its output gone: the supervisor
                 * sees this end closed (and the process gets EPIPE) */
                if (r[i].from == 0 && shutdown(r[i].to, SHUT_WR) < 0)
                    forget(r, n, r[i].to);
                else if (r[i].from > 2)
                    forget(r, n, r[i].from);
                r[i].from = -1;
            }
        struct signalfd_siginfo si;
        merr_t e = MERR_INIT;
        while (sfd >= 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
            if (si.ssi_signo == SIGWINCH && term == 0)
                follow_size(sock, 0, &last);
            else if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGPIPE && si.ssi_signo != SIGWINCH)
                vmexec_signal(sock, (int)si.ssi_signo, &e);
            err_clear(&e);
        }
        if (p[0].revents) {
            char *msg = NULL;
            ret = vmexec_wait(sock, status, &msg, err);
            if (ret == 0 && msg) { /* the guest's words: no terminal control in them */
                struct sbuf b = {0};
                vmp_text_clean(&b, (const uint8_t *)msg, strlen(msg), 1024);
                fprintf(stderr, "moat: exec: %s\n", b.buf ? b.buf : "");
                free(b.buf);
            }
            free(msg);
            break;
        }
    }
    /* what the process wrote before it ended (what is there now) */
    for (size_t i = 0; i < n; i++) {
        if (r[i].from <= 0 || r[i].from == term)
            continue;
        fcntl(r[i].from, F_SETFL, fcntl(r[i].from, F_GETFL) | O_NONBLOCK);
        char buf[16384];
        ssize_t got;
        while ((got = read(r[i].from, buf, sizeof(buf))) > 0 &&
               write_all(r[i].to, buf, (size_t)got) == 0)
            ;
    }
    if (sfd >= 0)
        close(sfd);
    if (raw)
        tcsetattr(0, TCSANOW, &saved);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return ret;
}

/* our ends of the relays (not our own 0, 1 and 2), each once */
static void close_relays(struct relay *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].from > 2)
            forget(r, n, r[i].from);
        if (r[i].to > 2)
            forget(r, n, r[i].to);
    }
}

/* the process' stdio: ours as they are (runc's exec), or pipes (or one
 * socket for a terminal) that we relay, so that the sandbox never holds
 * the caller's own. term: our side of the terminal (see wait_relaying). */
static size_t make_stdio(const struct exec_opts *o, int term, int fds[3], struct relay r[3],
                         int mine[3])
{
    mine[0] = mine[1] = mine[2] = -1;
    /* a terminal is always relayed: never the caller's own in the sandbox */
    if ((!o->relay_stdio && term < 0) || (o->detach && term <= 0)) {
        /* detached, the engine's exec writes nowhere (Docker's exec -d);
         * runc's passes its caller's (a shim's pipes) as they are */
        bool null_io = o->detach && o->relay_stdio;
        int null = null_io ? open("/dev/null", O_RDWR | O_CLOEXEC) : -1;
        for (int i = 0; i < 3; i++)
            fds[i] = null_io ? null : i;
        mine[0] = null;
        return 0;
    }
    if (term >= 0) {
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
            return (size_t)-1;
        fds[0] = sp[1];
        mine[0] = sp[1];
        r[0] = (struct relay){sp[0], term > 0 ? term : 1};
        r[1] = (struct relay){term > 0 ? term : o->stdin_open || !o->relay_stdio ? 0 : -1, sp[0]};
        return 2;
    }
    int p[3][2];
    for (int i = 0; i < 3; i++)
        if (pipe2(p[i], O_CLOEXEC) < 0) {
            while (i-- > 0) {
                close(p[i][0]);
                close(p[i][1]);
            }
            return (size_t)-1;
        }
    fds[0] = p[0][0];
    fds[1] = p[1][1];
    fds[2] = p[2][1];
    mine[0] = p[0][0];
    mine[1] = p[1][1];
    mine[2] = p[2][1];
    r[0] = (struct relay){p[1][0], 1};
    r[1] = (struct relay){p[2][0], 2};
    r[2] = (struct relay){-1, -1};
    if (o->stdin_open)
        r[2] = (struct relay){0, p[0][1]};
    else
        close(p[0][1]); /* the process reads an end at once */
    return 3;
}

/* --console-socket: a pty of ours, its master sent there (as runc sends
 * the container's); the slave, raw (the guest's pty echoes and edits), is
 * relayed to the guest's. -1 and err, else the slave. */
static int console_pty(const char *path, merr_t *err)
{
    cleanup_close int sock = unix_connect(path, "--console-socket", err);
    if (sock < 0)
        return -1;
    cleanup_close int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0 || unlockpt(m) < 0)
        return err_sys(err, "exec: a terminal for --console-socket");
    int slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios t;
    if (slave < 0 || tcgetattr(slave, &t) < 0) {
        if (slave >= 0)
            close(slave);
        return err_sys(err, "exec: a terminal for --console-socket");
    }
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    if (unix_send_fd(sock, m, "/dev/ptmx", err) < 0) {
        close(slave);
        return err_wrap(err, "--console-socket");
    }
    return slave;
}

/* Only these fds, as 3, 4, ... (in order; fds[i] updated); the rest are
 * closed, stdio on /dev/null: a detached exec's holder keeps none of its
 * caller's (a shim waits for the end of its pipes). */
static void keep_only(int *fds, size_t n)
{
    int null = open("/dev/null", O_RDWR);
    for (int i = 0; i < 3; i++)
        if (null < 0 || dup2(null, i) < 0)
            close(i);
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 64);
    for (size_t i = 0; i < n; i++) {
        if (fds[i] >= 0 && dup2(fds[i], 3 + (int)i) == 3 + (int)i)
            fds[i] = 3 + (int)i;
        else
            close(3 + (int)i);
    }
    syscall(SYS_close_range, 3 + (unsigned)n, ~0U, 0);
}

int vm_exec(const struct exec_opts *o, pid_t pid, const char *config, size_t len, int lockfd,
            int *status, merr_t *err)
{
    json_t *p = exec_process(o, config, len, err);
    if (!p)
        return -1;
    /* --tty, or the terminal of --process (as containerd passes it) */
    bool tty = o->tty || json_is_true(json_object_get(p, "terminal"));
    json_object_set_new(p, "terminal", json_boolean(tty));
    cleanup_free char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    /* as for any container: runc's exec never gives its caller's own
     * terminal to a process that outlives it (the engine's exec -dt
     * writes to nothing) */
    if (tty && o->detach && !o->console_socket && !o->relay_stdio)
        return err_set(err, EINVAL, "exec --tty --detach needs --console-socket");
    int term = tty ? 0 : -1;
    if (tty && o->console_socket && (term = console_pty(o->console_socket, err)) < 0)
        return -1;
    int fds[3], mine[3];
    struct relay r[3];
    size_t n = make_stdio(o, term, fds, r, mine);
    if (n == (size_t)-1) {
        if (term > 0)
            close(term);
        return err_sys(err, "exec: pipes");
    }
    size_t nfds = term > 0 || (tty && !o->detach) ? 1 : 3;
    int sock = connect_exec(pid, text, fds, nfds, err);
    /* the process' ends are the supervisor's now */
    for (int i = 0; i < 3; i++)
        if (mine[i] >= 0)
            close(mine[i]);
    if (sock < 0) {
        close_relays(r, n); /* and term, relayed */
        return -1;
    }
    flock(lockfd, LOCK_UN);
    if (o->detach) {
        /* the supervisor kills an exec whose client goes: a process of
         * ours holds the socket (and relays a terminal) until the process
         * ends, forwards the signals it gets, and exits with its status:
         * the pid of --pid-file, for a shim to wait for and signal */
        pid_t holder = fork();
        if (holder == 0) {
            setsid();
            int keep[3] = {sock, n ? r[0].from : -1, term};
            keep_only(keep, 3);
            if (n) /* the socketpair's end and the pty */
                r[0] = (struct relay){keep[1], keep[2]}, r[1] = (struct relay){keep[2], keep[1]};
            int st = 255;
            merr_t e = MERR_INIT;
            wait_relaying(keep[0], r, n, term > 0 ? keep[2] : -1, &st, &e);
            _exit(st & 0xff);
        }
        close(sock);
        close_relays(r, n);
        *status = 0;
        if (holder < 0)
            return err_sys(err, "exec: fork");
        if (o->pid_file && write_pid_file(o->pid_file, holder, err) < 0) {
            /* nobody would wait for it: the supervisor ends a process
             * whose client goes */
            kill(holder, SIGKILL);
            waitpid(holder, NULL, 0);
            return -1;
        }
        return 0;
    }
    if (o->pid_file && write_pid_file(o->pid_file, getpid(), err) < 0) {
        close(sock);
        close_relays(r, n);
        return -1;
    }
    int r2 = wait_relaying(sock, r, n, term, status, err);
    close(sock);
    close_relays(r, n);
    return r2;
}
