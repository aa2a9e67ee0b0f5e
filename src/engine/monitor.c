/* monitor.c: the per-container monitor and the attach client (see
 * monitor.h). */
#include "monitor.h"
#include "monclient.h"
#include "monframe.h"
#include "restart.h"
#include "events.h"
#include "ctr.h"
#include "ctr_config.h"
#include "ctr_netrun.h"
#include "ctr_rec.h"
#include "health.h"
#include "logfile.h"
#include "volume.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define CHUNK 16384

/* ---- the monitor ---- */

struct mon {
    struct store *s;
    const char *id;
    int dirfd, listenfd;
    struct log_writer log;
    struct mon_clients cs; /* its attach clients */
    int in_w;              /* container stdin (pipe or pty master), -1 */
    int out_r, err_r;      /* container output; err_r -1 with a tty */
    int master;
    int *srcs; /* the sources of binds and volumes, per mount */
    size_t nsrcs;
    struct sbuf partial[2];
    struct health *health;  /* its health check, or NULL */
    struct container *ctr;  /* the runtime's container, once launched */
    int rootfd;             /* the runtime's state root, with ctr */
    struct ctr_rec v;       /* the container's record as loaded (all zero if it was not) */
    struct ctr_netrun *net; /* its networks while it runs (NULL: none of the store's) */
};

/* output of one stream: to every client, and by whole lines to the log
 * (a record per batch; a partial line waits for its end, up to CHUNK) */
static void output(struct mon *m, int stream, const char *buf, size_t n, bool flush)
{
    monc_output(&m->cs, stream, buf, n);
    struct sbuf *p = &m->partial[stream];
    sbuf_add(p, buf, n);
    size_t start = 0;
    const char *nl = p->len ? memrchr(p->buf, '\n', p->len) : NULL;
    if (nl) {
        start = (size_t)(nl - p->buf) + 1;
        logw_write(&m->log, stream + 1, p->buf, start);
    }
    if ((flush || p->len - start > CHUNK) && p->len > start) {
        logw_write(&m->log, stream + 1, p->buf + start, p->len - start);
        start = p->len;
    }
    memmove(p->buf, p->buf + start, p->len - start);
    p->len -= start;
}

