/* h_ctr.c: the container verbs that answer at once: list, inspect,
 * start, stop, restart, kill, delete. */
#include "api.h"
#include "../util/signame.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* {"80/tcp":[{"HostIp","HostPort"}]} as the list's [{IP,PrivatePort,PublicPort,Type}] */
static json_t *list_ports(json_t *ports)
{
    json_t *out = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(ports, k, v)
    {
        char type[8] = "tcp";
        unsigned priv = 0;
        if (sscanf(k, "%u/%7s", &priv, type) < 1)
            continue;
        if (!json_array_size(v))
            json_array_append_new(out, json_pack("{s:i,s:s}", "PrivatePort", priv, "Type", type));
        size_t i;
        json_t *b;
        json_array_foreach(v, i, b)
        {
            const char *hp = json_string_value(json_object_get(b, "HostPort"));
            json_array_append_new(
                out, json_pack("{s:s,s:i,s:i,s:s}", "IP",
                               json_string_value(json_object_get(b, "HostIp")) ?: "", "PrivatePort",
                               priv, "PublicPort", hp ? atoi(hp) : 0, "Type", type));
        }
    }
    return out;
}

static json_t *list_entry(json_t *rec)
{
    struct ctr_rec c;
    ctr_rec_view(rec, &c);
    struct sbuf cmd = {0};
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(rec, "Args"), i, a)
    {
        sbuf_printf(&cmd, "%s%s", i ? " " : "", json_string_value(a) ?: "");
    }
    char status[96];
    ctr_status_text(&c, status, sizeof(status));
    int64_t created = 0;
    if (c.created && timearg_parse(c.created, 0, &created) < 0)
        created = 0;
    json_t *ns = json_object_get(rec, "NetworkSettings");
    const char *name = c.name ?: "";
    cleanup_free char *slashed = xasprintf("%s%s", name[0] == '/' ? "" : "/", name);
    json_t *nets = json_object_get(ns, "Networks");
    json_t *e = json_pack(
        "{s:s,s:[s],s:s,s:s,s:s,s:I,s:o,s:o,s:s,s:s,s:{s:s},s:{s:o},s:o}", "Id", c.id ?: "",
        "Names", slashed, "Image", c.image_name ?: "", "ImageID", c.image ?: "", "Command",
        cmd.buf ?: "", "Created", (json_int_t)(created / 1000000000), "Ports",
        list_ports(json_object_get(ns, "Ports")), "Labels",
        c.config.labels ? json_incref(c.config.labels) : json_object(), "State", ctr_rec_state(&c),
        "Status", status, "HostConfig", "NetworkMode", c.host.network_mode ?: "none",
        "NetworkSettings", "Networks", nets ? json_incref(nets) : json_object(), "Mounts",
        c.mounts ? json_incref(c.mounts) : json_array());
    free(cmd.buf);
    ctr_rec_free(&c);
    return e;
}

int h_ctr_list(struct api_ctx *x)
{
    struct ctr_list_opts lo = {.last = 0};
    int64_t limit = 0;
    if (api_q_bool(x, "all", &lo.all) < 0 || api_q_int(x, "limit", &limit) < 0 ||
        api_q_filters(x, &lo.filters) < 0)
        return 0;
    lo.last = limit > 0 ? limit : 0;
    merr_t err = MERR_INIT;
    if (ctr_filters_check(lo.filters, &err) < 0) {
        strv_free(lo.filters);
        return api_error(x, 400, "%s", err.msg), err_clear(&err), 0;
    }
    json_t *recs = ctr_list_records(x->s, &lo, &err);
    strv_free(lo.filters);
    if (!recs)
        return api_merr(x, &err);
    json_t *out = json_array();
    size_t i;
    json_t *rec;
    json_array_foreach(recs, i, rec) if (api_may_see(x, rec))
        json_array_append_new(out, list_entry(rec));
    json_decref(recs);
    return api_json(x, 200, out);
}

