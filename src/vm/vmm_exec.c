/* vmm_exec.c: the supervisor's exec_socket: clients, their channels and
 * their fds (the protocol is in vmexec.h). */
#include "vmm_int.h"

#include "../util/fs.h"
#include "../util/jpath.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CLIENTS_MAX 16
#define MSG_MAX (128u << 10)

struct vmm_client {
    int sock;
    int fds[3];    /* stdin, stdout, stderr: the same fd three times for a terminal */
    uint32_t chan; /* 0 until the request is read */
    bool stdin_open;
    char *error;
    struct vmm_sink sink[2]; /* to fds[1] and fds[2] (one sink for a terminal's one fd) */
    bool one_fd;             /* a terminal: fds are one socket, its output all stdout */
    bool held, in_held;
    int status; /* the process's, once EXIT came: replied when its output is out */
};

int vmm_exec_listen(struct vmm *m, merr_t *err)
{
    const char *path = m->s->exec_socket;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path)
        return 0;
    if (strlen(path) >= sizeof(sa.sun_path))
        return err_set(err, ENAMETOOLONG, "exec_socket \"%s\": path too long", path);
    strcpy(sa.sun_path, path);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* of an earlier run */
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0)
        return err_sys(err, "exec_socket: socket");
    mode_t old = umask(0177);
    int r = bind(s, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (r < 0 || listen(s, CLIENTS_MAX) < 0) {
        err_sys(err, "exec_socket \"%s\"", path);
        close(s);
        return -1;
    }
    m->exec_listen = s;
    return 0;
}

static void client_free(struct vmm_client *c)
{
    close_fd(&c->sock);
    if (c->fds[0] >= 0)
        close(c->fds[0]);
    if (c->fds[1] >= 0 && c->fds[1] != c->fds[0])
        close(c->fds[1]);
    if (c->fds[2] >= 0 && c->fds[2] != c->fds[0] && c->fds[2] != c->fds[1])
        close(c->fds[2]);
    vmm_sink_free(&c->sink[0]);
    vmm_sink_free(&c->sink[1]);
    free(c->error);
    free(c);
}

static size_t client_pending(const struct vmm_client *c)
{
    return vmp_out_pending(&c->sink[0].q) + vmp_out_pending(&c->sink[1].q);
}

static void drop(struct vmm *m, size_t i)
{
    client_free(m->clients[i]);
    m->clients[i] = m->clients[--m->nclients];
}

static void reply(struct vmm_client *c, int status, const char *error)
{
    json_t *j = json_pack("{s:i}", "status", status);
    if (error)
        json_object_set_new(j, "error", json_string(error));
    char *t = json_dumps(j, JSON_COMPACT);
    if (t)
        send(c->sock, t, strlen(t), MSG_NOSIGNAL | MSG_DONTWAIT);
    free(t);
    json_decref(j);
}

