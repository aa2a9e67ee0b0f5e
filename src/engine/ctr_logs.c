/* ctr_logs.c: a container's log (see ctr_logs.h). */
#include "ctr_logs.h"
#include "ctr.h"
#include "ctr_rec.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <poll.h>

/* the records of r in o's window to out; with o->follow until id's
 * monitor is gone */
static int follow(struct store *s, const char *id, struct log_reader *r,
                  const struct ctr_logs_opts *o, int (*out)(const struct log_rec *, void *),
                  void *ctx, merr_t *err)
{
    bool more = o->follow;
    for (;;) {
        struct log_rec rec;
        merr_t e = MERR_INIT;
        int n = logr_next(r, &rec, &e);
        if (n > 0 && o->until && rec.ns > o->until)
            break; /* written after --until: nothing later is wanted */
        if (n > 0) {
            if (rec.ns >= o->since && out(&rec, ctx) < 0)
                break;
            continue;
        }
        if (n < 0) { /* a damaged file: said at the end, and on to the next one */
            if (!err->msg)
                *err = e;
            else
                err_clear(&e);
            continue;
        }
        if (!more || (o->until && timearg_now() > o->until))
            break;
        if (!ctr_monitor_alive(s, id)) {
            more = false; /* one more pass: all it wrote is there now */
            continue;
        }
        poll(NULL, 0, 100);
    }
    return err->msg ? -1 : 0;
}

int ctr_logs(struct store *s, const char *name, const struct ctr_logs_opts *o,
             int (*out)(const struct log_rec *r, void *ctx), void *ctx, merr_t *err)
{
    char id[65];
    if (ctr_find(s, name, id, err) < 0)
        return -1;
    cleanup_close int d = ctr_dirfd(s, id, err);
    json_t *rec = d < 0 ? NULL : ctr_load(s, id, err);
    if (!rec)
        return -1;
    struct ctr_rec cr;
    struct log_limits lim;
    ctr_rec_view(rec, &cr);
    log_limits_from_json(cr.host.log_config, &lim);
    ctr_rec_free(&cr);
    json_decref(rec);
    if (lim.none)
        return err_set(err, 0, "container %.12s: its log driver is none: nothing was kept", id);
    struct log_reader r;
    if (logr_open(d, o->tail, &r, err) < 0)
        return -1;
    int ret = follow(s, id, &r, o, out, ctx, err);
    logr_close(&r);
    return ret;
}
