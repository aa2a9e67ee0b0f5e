/* h_attach.c: POST /containers/{id}/attach. The attach is begun (so a
 * start that follows finds it), the client told 101, and its upgraded
 * connection, which moat-api sends back on the channel, handed to the
 * container's monitor: it relays the streams, nothing here copies them
 * (logs=1: the log so far is written first, from the log file). */
#include "api.h"
#include "../util/util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int h_ctr_attach(struct api_ctx *x)
{
    struct attach_fd_opts o = {0};
    bool stream = false, logs = false;
    if (api_q_bool(x, "stream", &stream) < 0 || api_q_bool(x, "logs", &logs) < 0 ||
        api_q_bool(x, "stdin", &o.in) < 0 || api_q_bool(x, "stdout", &o.out) < 0 ||
        api_q_bool(x, "stderr", &o.err) < 0)
        return 0;
    if (!stream && !logs)
        return api_error(x, 400, "attach needs stream=1 or logs=1");
    if (!x->upgrade)
        return api_error(x, 400, "attach needs the headers Connection: Upgrade and Upgrade: tcp");
    char id[65];
    struct ctr_rec c;
    if (api_ctr_load(x, x->param, id, false, &c) < 0)
        return 0;
    merr_t err = MERR_INIT;
    bool tty = c.config.tty;
    ctr_rec_free(&c);
    struct attach_fd_wait *w = NULL;
    if (stream && ctr_attach_fd_begin(x->s, id, &w, &err) < 0) {
        int st = err.errnum == ENOENT ? 404 : err.errnum == ESRCH ? 409 : 500;
        api_error(x, st, "%s", err.msg);
        err_clear(&err);
        return 0;
    }
    api_head(
        x, 101,
        tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream", 0);
    int fd = api_upgraded_fd(x);
    if (fd < 0) {
        if (w)
            ctr_attach_fd_cancel(w);
        return 0;
    }
    /* logs=1: what it wrote so far first (what it writes between the
     * two may be missed, as with Docker's) */
    if (logs && (o.out || o.err))
        api_logs_to(x->s, id, fd, tty, o.out, o.err);
    if (!w) {
        close(fd);
        return 0;
    }
    if (ctr_attach_fd_end(w, fd, &o, &err) < 0)
        err_clear(&err); /* the stream is open: it just ends */
    close(fd);
    return 0;
}