void vmm_exec_accept(struct vmm *m)
{
    int s = accept4(m->exec_listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (s < 0)
        return;
    if (m->nclients >= CLIENTS_MAX) {
        struct vmm_client c = {.sock = s, .fds = {-1, -1, -1}};
        reply(&c, 125, "too many exec sessions at once");
        close(s);
        return;
    }
    struct vmm_client *c = xzalloc(sizeof(*c));
    *c = (struct vmm_client){.sock = s, .fds = {-1, -1, -1}, .status = -1};
    vmm_sink_init(&c->sink[0], -1);
    vmm_sink_init(&c->sink[1], -1);
    m->clients = xrealloc(m->clients, (m->nclients + 1) * sizeof(*m->clients));
    m->clients[m->nclients++] = c;
}

/* the first message: the process and the fds */
static int request(struct vmm *m, struct vmm_client *c, json_t *j, const int *fds, size_t nfd,
                   merr_t *err)
{
    struct jctx x = {err, "exec request"};
    json_t *p = NULL;
    if (jget_obj(&x, NULL, j, "process", &p) < 0)
        return -1;
    if (!p)
        return jfail(&x, JP_K(NULL, "process"), "is required");
    if (nfd != 1 && nfd != 3)
        return err_set(err, EINVAL, "exec request: 1 or 3 fds, not %zu", nfd);
    char *t = json_dumps(p, JSON_COMPACT);
    size_t len = t ? strlen(t) : 0;
    if (len < 2 || len > VMP_MAX) {
        free(t);
        return err_set(err, EMSGSIZE, "exec request: the process is %zu bytes (at most %u)", len,
                       VMP_MAX);
    }
    c->chan = m->next_chan++;
    vmp_put(&m->out, VMP_EXEC, c->chan, t, len);
    free(t);
    for (int i = 0; i < 3; i++)
        c->fds[i] = fds[nfd == 1 ? 0 : i];
    c->one_fd = nfd == 1;
    vmm_sink_init(&c->sink[0], c->fds[1]);
    vmm_sink_init(&c->sink[1], c->one_fd ? -1 : c->fds[2]);
    c->stdin_open = true;
    return 0;
}

static void control(struct vmm *m, struct vmm_client *c, json_t *j)
{
    json_t *v = json_object_get(j, "signal");
    if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 64) {
        vmp_put_signal(&m->out, c->chan, (int)json_integer_value(v));
        return;
    }
    v = json_object_get(j, "resize");
    if (json_is_array(v) && json_array_size(v) == 2 && json_is_integer(json_array_get(v, 0)) &&
        json_is_integer(json_array_get(v, 1)))
        vmp_put_resize(&m->out, c->chan,
                       (unsigned)json_integer_value(json_array_get(v, 0)) & 0xffff,
                       (unsigned)json_integer_value(json_array_get(v, 1)) & 0xffff);
}

/* a message from the client; false when it is gone (or broke the rules) */
static bool client_msg(struct vmm *m, struct vmm_client *c)
{
    merr_t err = MERR_INIT;
    int fds[UNIX_MAX_FDS];
    size_t nfd = 0;
    char *buf = xmalloc(MSG_MAX);
    ssize_t n = unix_recv_fds(c->sock, fds, UNIX_MAX_FDS, &nfd, buf, MSG_MAX, &err);
    if (n < 0 && (err.errnum == EAGAIN || err.errnum == EINTR)) {
        err_clear(&err);
        free(buf);
        return true; /* nothing yet */
    }
    bool ok = n > 0 && (size_t)n < MSG_MAX;
    json_t *j = NULL;
    if (ok) {
        struct jctx x = {&err, "exec request"};
        j = jload(&x, buf, (size_t)n);
        ok = j && json_is_object(j);
    }
    bool first = c->chan == 0, taken = false;
    if (ok && first)
        ok = taken = request(m, c, j, fds, nfd, &err) == 0;
    else if (ok)
        control(m, c, j);
    /* the request's fds are the client's now; any others are closed */
    for (size_t i = 0; i < nfd && !taken; i++)
        close(fds[i]);
    if (!ok && n > 0 && first)
        reply(c, 125, err.msg ? err.msg : "bad exec request");
    if (j)
        json_decref(j);
    err_clear(&err);
    free(buf);
    return ok;
}

size_t vmm_exec_pollfds(struct vmm *m, struct pollfd *pf, size_t max, bool room)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nclients && n + VMM_CLIENT_FDS <= max; i++) {
        struct vmm_client *c = m->clients[i];
        pf[n++] = (struct pollfd){c->sock, POLLIN, 0};
        pf[n++] = (struct pollfd){c->chan && c->stdin_open && room && !c->in_held ? c->fds[0] : -1,
                                  POLLIN, 0};
        for (int k = 0; k < 2; k++)
            pf[n++] =
                (struct pollfd){vmm_sink_events(&c->sink[k]) ? c->sink[k].fd : -1, POLLOUT, 0};
    }
    return n;
}

