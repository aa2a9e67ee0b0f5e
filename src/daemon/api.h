/* api.h: what the daemon's handlers share: the request being served
 * (decoded by moat-api, src/api/front.h), who asked (caller.h), and the
 * answer written back on the request's channel: a header line
 * {"status","ctype","length","headers"} and the body. */
#ifndef MOAT_DAEMON_API_H
#define MOAT_DAEMON_API_H

#include "caller.h"
#include "../engine/engine.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct api_ctx {
    struct store *s;
    struct caller who;
    const char *op;
    const char *param; /* the path's {id} or {name}, or NULL */
    json_t *query;     /* strings */
    json_t *body;      /* NULL if none */
    const char *api;   /* the client's version, "" for an unversioned path */
    bool upgrade;      /* the client asked for Upgrade: tcp */
    bool raw;          /* a raw body follows on the channel (body.c) */
    bool raw_done;     /* it was read to its end */
    int chan;
};

/* the answers; each returns 0 (the request is over for the worker) */
int api_json(struct api_ctx *x, int status, json_t *body);
int api_error(struct api_ctx *x, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* an engine error: its status guessed from its errno (ENOENT 404, EEXIST
 * and EBUSY 409, EINVAL 400, EPERM and EACCES 403, else 500) */
int api_merr(struct api_ctx *x, merr_t *err);
int api_status(struct api_ctx *x, int status); /* no body (204, 304) */
/* a name taken: for a restricted caller without the id of whom it is */
int api_conflict(struct api_ctx *x, const char *name, merr_t *err);
/* the header of a body that follows (length -1: until the channel closes) */
int api_head(struct api_ctx *x, int status, const char *ctype, int64_t length);

/* after a 101: the client's upgraded connection, which moat-api sends
 * back on the channel; -1 if it does not */
int api_upgraded_fd(struct api_ctx *x);

/* A raw body (a tarball: load, import), whole, in an unnamed file of the
 * store (O_TMPFILE), at offset 0; -1 and err if it did not come whole (the
 * client went away, the front refused it as too large). */
int api_body_spool(struct api_ctx *x, merr_t *err);
/* Read and drop what is left of a raw body. */
void api_body_drain(struct api_ctx *x);

/* query parameters: absent is the default; a malformed one is answered
 * (400) and -1 returned */
const char *api_q(struct api_ctx *x, const char *key);
int api_q_bool(struct api_ctx *x, const char *key, bool *v);
int api_q_int(struct api_ctx *x, const char *key, int64_t *v);
/* Is API version v ("1.41") older than `than`? */
bool api_older(const char *v, const char *than);
/* Docker's filters (?filters=JSON, {"k":["v"]} or {"k":{"v":true}}) as
 * "k=v" strings; NULL if none; -1 answered if malformed */
int api_q_filters(struct api_ctx *x, char ***out);

/* A container the caller may see, by id, prefix or name: its full id; else
 * -1, answered with 404 (another's is as absent as a missing one) */
int api_ctr(struct api_ctx *x, const char *what, char id[65]);
/* ... and its record (refresh: brought in line with its monitor first) */
int api_ctr_load(struct api_ctx *x, const char *what, char id[65], bool refresh, struct ctr_rec *c);
/* the same as api_ctr, unanswered */
int api_ctr_quiet(struct api_ctx *x, const char *what, char id[65]);
/* a record's owner ("uid:N", "cn:NAME"), NULL if an admin or the CLI made it */
const char *api_owner_of(json_t *rec);
bool api_may_see(const struct api_ctx *x, json_t *rec);

/* the handlers, by op (worker.c's table) */
typedef int (*api_handler)(struct api_ctx *x);
int h_version(struct api_ctx *x);
int h_info(struct api_ctx *x);
int h_df(struct api_ctx *x);
int h_ctr_list(struct api_ctx *x);
int h_ctr_create(struct api_ctx *x);
int h_ctr_inspect(struct api_ctx *x);
int h_ctr_start(struct api_ctx *x);
int h_ctr_stop(struct api_ctx *x);
int h_ctr_restart(struct api_ctx *x);
int h_ctr_kill(struct api_ctx *x);
int h_ctr_delete(struct api_ctx *x);
int h_ctr_wait(struct api_ctx *x);
int h_ctr_attach(struct api_ctx *x);
int h_ctr_logs(struct api_ctx *x);
/* container id's whole log to fd as a logs stream shows it (attach logs=1) */
int api_logs_to(struct store *s, const char *id, int fd, bool tty, bool out, bool err);
int h_ctr_resize(struct api_ctx *x);
int h_ctr_top(struct api_ctx *x);
int h_ctr_changes(struct api_ctx *x);
int h_ctr_stats(struct api_ctx *x);
int h_ctr_pause(struct api_ctx *x);
int h_ctr_unpause(struct api_ctx *x);
int h_ctr_rename(struct api_ctx *x);
int h_ctr_update(struct api_ctx *x);
int h_ctr_prune(struct api_ctx *x);
int h_ctr_exec(struct api_ctx *x);
int h_ctr_archive(struct api_ctx *x);
int h_exec_start(struct api_ctx *x);
int h_exec_inspect(struct api_ctx *x);
int h_exec_resize(struct api_ctx *x);
int h_img_list(struct api_ctx *x);
int h_img_load(struct api_ctx *x);
int h_img_import(struct api_ctx *x);
int h_img_get(struct api_ctx *x);
int h_img_inspect(struct api_ctx *x);
int h_img_tag(struct api_ctx *x);
int h_img_delete(struct api_ctx *x);
int h_img_create(struct api_ctx *x);
int h_net_list(struct api_ctx *x);
int h_net_inspect(struct api_ctx *x);
int h_net_create(struct api_ctx *x);
int h_net_connect(struct api_ctx *x);
int h_net_disconnect(struct api_ctx *x);
int h_net_delete(struct api_ctx *x);
int h_net_prune(struct api_ctx *x);
int h_vol_list(struct api_ctx *x);
int h_vol_inspect(struct api_ctx *x);
int h_vol_create(struct api_ctx *x);
int h_vol_delete(struct api_ctx *x);
int h_vol_prune(struct api_ctx *x);
int h_events(struct api_ctx *x);

#endif
