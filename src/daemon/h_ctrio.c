/* h_ctrio.c: the container verbs that stream or wait: wait, logs,
 * resize. (attach: h_attach.c) */
#include "api.h"
#include "../util/fs.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct die {
    int64_t code;
    bool found;
};

static int die_seen(json_t *ev, void *ctx)
{
    struct die *d = ctx;
    const char *code = json_string_value(
        json_object_get(json_object_get(json_object_get(ev, "Actor"), "Attributes"), "exitCode"));
    if (code) {
        d->code = strtoll(code, NULL, 10);
        d->found = true;
    }
    return 0;
}

/* the exit code of id's last run that ended after since (ns): its record,
 * or, once it is removed (--rm), its "die" event */
static int64_t exit_code(struct store *s, const char *id, int64_t since)
{
    struct ctr_rec c;
    merr_t err = MERR_INIT;
    if (ctr_rec_load(s, id, true, &c, &err) == 0) {
        int64_t code = c.state.exit_code;
        ctr_rec_free(&c);
        return code;
    }
    err_clear(&err);
    json_t *f = json_object();
    cleanup_free char *kv = xasprintf("container=%s", id);
    events_filter_add(f, kv, &err);
    events_filter_add(f, "event=die", &err);
    err_clear(&err);
    struct events_query q = {
        .since = since, .has_since = true, .until = timearg_now(), .has_until = true, .filters = f};
    struct die d = {0};
    events_read(s, &q, die_seen, &d, &err);
    err_clear(&err);
    json_decref(f);
    return d.found ? d.code : -1;
}

static bool gone(struct store *s, const char *id)
{
    char full[65];
    merr_t err = MERR_INIT;
    if (ctr_find(s, id, full, &err) == 0)
        return false;
    err_clear(&err);
    return true;
}

int h_ctr_wait(struct api_ctx *x)
{
    const char *cond = api_q(x, "condition");
    if (!cond || !*cond)
        cond = "not-running";
    if (strcmp(cond, "not-running") && strcmp(cond, "next-exit") && strcmp(cond, "removed"))
        return api_error(x, 400,
                         "query parameter condition: \"%s\" is not one of not-running, "
                         "next-exit, removed",
                         cond);
    char id[65];
    struct ctr_rec c;
    if (api_ctr_load(x, x->param, id, true, &c) < 0)
        return 0;
    merr_t err = MERR_INIT;
    bool running = c.state.running;
    cleanup_free char *started = xstrdup(c.state.started_at ?: "");
    ctr_rec_free(&c);
    int64_t t0 = timearg_now() - 1000000000LL;
    /* the header now: the client starts the container once it has it */
    api_head(x, 200, "application/json", -1);
    if (strcmp(cond, "not-running") || running) {
        /* next-exit, removed: a run that has not begun yet is waited for */
        while (!running && !gone(x->s, id)) {
            if (ctr_rec_load(x->s, id, true, &c, &err) < 0)
                break;
            running = c.state.running || strcmp(c.state.started_at ?: "", started);
            ctr_rec_free(&c);
            if (!running)
                poll(NULL, 0, 10);
        }
        err_clear(&err);
        ctr_wait_monitor(x->s, id, -1);
    }
    if (!strcmp(cond, "removed"))
        while (!gone(x->s, id))
            poll(NULL, 0, 10);
    cleanup_free char *out =
        xasprintf("{\"StatusCode\":%lld,\"Error\":null}\n", (long long)exit_code(x->s, id, t0));
    write_all(x->chan, out, strlen(out));
    return 0;
}

struct logs_out {
    int fd;
    bool tty, stdout_, stderr_, timestamps;
};

static int log_frame(const struct log_rec *r, void *ctx)
{
    struct logs_out *o = ctx;
    if ((r->stream == 1 && !o->stdout_) || (r->stream == 2 && !o->stderr_))
        return 0;
    char ts[64] = "";
    if (o->timestamps) {
        time_t sec = (time_t)(r->ns / 1000000000);
        struct tm tm;
        gmtime_r(&sec, &tm);
        size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(ts + n, sizeof(ts) - n, ".%09lldZ ", (long long)(r->ns % 1000000000));
    }
    size_t tl = strlen(ts);
    if (!o->tty) {
        uint32_t len = htonl((uint32_t)(r->len + tl));
        unsigned char h[8] = {(unsigned char)r->stream, 0, 0, 0};
        memcpy(h + 4, &len, 4);
        if (write_all(o->fd, h, 8) < 0)
            return -1;
    }
    if (tl && write_all(o->fd, ts, tl) < 0)
        return -1;
    return write_all(o->fd, r->data, r->len) < 0 ? -1 : 0;
}

static int time_q(struct api_ctx *x, const char *key, int64_t *ns)
{
    const char *s = api_q(x, key);
    *ns = 0;
    if (!s || !*s || !strcmp(s, "0"))
        return 0;
    if (timearg_parse(s, timearg_now(), ns) < 0) {
        api_error(x, 400, "query parameter %s: \"%s\" is not a time", key, s);
        return -1;
    }
    return 0;
}

int api_logs_to(struct store *s, const char *id, int fd, bool tty, bool out, bool err)
{
    struct logs_out o = {.fd = fd, .tty = tty, .stdout_ = out, .stderr_ = err};
    struct ctr_logs_opts lo = {.tail = -1};
    merr_t e = MERR_INIT;
    int r = ctr_logs(s, id, &lo, log_frame, &o, &e);
    err_clear(&e);
    return r;
}

int h_ctr_logs(struct api_ctx *x)
{
    struct logs_out o = {.fd = x->chan};
    struct ctr_logs_opts lo = {.tail = -1};
    if (api_q_bool(x, "stdout", &o.stdout_) < 0 || api_q_bool(x, "stderr", &o.stderr_) < 0 ||
        api_q_bool(x, "timestamps", &o.timestamps) < 0 || api_q_bool(x, "follow", &lo.follow) < 0 ||
        time_q(x, "since", &lo.since) < 0 || time_q(x, "until", &lo.until) < 0)
        return 0;
    const char *tail = api_q(x, "tail");
    if (tail && *tail && strcmp(tail, "all") && api_q_int(x, "tail", &lo.tail) < 0)
        return 0;
    if (!o.stdout_ && !o.stderr_)
        return api_error(x, 400, "you must choose at least one stream");
    char id[65];
    struct ctr_rec c;
    if (api_ctr_load(x, x->param, id, false, &c) < 0)
        return 0;
    merr_t err = MERR_INIT;
    o.tty = c.config.tty;
    ctr_rec_free(&c);
    api_head(x, 200,
             o.tty ? "application/vnd.docker.raw-stream"
                   : "application/vnd.docker.multiplexed-stream",
             -1);
    if (ctr_logs(x->s, id, &lo, log_frame, &o, &err) < 0)
        err_clear(&err); /* the header is out: the stream just ends */
    return 0;
}

int h_ctr_resize(struct api_ctx *x)
{
    int64_t h = 0, w = 0;
    if (api_q_int(x, "h", &h) < 0 || api_q_int(x, "w", &w) < 0)
        return 0;
    if (h < 0 || w < 0 || h > 65535 || w > 65535)
        return api_error(x, 400, "query parameters h and w: 0 to 65535");
    char id[65];
    if (api_ctr(x, x->param, id) < 0)
        return 0;
    merr_t err = MERR_INIT;
    if (ctr_resize(x->s, id, (unsigned)h, (unsigned)w, &err) < 0)
        return api_merr(x, &err);
    return api_json(x, 200, NULL);
}