static void drain(struct mon *m, int *fd, int stream)
{
    char buf[CHUNK];
    ssize_t n = read(*fd, buf, sizeof(buf));
    if (n > 0) {
        output(m, stream, buf, (size_t)n, false);
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    output(m, stream, "", 0, true);
    if (*fd != m->master)
        close(*fd);
    *fd = -1;
}

static int status_code(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
}

static void set_state(struct mon *m, const char *status, bool running, int pid, int code,
                      const char *error)
{
    merr_t e = MERR_INIT;
    int rl = ctr_record_lock(m->s, m->id);
    json_t *r = ctr_load(m->s, m->id, &e);
    if (!r) {
        close_fd(&rl);
        err_clear(&e);
        return;
    }
    json_t *st = json_object_get(r, "State");
    bool was = json_is_true(json_object_get(st, "Running"));
    cleanup_free char *now = ctr_now();
    json_object_set_new(st, "Status", json_string(status));
    json_object_set_new(st, "Running", json_boolean(running));
    json_object_set_new(st, "Pid", json_integer(pid));
    json_t *ns = json_object_get(r, "NetworkSettings");
    if (json_is_object(ns))
        json_object_set_new(ns, "Ports",
                            running && m->net ? ctr_netrun_ports(m->net) : json_object());
    if (running) {
        json_object_set_new(st, "StartedAt", json_string(now));
        json_object_set_new(st, "ExitCode", json_integer(0));
        json_object_set_new(st, "Error", json_string(""));
    } else {
        json_object_set_new(st, "ExitCode", json_integer(code));
        json_object_set_new(st, "FinishedAt", json_string(now));
        if (error)
            json_object_set_new(st, "Error", json_string(error));
    }
    ctr_save(m->s, m->id, r, &e);
    err_clear(&e);
    close_fd(&rl);
    /* Docker's events: start, and die (with its exit code) once it ran */
    if (running)
        events_container(m->s, m->id, r, "start", NULL);
    else if (was)
        events_container(m->s, m->id, r, "die",
                         json_pack("{s:o}", "exitCode", json_sprintf("%d", code)));
    json_decref(r);
}

/* Mount, configure and create the container; its init is our child. */
static int launch_ctr(struct mon *m, json_t *rec, merr_t *err)
{
    if (ctr_mount_rootfs(m->s, m->id, rec, err) < 0)
        return -1;
    cleanup_free char *rootfs = xasprintf("%s/containers/%s/rootfs", m->s->root, m->id);
    cleanup_close int rfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0)
        return err_sys(err, "open %s", rootfs);
    json_t *cfg = ctr_oci_config(m->s, m->id, rec, rfd, &m->srcs, &m->nsrcs, err);
    if (!cfg)
        return -1;
    if (m->cs.rows && m->cs.cols) /* the pty starts with the client's size */
        json_object_set_new(json_object_get(cfg, "process"), "consoleSize",
                            json_pack("{s:i,s:i}", "height", m->cs.rows, "width", m->cs.cols));
    cleanup_free char *text = json_dumps(cfg, JSON_INDENT(2));
    json_decref(cfg);
    cleanup_free char *bundle = xasprintf("%s/containers/%s/bundle", m->s->root, m->id);
    cleanup_close int bfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0 || atomic_write_at(bfd, "config.json", text, strlen(text), 0600, err) < 0) {
        ctr_mounts_close(m->srcs, m->nsrcs);
        m->srcs = NULL;
        m->nsrcs = 0;
        return bfd < 0 ? err_sys(err, "open %s", bundle) : -1;
    }
    bool tty = m->v.config.tty, in = m->v.config.open_stdin;
    /* the init's stdio: ours while it is created */
    int inp[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
    if (!tty) {
        if ((in && pipe2(inp, O_CLOEXEC) < 0) || pipe2(outp, O_CLOEXEC) < 0 ||
            pipe2(errp, O_CLOEXEC) < 0)
            return err_sys(err, "pipe");
        if ((in && dup2(inp[0], 0) < 0) || dup2(outp[1], 1) < 0 || dup2(errp[1], 2) < 0)
            return err_sys(err, "dup2");
    }
    struct rt_create_opts o = {.id = m->id,
                               .bundle = bundle,
                               .config = text,
                               .config_len = strlen(text),
                               .rootfs = rootfs,
                               .mode = RUN_FOREGROUND,
                               .mount_srcs = m->srcs,
                               .n_mount_srcs = m->nsrcs,
                               .netns_ready = m->net ? ctr_netrun_ready : NULL,
                               .netns_arg = m->net};
    int ret = -1;
    if (rt_new(&o, &m->ctr, err) < 0)
        goto out;
    m->rootfd = ctr_runtime_rootfd(m->s, err);
    if (m->rootfd < 0)
        goto out;
    op_delete(m->rootfd, m->id, true, err); /* what a killed monitor left */
    err_clear(err);
    int cr = rt_create(m->ctr, m->rootfd, err);
    /* the runtime has mounted them (or failed): they are no longer ours */
    ctr_mounts_close(m->srcs, m->nsrcs);
    m->srcs = NULL;
    m->nsrcs = 0;
    if (cr < 0)
        goto out;
    if (tty) {
        m->master = rt_console(m->ctr, err);
        if (m->master < 0)
            goto out;
        m->in_w = m->out_r = m->master;
    } else {
        m->in_w = in ? inp[1] : -1;
        m->out_r = outp[0];
        m->err_r = errp[0];
        inp[1] = outp[0] = errp[0] = -1;
    }
    /* written when it takes bytes (monclient.h): never a wait */
    if (m->in_w >= 0)
        fcntl(m->in_w, F_SETFL, fcntl(m->in_w, F_GETFL) | O_NONBLOCK);
    ret = 0;
out:
    ctr_mounts_close(m->srcs, m->nsrcs);
    m->srcs = NULL;
    m->nsrcs = 0;
    {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        close(null);
    }
    for (int i = 0; i < 2; i++) {
        if (inp[i] >= 0)
            close(inp[i]);
        if (outp[i] >= 0)
            close(outp[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    return ret;
}

/* launch_ctr with its networks: its host ports first (one in use stops it
 * before anything is made), its endpoints when its network namespace
 * exists; undone if it does not start */
static int launch(struct mon *m, json_t *rec, merr_t *err)
{
    if (ctr_netrun_prepare(m->s, m->id, rec, &m->net, err) < 0)
        return -1;
    if (launch_ctr(m, rec, err) < 0) {
        ctr_netrun_finish(m->net);
        m->net = NULL;
        return -1;
    }
    return 0;
}

static void finish(struct mon *m, int code)
{
    merr_t e = MERR_INIT;
    rt_destroy(m->ctr, &e);
    err_clear(&e);
    ctr_netrun_finish(m->net);
    m->net = NULL;
    ctr_umount_rootfs(m->s, m->id);
    set_state(m, "exited", false, 0, code, NULL);
    char b[16];
    snprintf(b, sizeof(b), "%d", code);
    monc_end(&m->cs, b);
}

static void report(int status, const char *msg)
{
    if (status < 0)
        return;
    cleanup_free char *line = xasprintf("%s\n", msg);
    (void)write_all(status, line, strlen(line));
}

static void set_restart_count(struct mon *m, int64_t n)
{
    merr_t e = MERR_INIT;
    cleanup_close_held int rl = ctr_record_lock(m->s, m->id);
    json_t *r = ctr_load(m->s, m->id, &e);
    if (r) {
        json_object_set_new(r, "RestartCount", json_integer((json_int_t)n));
        ctr_save(m->s, m->id, r, &e);
        json_decref(r);
    }
    err_clear(&e);
}

/* wait ms, unless the user stops the container meanwhile: false then */
static bool restart_wait(struct mon *m, unsigned ms)
{
    for (unsigned t = 0; t < ms; t += 50) {
        if (restart_manual(m->s, m->id))
            return false;
        poll(NULL, 0, 50);
    }
    return !restart_manual(m->s, m->id);
}

/* After an exit: start it again if its restart policy says so (after a
 * delay that doubles, unless it had run 10 s), until it runs or the
 * policy gives up. true when it runs again. */
static bool again(struct mon *m, json_t *rec, int code, int64_t *count, int64_t *backoff)
{
    for (;;) {
        if (!restart_wanted(rec, code, *count, restart_manual(m->s, m->id)))
            return false;
        close_fd(&m->rootfd);
        rt_free(m->ctr);
        m->ctr = NULL;
        /* the last run's ends: a pty master is in_w and out_r at once */
        int fds[] = {m->in_w, m->out_r, m->err_r, m->master};
        for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
            bool seen = false;
            for (size_t k = 0; k < i; k++)
                seen = seen || fds[k] == fds[i];
            if (fds[i] >= 0 && !seen)
                close(fds[i]);
        }
        m->in_w = m->master = m->out_r = m->err_r = -1;
        monc_stdin_flush(&m->cs); /* with in_w gone: the last run's stdin goes */
        set_restart_count(m, ++*count);
        set_state(m, "restarting", false, 0, code, NULL);
        if (!restart_wait(m, restart_delay_ms((*backoff)++))) {
            set_state(m, "exited", false, 0, code, NULL);
            return false;
        }
        merr_t err = MERR_INIT;
        if (launch(m, rec, &err) == 0) {
            set_state(m, "running", true, (int)rt_pid(m->ctr), 0, NULL);
            /* stopped while it was being started: it goes at once */
            if (restart_manual(m->s, m->id))
                kill(rt_pid(m->ctr), SIGKILL);
            return true;
        }
        ctr_runtime_delete(m->s, m->id);
        ctr_umount_rootfs(m->s, m->id);
        code = ctr_exec_status(&err) ? ctr_exec_status(&err) : 127;
        set_state(m, "exited", false, 0, code, err.msg);
        err_clear(&err);
    }
}

/* attached: wait for the client (a terminal one first says its size;
 * one that hands over a connection is done at once) */
static void first_client(struct mon *m)
{
    struct pollfd p = {m->listenfd, POLLIN, 0};
    if (poll(&p, 1, 30000) == 1)
        monc_accept(&m->cs, m->listenfd);
    int i = 0;
    while (i < MON_MAX_CLIENTS && (m->cs.c[i].fd < 0 || m->cs.c[i].docker))
        i++;
    struct pollfd q = {i < MON_MAX_CLIENTS ? m->cs.c[i].fd : -1, POLLIN, 0};
    if (m->v.config.tty && q.fd >= 0 && poll(&q, 1, 2000) == 1)
        monc_input(&m->cs, i, q.revents);
}

/* the container did not start: say why (the errno too: it tells a command
 * not found, 127, from one that cannot be run, 126), remove what the
 * runtime made, record it, and go */
static void launch_failed(struct mon *m, merr_t *err, int status)
{
    /* the errno too: it tells a command not found (127) from one that
     * cannot be run (126) */
    cleanup_free char *msg = xasprintf("E%d:%s", err->errnum, err->msg ? err->msg : "cannot start");
    report(status, msg);
    /* whatever the runtime made before the failure (a created
     * container whose terminal never arrived) goes too */
    ctr_runtime_delete(m->s, m->id);
    ctr_umount_rootfs(m->s, m->id);
    int code = ctr_exec_status(err);
    set_state(m, "exited", false, 0, code ? code : 127, err->msg);
    monc_end(&m->cs, "127");
    unlinkat(m->dirfd, "attach.sock", 0);
    if (m->v.host.auto_remove && ctr_remove(m->s, m->id, err) == 0)
        volume_remove_anonymous(m->s, m->v.mounts);
    _exit(1);
}

/* relay output to the log and the clients until the process ends and
 * its output is drained: its exit status */
static int serve(struct mon *m)
{
    pid_t init = rt_pid(m->ctr);
    sigset_t all;
    sigfillset(&all);
    int sfd = signalfd(-1, &all, SFD_CLOEXEC);
    int code = 255;
    bool done = false;
    while (!done || m->out_r >= 0 || m->err_r >= 0) {
        struct pollfd p[7 + MON_MAX_CLIENTS];
        int n = 0;
        p[n++] = (struct pollfd){sfd, POLLIN, 0};
        p[n++] = (struct pollfd){m->listenfd, POLLIN, 0};
        p[n++] = (struct pollfd){m->out_r, POLLIN, 0};
        p[n++] = (struct pollfd){m->err_r, POLLIN, 0};
        monc_poll(&m->cs, p + n);
        n += MON_MAX_CLIENTS;
        p[n++] = (struct pollfd){health_fd(m->health), POLLIN, 0};
        p[n++] = (struct pollfd){ctr_netrun_dns_fd(m->net), POLLIN, 0};
        p[n++] = monc_stdin_poll(&m->cs);
        int r = poll(p, (nfds_t)n, done ? 200 : health_poll_ms(m->health));
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 && done)
            break; /* output drained (a process of the container may hold it) */
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGCHLD) {
                int st;
                pid_t w;
                /* the container's init, or a health check (health.h) */
                while ((w = waitpid(-1, &st, WNOHANG)) > 0)
                    if (w == init) {
                        code = status_code(st);
                        done = true;
                        init = -1;
                        health_stop(m->health);
                    } else {
                        health_reaped(m->health, w, st);
                    }
            }
        }
        if (p[1].revents & POLLIN)
            monc_accept(&m->cs, m->listenfd);
        if (p[2].revents)
            drain(m, &m->out_r, 0);
        if (p[3].revents)
            drain(m, &m->err_r, 1);
        for (int i = 0; i < MON_MAX_CLIENTS; i++)
            if (m->cs.c[i].fd >= 0 && p[4 + i].revents)
                monc_input(&m->cs, i, p[4 + i].revents);
        if (!done)
            health_tick(m->health, p[4 + MON_MAX_CLIENTS].revents != 0);
        if (p[5 + MON_MAX_CLIENTS].revents)
            ctr_netrun_dns_serve(m->net); /* its resolver asks about a name */
        if (p[6 + MON_MAX_CLIENTS].revents)
            monc_stdin_flush(&m->cs);
    }
    if (sfd >= 0)
        close(sfd);
    return code;
}

