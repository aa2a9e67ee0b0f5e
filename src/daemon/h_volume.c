/* h_volume.c: the volume verbs: list, inspect, create, delete, prune. A
 * restricted caller sees only the volumes it made (their record's
 * "Owner"); another's are as absent as missing ones ("get X: no such
 * volume"), in lists, filters and prunes too. */
#include "api.h"
#include "api_json.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

static bool vol_visible(struct api_ctx *x, const char *name)
{
    json_t *rec = volume_stored(x->s, name);
    bool ok = rec && api_may_see(x, rec);
    json_decref(rec);
    return ok;
}

int h_vol_list(struct api_ctx *x)
{
    char **filters = NULL;
    if (api_q_filters(x, &filters) < 0)
        return 0;
    merr_t err = MERR_INIT;
    json_t *list = volume_list(x->s, filters, &err);
    strv_free(filters);
    if (!list)
        return api_error(x, 400, "%s", err.msg), err_clear(&err), 0;
    json_t *out = json_array(), *v;
    size_t i;
    json_array_foreach(list, i, v)
    {
        if (vol_visible(x, json_string_value(json_object_get(v, "Name")) ?: ""))
            json_array_append(out, v);
    }
    json_decref(list);
    return api_json(x, 200, json_pack("{s:o,s:[]}", "Volumes", out, "Warnings"));
}

static int no_such(struct api_ctx *x, const char *name)
{
    return api_error(x, 404, "get %s: no such volume", name);
}

int h_vol_inspect(struct api_ctx *x)
{
    const char *name = x->param ?: "";
    if (!vol_visible(x, name))
        return no_such(x, name);
    merr_t err = MERR_INIT;
    json_t *o = volume_inspect(x->s, name, &err);
    if (!o)
        return err_clear(&err), no_such(x, name);
    return api_json(x, 200, o);
}

/* {"Name","Driver","DriverOpts","Labels"} */
static int create_args(json_t *body, const char **name, char ***opts, char ***labels, merr_t *err)
{
    const char *driver = NULL;
    if (aj_str(body, "Name", "Name", name, err) < 0 ||
        aj_str(body, "Driver", "Driver", &driver, err) < 0 ||
        aj_kv(body, "DriverOpts", "DriverOpts", '=', opts, err) < 0 ||
        aj_kv(body, "Labels", "Labels", '=', labels, err) < 0)
        return -1;
    if (driver && strcmp(driver, "local") != 0)
        return aj_bad(err, "Driver", "\"%.64s\": moat has the local driver only", driver);
    if (*name && !volume_name_ok(*name))
        return aj_bad(err, "Name",
                      "\"%.64s\": letters, digits, _ . - (not first), at most 128 (a volume's "
                      "name)",
                      *name);
    if (*opts)
        return aj_bad(err, "DriverOpts", "moat's local driver takes no options");
    json_t *l = volume_create_args(*labels, NULL, err);
    if (!l) { /* its words are the CLI's */
        merr_t e = MERR_INIT;
        aj_bad(&e, "Labels", "%s", err->msg + (strncmp(err->msg, "--label: ", 9) ? 0 : 9));
        err_clear(err);
        *err = e;
        return -1;
    }
    json_decref(l);
    return 0;
}

int h_vol_create(struct api_ctx *x)
{
    json_t *body = x->body;
    if (body && !json_is_object(body))
        return api_error(x, 400, "a volume's configuration must be a JSON object");
    const char *name = NULL;
    char **opts = NULL, **labels = NULL;
    merr_t err = MERR_INIT;
    cleanup_free char *random = NULL;
    bool created = false;
    if (create_args(body, &name, &opts, &labels, &err) < 0) {
        api_error(x, 400, "%s", err.msg);
    } else {
        if (!name)
            name = random = volume_random_name();
        /* made as the caller's (x->s->owner), with no moment without */
        if (volume_create(x->s, name, labels, NULL, &created, &err) < 0)
            api_merr(x, &err);
        else if (!vol_visible(x, name)) /* one name space: taken by another */
            api_error(x, 409, "volume name %s is in use", name);
        else
            api_json(x, 201, volume_inspect(x->s, name, &err));
    }
    err_clear(&err);
    strv_free(opts);
    strv_free(labels);
    return 0;
}

int h_vol_delete(struct api_ctx *x)
{
    bool force = false;
    const char *name = x->param ?: "";
    if (api_q_bool(x, "force", &force) < 0)
        return 0;
    if (!vol_visible(x, name))
        return force ? api_status(x, 204) : no_such(x, name);
    merr_t err = MERR_INIT;
    if (volume_remove(x->s, name, force, &err) == 0)
        return api_status(x, 204);
    if (strstr(err.msg ?: "", "in use")) {
        /* the container may be another's: not named to a restricted caller */
        if (x->who.admin)
            api_error(x, 409, "remove %s: %s", name, err.msg);
        else
            api_error(x, 409, "remove %s: volume is in use", name);
        return err_clear(&err), 0;
    }
    return api_merr(x, &err);
}

int h_vol_prune(struct api_ctx *x)
{
    char **filters = NULL;
    if (api_q_filters(x, &filters) < 0)
        return 0;
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    int r = prune_filter_parse(filters, PRUNE_VOLUMES, false, &pf, &err);
    strv_free(filters);
    if (r < 0)
        return api_error(x, 400, "%s", err.msg), err_clear(&err), 0;
    pf.owner = x->who.admin ? NULL : x->who.owner;
    /* before API 1.42 a prune took named volumes too (Docker CLI 20.10's) */
    bool all = *x->api && api_older(x->api, "1.42");
    json_t *deleted = json_array();
    uint64_t freed = 0;
    prune_volumes(x->s, all, &pf, deleted, &freed);
    prune_filter_free(&pf);
    return api_json(
        x, 200,
        json_pack("{s:o,s:I}", "VolumesDeleted", deleted, "SpaceReclaimed", (json_int_t)freed));
}