int h_ctr_inspect(struct api_ctx *x)
{
    char id[65];
    struct ctr_rec c;
    if (api_ctr_load(x, x->param, id, true, &c) < 0)
        return 0;
    json_t *o = ctr_inspect_json(c.json);
    ctr_rec_free(&c);
    /* moat's file log is read back by logs as Docker's json-file is (moat
     * takes json-file to mean it): Docker's SDKs read a container's output
     * only from a driver they know by name */
    json_t *lc = json_object_get(json_object_get(o, "HostConfig"), "LogConfig");
    const char *type = json_string_value(json_object_get(lc, "Type"));
    if (type && !strcmp(type, "local"))
        json_object_set_new(lc, "Type", json_string("json-file"));
    return api_json(x, 200, o);
}

int h_ctr_start(struct api_ctx *x)
{
    char id[65];
    struct ctr_rec c;
    if (api_ctr_load(x, x->param, id, true, &c) < 0)
        return 0;
    merr_t err = MERR_INIT;
    bool running = c.state.running;
    ctr_rec_free(&c);
    if (running)
        return api_status(x, 304);
    int code = 0;
    if (ctr_start(x->s, id, NULL, &code, &err) < 0)
        return api_merr(x, &err);
    return api_status(x, 204);
}

/* ?t= (seconds) and ?signal= of stop and restart */
static int stop_args(struct api_ctx *x, int *secs, int *sig)
{
    int64_t t = CTR_STOP_DEFAULT;
    *sig = 0;
    if (api_q_int(x, "t", &t) < 0)
        return -1;
    if (t != CTR_STOP_DEFAULT && (t < -1 || t > 86400 * 365)) {
        api_error(x, 400, "query parameter t: %lld is not a number of seconds", (long long)t);
        return -1;
    }
    *secs = (int)t;
    const char *s = api_q(x, "signal");
    if (s && *s && (*sig = signal_parse(s)) <= 0) {
        api_error(x, 400, "query parameter signal: invalid signal \"%s\"", s);
        return -1;
    }
    return 0;
}

int h_ctr_stop(struct api_ctx *x)
{
    char id[65];
    int secs, sig;
    if (api_ctr(x, x->param, id) < 0 || stop_args(x, &secs, &sig) < 0)
        return 0;
    struct ctr_rec c;
    merr_t err = MERR_INIT;
    if (ctr_rec_load(x->s, id, true, &c, &err) < 0)
        return api_merr(x, &err);
    bool running = c.state.running;
    ctr_rec_free(&c);
    if (!running)
        return api_status(x, 304);
    if (ctr_stop(x->s, id, secs, sig, &err) < 0)
        return api_merr(x, &err);
    return api_status(x, 204);
}

int h_ctr_restart(struct api_ctx *x)
{
    char id[65];
    int secs, sig, code = 0;
    if (api_ctr(x, x->param, id) < 0 || stop_args(x, &secs, &sig) < 0)
        return 0;
    merr_t err = MERR_INIT;
    if (ctr_stop(x->s, id, secs, sig, &err) < 0 || ctr_start(x->s, id, NULL, &code, &err) < 0)
        return api_merr(x, &err);
    return api_status(x, 204);
}

int h_ctr_kill(struct api_ctx *x)
{
    char id[65];
    if (api_ctr(x, x->param, id) < 0)
        return 0;
    const char *s = api_q(x, "signal");
    int sig = s && *s ? signal_parse(s) : SIGKILL;
    if (sig <= 0)
        return api_error(x, 400, "query parameter signal: invalid signal \"%s\"", s);
    merr_t err = MERR_INIT;
    if (ctr_kill(x->s, id, sig, &err) < 0)
        return api_merr(x, &err);
    return api_status(x, 204);
}

int h_ctr_delete(struct api_ctx *x)
{
    char id[65];
    bool force = false, vols = false, link = false;
    if (api_q_bool(x, "force", &force) < 0 || api_q_bool(x, "v", &vols) < 0 ||
        api_q_bool(x, "link", &link) < 0 || api_ctr(x, x->param, id) < 0)
        return 0;
    if (link)
        return api_error(x, 400, "link removal is not supported by moat");
    merr_t err = MERR_INIT;
    if (ctr_rm(x->s, id, force, vols, &err) < 0)
        return api_merr(x, &err);
    return api_status(x, 204);
}
