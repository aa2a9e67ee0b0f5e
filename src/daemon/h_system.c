/* h_system.c: GET /version, GET /info. */
#include "api.h"

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
