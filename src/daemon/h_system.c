/* h_system.c: GET /version, GET /info. */
#include "api.h"
#include "../util/timearg.h"

int h_version(struct api_ctx *x)
{
    return api_json(x, 200, sys_version());
}

int h_info(struct api_ctx *x)
{
    json_t *info = sys_info(x->s);
    if (!x->who.admin) {
        /* a restricted caller counts only its own containers */
        struct ctr_list_opts lo = {.all = true};
        merr_t err = MERR_INIT;
        json_t *recs = ctr_list_records(x->s, &lo, &err);
        err_clear(&err);
        json_int_t n = 0, run = 0, paused = 0, stopped = 0;
        size_t i;
        json_t *rec;
        json_array_foreach(recs, i, rec)
        {
            if (!api_may_see(x, rec))
                continue;
            struct ctr_rec c;
            ctr_rec_view(rec, &c);
            n++;
            run += c.state.running && !c.state.paused;
            paused += c.state.paused;
            stopped += !c.state.running;
            ctr_rec_free(&c);
        }
        json_decref(recs);
        json_object_set_new(info, "Containers", json_integer(n));
        json_object_set_new(info, "ContainersRunning", json_integer(run));
        json_object_set_new(info, "ContainersPaused", json_integer(paused));
        json_object_set_new(info, "ContainersStopped", json_integer(stopped));
    }
    return api_json(x, 200, info);
}

/* the engine's RFC 3339 times as the API's Unix seconds */
static void unix_times(json_t *list)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *c = json_string_value(json_object_get(e, "Created"));
        int64_t ns = 0;
        if (c && timearg_parse(c, 0, &ns) < 0)
            ns = 0;
        if (c)
            json_object_set_new(e, "Created", json_integer(ns / 1000000000));
    }
}

/* GET /system/df: a restricted caller's containers and volumes only */
int h_df(struct api_ctx *x)
{
    json_t *df = sys_df(x->s);
    if (!df)
        return api_error(x, 500, "cannot read the store's disk use");
    unix_times(json_object_get(df, "Images"));
    unix_times(json_object_get(df, "Containers"));
    if (!x->who.admin) {
        json_t *keep = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(df, "Containers"), i, e)
        {
            char id[65];
            const char *cid = json_string_value(json_object_get(e, "Id"));
            if (cid && api_ctr_quiet(x, cid, id) == 0)
                json_array_append(keep, e);
        }
        json_object_set_new(df, "Containers", keep);
        keep = json_array();
        json_array_foreach(json_object_get(df, "Volumes"), i, e)
        {
            json_t *rec = volume_stored(x->s, json_string_value(json_object_get(e, "Name")) ?: "");
            if (rec && api_may_see(x, rec))
                json_array_append(keep, e);
            json_decref(rec);
        }
        json_object_set_new(df, "Volumes", keep);
    }
    return api_json(x, 200, df);
}