static void monitor_main(struct store *s, const char *id, bool attach, const struct mon_handover *h,
                         size_t nh, int status)
{
    struct mon m = {.s = s,
                    .id = id,
                    .listenfd = -1,
                    .log = {.fd = -1},
                    .in_w = -1,
                    .out_r = -1,
                    .err_r = -1,
                    .master = -1,
                    .rootfd = -1};
    monc_init(&m.cs, &m.in_w, &m.master);
    /* the connections handed over before the start: served from its
     * first byte */
    for (size_t i = 0; i < nh; i++)
        monc_add(&m.cs, h[i].fd, true, h[i].flags);
    merr_t err = MERR_INIT;
    json_t *rec = NULL;
    m.dirfd = ctr_dirfd(s, id, &err);
    int lock = m.dirfd < 0 ? -1 : ctr_lock_open(s, id, true);
    if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
        report(status, lock < 0 ? "Ecannot lock the container" : "Ethe container is running");
        _exit(1);
    }
    ctr_monitor_record_pid(lock);
    struct sockaddr_un a;
    mon_sock_path(m.dirfd, &a);
    unlink(a.sun_path);
    m.listenfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m.listenfd < 0 || bind(m.listenfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        listen(m.listenfd, MON_MAX_CLIENTS) < 0) {
        report(status, "Ecannot listen on the attach socket");
        _exit(1);
    }
    report(status, "L");
    rec = ctr_load(s, id, &err);
    if (rec)
        ctr_rec_view(rec, &m.v);
    m.cs.tty = m.v.config.tty;
    m.cs.open_stdin = m.v.config.open_stdin;
    m.cs.stdin_once = m.v.config.stdin_once;
    struct log_limits lim;
    log_limits_from_json(m.v.host.log_config, &lim);
    merr_t lerr = MERR_INIT;
    logw_open(m.dirfd, &lim, &m.log, &lerr); /* without a log, the container still runs */
    err_clear(&lerr);
    if (attach)
        first_client(&m);
    sigset_t old;
    run_block_signals(&old);
    if (!rec || launch(&m, rec, &err) < 0)
        launch_failed(&m, &err, status);
    set_state(&m, "running", true, (int)rt_pid(m.ctr), 0, NULL);
    report(status, "OK");
    close(status);
    /* counted from this start, as Docker does; the delay from 100 ms again
     * after a run of 10 s */
    int64_t count = 0, backoff = 0;
    set_restart_count(&m, 0);
    m.health = health_new(s, id, rec);
    for (;;) {
        time_t started = time(NULL);
        health_start(m.health);
        int code = serve(&m);
        output(&m, 0, "", 0, true);
        output(&m, 1, "", 0, true);
        finish(&m, code);
        if (time(NULL) - started >= 10)
            backoff = 0;
        if (!again(&m, rec, code, &count, &backoff))
            break;
    }
    health_free(m.health);
    unlinkat(m.dirfd, "attach.sock", 0);
    if (m.v.host.auto_remove) { /* with its anonymous volumes, as Docker's --rm */
        merr_t e = MERR_INIT;
        if (ctr_remove(s, id, &e) == 0)
            volume_remove_anonymous(s, m.v.mounts);
        err_clear(&e);
    }
    _exit(0);
}

