/* vmexec.c: the client of a supervisor's exec_socket (see vmexec.h). */
#include "vmexec.h"

#include "../util/jpath.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* the largest message either side sends */
#define MSG_MAX (128u << 10)

int vmexec_start(const char *path, const char *process_json, const int *fds, size_t nfds,
                 merr_t *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return err_set(err, ENAMETOOLONG, "exec socket \"%s\": path too long", path);
    if (nfds != 1 && nfds != 3)
        return err_set(err, EINVAL, "exec: 1 or 3 fds, not %zu", nfds);
    strcpy(sa.sun_path, path);
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (s < 0)
        return err_sys(err, "exec socket: socket");
    if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        err_sys(err, "exec socket \"%s\": connect", path);
        close(s);
        return -1;
    }
    char *req = xasprintf("{\"process\":%s}", process_json);
    int r = strlen(req) > MSG_MAX
                ? err_set(err, EMSGSIZE, "exec: the process is too large (%zu bytes)", strlen(req))
                : unix_send_fds(s, fds, nfds, req, strlen(req), err);
    free(req);
    if (r < 0) {
        close(s);
        return -1;
    }
    return s;
}

static int send_text(int sock, const char *t, merr_t *err)
{
    if (send(sock, t, strlen(t), MSG_NOSIGNAL) < 0)
        return err_sys(err, "exec socket: send");
    return 0;
}

int vmexec_signal(int sock, int signo, merr_t *err)
{
    char t[32];
    snprintf(t, sizeof(t), "{\"signal\":%d}", signo);
    return send_text(sock, t, err);
}

int vmexec_resize(int sock, unsigned rows, unsigned cols, merr_t *err)
{
    char t[48];
    snprintf(t, sizeof(t), "{\"resize\":[%u,%u]}", rows, cols);
    return send_text(sock, t, err);
}

int vmexec_wait(int sock, int *status, char **error, merr_t *err)
{
    char *buf = xmalloc(MSG_MAX);
    ssize_t n;
    do
        n = recv(sock, buf, MSG_MAX, 0);
    while (n < 0 && errno == EINTR);
    *error = NULL;
    if (n <= 0) {
        free(buf);
        return n < 0 ? err_sys(err, "exec socket: receive")
                     : err_set(err, EPIPE, "exec: the VM's supervisor ended without a status");
    }
    struct jctx c = {err, "exec reply"};
    json_t *j = jload(&c, buf, (size_t)n);
    free(buf);
    if (!j)
        return -1;
    int st = 0;
    const char *e = NULL;
    int r = jget_int(&c, NULL, j, "status", &st);
    if (r == 0)
        r = jfail(&c, JP_K(NULL, "status"), "is required");
    if (r > 0 && jget_str(&c, NULL, j, "error", &e) >= 0) {
        *status = st;
        *error = e ? xstrdup(e) : NULL;
        r = 0;
    } else {
        r = -1;
    }
    json_decref(j);
    return r;
}
