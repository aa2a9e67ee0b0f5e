/* h_image.c: the image verbs: list, inspect. Images are shared by all
 * callers of a store (as layers are): a restricted caller sees them all. */
#include "api.h"
#include "../util/util.h"

#include <string.h>

int h_img_list(struct api_ctx *x)
{
    char **filters = NULL;
    bool all = false, digests = false;
    if (api_q_bool(x, "all", &all) < 0 || api_q_bool(x, "digests", &digests) < 0 ||
        api_q_filters(x, &filters) < 0)
        return 0;
    merr_t err = MERR_INIT;
    json_t *list = image_list(x->s, filters, &err);
    strv_free(filters);
    if (!list)
        return api_error(x, 400, "%s", err.msg), err_clear(&err), 0;
    return api_json(x, 200, list);
}

int h_img_inspect(struct api_ctx *x)
{
    char id[72];
    merr_t err = MERR_INIT;
    if (store_image_find(x->s, x->param, id, &err) < 0) {
        err_clear(&err);
        return api_error(x, 404, "No such image: %s", x->param);
    }
    json_t *o = image_inspect_json(x->s, id, &err);
    if (!o)
        return api_merr(x, &err);
    /* API < 1.45 has ContainerConfig (docker-compose 1.29 reads it) */
    if (!json_object_get(o, "ContainerConfig"))
        json_object_set(o, "ContainerConfig", json_object_get(o, "Config"));
    return api_json(x, 200, o);
}
