/* worker.c: one request (see worker.h). */
#include "worker.h"
#include "api.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_MAX (4 * 1024 * 1024) /* the front caps a body at 1 MiB */

static const struct {
    const char *op;
    api_handler fn;
} ops[] = {
    {"system.version", h_version},
    {"system.info", h_info},
    {"system.df", h_df},
    {"container.list", h_ctr_list},
    {"container.create", h_ctr_create},
    {"container.inspect", h_ctr_inspect},
    {"container.start", h_ctr_start},
    {"container.stop", h_ctr_stop},
    {"container.restart", h_ctr_restart},
    {"container.kill", h_ctr_kill},
    {"container.delete", h_ctr_delete},
    {"container.wait", h_ctr_wait},
    {"container.attach", h_ctr_attach},
    {"container.logs", h_ctr_logs},
    {"container.resize", h_ctr_resize},
    {"container.top", h_ctr_top},
    {"container.changes", h_ctr_changes},
    {"container.stats", h_ctr_stats},
    {"container.pause", h_ctr_pause},
    {"container.unpause", h_ctr_unpause},
    {"container.rename", h_ctr_rename},
    {"container.update", h_ctr_update},
    {"container.prune", h_ctr_prune},
    {"container.exec", h_ctr_exec},
    {"exec.start", h_exec_start},
    {"exec.inspect", h_exec_inspect},
    {"exec.resize", h_exec_resize},
    {"container.archive.head", h_ctr_archive},
    {"container.archive.get", h_ctr_archive},
    {"container.archive.put", h_ctr_archive},
    {"image.list", h_img_list},
    {"image.load", h_img_load},
    {"image.get", h_img_get},
    {"image.inspect", h_img_inspect},
    {"image.tag", h_img_tag},
    {"image.delete", h_img_delete},
    {"image.create", h_img_create},
    {"network.list", h_net_list},
    {"network.inspect", h_net_inspect},
    {"network.create", h_net_create},
    {"network.connect", h_net_connect},
    {"network.disconnect", h_net_disconnect},
    {"network.delete", h_net_delete},
    {"network.prune", h_net_prune},
    {"volume.list", h_vol_list},
    {"volume.inspect", h_vol_inspect},
    {"volume.create", h_vol_create},
    {"volume.delete", h_vol_delete},
    {"volume.prune", h_vol_prune},
    {"system.events", h_events},
};

/* the request line, and nothing past it (a raw body follows) */
static json_t *read_request(int chan)
{
    struct sbuf b = {0};
    char buf[16384];
    for (;;) {
        ssize_t n = recv(chan, buf, sizeof(buf), MSG_PEEK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || b.len + (size_t)n > REQUEST_MAX) {
            free(b.buf);
            return NULL;
        }
        char *nl = memchr(buf, '\n', (size_t)n);
        size_t take = nl ? (size_t)(nl - buf) + 1 : (size_t)n;
        if (read(chan, buf, take) != (ssize_t)take) {
            free(b.buf);
            return NULL;
        }
        sbuf_add(&b, buf, take);
        if (nl)
            break;
    }
    json_t *rq = json_loadb(b.buf, b.len, 0, NULL);
    free(b.buf);
    return json_is_object(rq) ? rq : (json_decref(rq), NULL);
}

static int dispatch(struct api_ctx *x)
{
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
        if (!strcmp(ops[i].op, x->op))
            return ops[i].fn(x);
    return api_error(x, 501, "%s is not implemented by moat yet", x->op);
}

int worker_main(const char *root, const struct daemon_cfg *cfg, int chan, int conn)
{
    json_t *rq = read_request(chan);
    struct api_ctx x = {.chan = chan};
    merr_t err = MERR_INIT;
    int r = caller_of(conn, rq ? json_string_value(json_object_get(rq, "cn")) : NULL, cfg, &x.who,
                      &err);
    close(conn);
    if (!rq) {
        api_error(&x, 400, "malformed request");
        return 1;
    }
    if (r < 0) {
        api_error(&x, 403, "permission denied: %s", err.msg);
        err_clear(&err);
        json_decref(rq);
        return 1;
    }
    x.op = json_string_value(json_object_get(rq, "op"));
    json_t *path = json_object_get(rq, "path");
    x.param = json_string_value(json_object_get(path, "id"));
    if (!x.param)
        x.param = json_string_value(json_object_get(path, "name"));
    x.query = json_object_get(rq, "query");
    x.body = json_object_get(rq, "body");
    x.api = json_string_value(json_object_get(rq, "api"));
    x.upgrade = json_is_true(json_object_get(rq, "upgrade"));
    x.raw = json_is_true(json_object_get(rq, "raw"));
    if (!x.op || !json_is_object(x.query) || !x.api) {
        api_error(&x, 400, "malformed request");
        json_decref(rq);
        return 1;
    }
    if (json_is_null(x.body))
        x.body = NULL;
    struct store s;
    if (store_open(&s, root, &err) < 0) {
        api_merr(&x, &err);
        json_decref(rq);
        return 1;
    }
    /* what a restricted caller makes is its own (volumes, networks) */
    s.owner = x.who.admin ? NULL : x.who.owner;
    x.s = &s;
    dispatch(&x);
    api_body_drain(&x); /* what the handler did not read: else the front's
                           read of the answer could end in ECONNRESET */
    store_close(&s);
    json_decref(rq);
    return 0;
}