static void client_stdin(struct vmm *m, struct vmm_client *c)
{
    uint8_t buf[16384];
    ssize_t n = read(c->fds[0], buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0) {
        vmp_put(&m->out, VMP_STDIN, c->chan, buf, (size_t)n);
        return;
    }
    vmp_put(&m->out, VMP_STDIN_EOF, c->chan, NULL, 0);
    c->stdin_open = false;
}

/* hold or release the client's channel; tell the guest of a reader gone */
static void client_flow(struct vmm *m, struct vmm_client *c)
{
    vmm_flow(m, c->chan, &c->held, client_pending(c));
    vmm_sink_tell(m, c->chan, &c->sink[0], 1);
    if (!c->one_fd)
        vmm_sink_tell(m, c->chan, &c->sink[1], 2);
}

/* the clients whose process has ended and whose output is out: replied */
static void end_drained(struct vmm *m)
{
    for (size_t i = m->nclients; i-- > 0;) {
        struct vmm_client *c = m->clients[i];
        if (c->status >= 0 && !client_pending(c)) {
            reply(c, c->status, c->error);
            drop(m, i);
        }
    }
}

void vmm_exec_events(struct vmm *m, const struct pollfd *pf, size_t n)
{
    /* VMM_CLIENT_FDS entries a client, found by its socket: the guest's
     * frames read in the same round may have ended some (and moved others) */
    for (size_t k = 0; k + VMM_CLIENT_FDS <= n; k += VMM_CLIENT_FDS) {
        if (!pf[k].revents && !pf[k + 1].revents && !pf[k + 2].revents && !pf[k + 3].revents)
            continue;
        size_t i = 0;
        while (i < m->nclients && m->clients[i]->sock != pf[k].fd)
            i++;
        if (i == m->nclients)
            continue;
        struct vmm_client *c = m->clients[i];
        for (int s = 0; s < 2; s++)
            if (pf[k + 2 + s].revents && c->sink[s].fd == pf[k + 2 + s].fd)
                vmm_sink_flush(&c->sink[s]);
        if (c->chan && c->status < 0)
            client_flow(m, c);
        if (pf[k + 1].revents && c->stdin_open && c->fds[0] == pf[k + 1].fd)
            client_stdin(m, c);
        if (pf[k].revents && !client_msg(m, c)) {
            if (c->chan)
                vmp_put_signal(&m->out, c->chan, 9 /* SIGKILL */);
            drop(m, i);
        }
    }
    end_drained(m);
}

int vmm_exec_frame(struct vmm *m, const struct vmp_frame *f)
{
    for (size_t i = 0; i < m->nclients; i++) {
        struct vmm_client *c = m->clients[i];
        if (c->chan != f->chan)
            continue;
        if (f->type == VMP_STDOUT || f->type == VMP_STDERR) {
            struct vmm_sink *s = &c->sink[f->type == VMP_STDERR && !c->one_fd];
            if (c->status >= 0 || vmm_sink_add(s, f->data, f->len) < 0)
                return -1;
            client_flow(m, c);
        } else if (f->type == VMP_INHOLD || f->type == VMP_INRELEASE) {
            c->in_held = f->type == VMP_INHOLD;
        } else if (f->type == VMP_ERROR) {
            struct sbuf b = {0};
            vmp_text_clean(&b, f->data, f->len, 1024);
            free(c->error);
            c->error = sbuf_steal(&b);
        } else if (f->type == VMP_EXIT) {
            c->status = vmp_exit_status(f);
            end_drained(m);
        }
        return 1;
    }
    return 0;
}

void vmm_exec_end_all(struct vmm *m, int status, const char *why)
{
    while (m->nclients) {
        if (m->clients[m->nclients - 1]->chan)
            reply(m->clients[m->nclients - 1], status, why);
        drop(m, m->nclients - 1);
    }
    free(m->clients);
    m->clients = NULL;
    if (m->exec_listen >= 0) {
        close_fd(&m->exec_listen);
        unlink(m->s->exec_socket);
    }
}