int monitor_spawn(struct store *s, const char *id, bool attach, const struct mon_handover *h,
                  size_t nh, int *status, merr_t *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return err_sys(err, "pipe");
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return err_sys(err, "fork");
    }
    if (pid == 0) {
        close(p[0]);
        setsid();
        if (fork() != 0)
            _exit(0);
        /* the monitor: nothing of the CLI but the store and the pipe */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        close(null);
        close_fd(&s->usefd);  /* running containers do not hold tmp/ */
        store_stage_close(s); /* the CLI's staging area, not ours: let go */
        prctl(PR_SET_NAME, "moat-monitor");
        seal_set_argv(NULL); /* restarting would run the CLI's command again */
        monitor_main(s, id, attach, h, nh, p[1]);
    }
    close(p[1]);
    waitpid(pid, NULL, 0);
    /* "L" first: the socket is there; or "E" and why not */
    char line[1024];
    size_t n = 0;
    while (n + 1 < sizeof(line) && read(p[0], line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = 0;
    if (strcmp(line, "L") != 0) {
        close(p[0]);
        return err_set(err, 0, "container %.12s: %s", id,
                       line[0] == 'E' ? line + 1 : "its monitor died before it started");
    }
    *status = p[0];
    return attach ? 0 : monitor_started(p[0], err);
}

int monitor_started(int status, merr_t *err)
{
    cleanup_free char *text = NULL;
    read_fd(status, &text, NULL);
    close(status);
    if (text && strncmp(text, "OK", 2) == 0)
        return 0;
    size_t l = text ? strlen(text) : 0;
    if (l && text[l - 1] == '\n')
        text[l - 1] = 0;
    if (!text || text[0] != 'E')
        return err_set(err, 0, "the monitor died");
    char *end;
    long e = strtol(text + 1, &end, 10);
    err_set(err, 0, "%s", *end == ':' ? end + 1 : text + 1); /* the text says it already */
    err->errnum = *end == ':' ? (int)e : 0;
    return -1;
}
