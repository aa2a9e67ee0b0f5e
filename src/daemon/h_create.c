/* h_create.c: POST /containers/create. The body becomes run_opts as
 * `moat create`'s flags would (api_create.h); a restricted caller's is
 * checked against the policy (policy.h), the named volumes it would make
 * are made as its own first, and the container is recorded as its. */
#include "api.h"
#include "api_create.h"
#include "policy.h"
#include "../util/util.h"

#include <string.h>

static bool owns(const char *kind, const char *name, void *ctx)
{
    struct api_ctx *x = ctx;
    if (!strcmp(kind, "container")) {
        /* the container the engine will take for name (an exact name wins
         * over an id prefix, whoever made it), not the first of the
         * caller's that name matches */
        char id[65];
        merr_t err = MERR_INIT;
        json_t *rec = ctr_find(x->s, name, id, &err) == 0 ? ctr_load(x->s, id, &err) : NULL;
        err_clear(&err);
        bool ok = rec && api_may_see(x, rec);
        json_decref(rec);
        return ok;
    }
    if (!strcmp(kind, "volume")) {
        json_t *rec = volume_stored(x->s, name);
        bool ok = !rec || api_may_see(x, rec); /* a new one is made as its */
        json_decref(rec);
        return ok;
    }
    if (!strcmp(kind, "network")) {
        struct network n;
        merr_t err = MERR_INIT;
        if (network_find(x->s, name, &n, &err) < 0) {
            err_clear(&err);
            return false;
        }
        bool ok = n.builtin ? strcmp(n.name, "host") != 0 : api_may_see(x, n.rec);
        network_free(&n);
        return ok;
    }
    return false;
}

/* the named volumes of o that do not exist yet, made as the caller's; one
 * that another made meanwhile is refused */
static int own_volumes(struct api_ctx *x, const struct run_opts *o)
{
    for (size_t i = 0; i < o->nmounts; i++) {
        const struct mount_req *m = &o->mounts[i];
        if (!m->volume || m->anonymous)
            continue;
        bool created = false;
        merr_t err = MERR_INIT;
        if (volume_create(x->s, m->src, NULL, NULL, &created, &err) < 0)
            return api_merr(x, &err), -1;
        if (created && volume_own(x->s, m->src, x->who.owner, &err) < 0)
            return api_merr(x, &err), -1;
        json_t *rec = volume_stored(x->s, m->src);
        bool ok = rec && api_may_see(x, rec);
        json_decref(rec);
        if (!ok)
            return api_error(x, 404, "No such volume: %s", m->src), -1;
    }
    return 0;
}

int h_ctr_create(struct api_ctx *x)
{
    if (!json_is_object(x->body))
        return api_error(x, 400, "a container's configuration (a JSON object) is required");
    struct run_opts o;
    run_opts_init(&o);
    merr_t err = MERR_INIT;
    const char *name = api_q(x, "name");
    int r = api_create_opts(x->body, name, x->api, &o, &err);
    if (r < 0) {
        api_error(x, 400, "%s", err.msg);
    } else if (!x->who.admin && api_policy_create(&o, owns, x, &err) < 0) {
        api_error(x, 403, "%s", err.msg);
        r = -1;
    } else if (!x->who.admin && own_volumes(x, &o) < 0) {
        r = -1;
    }
    if (r == 0) {
        o.owner = x->who.admin ? NULL : x->who.owner;
        o.pull = "never"; /* the client pulls (POST /images/create) on a 404 */
        o.quiet = true;
        char id[72];
        if (store_image_find(x->s, o.image, id, &err) < 0) {
            err_clear(&err);
            api_error(x, 404, "No such image: %s", o.image);
        } else if (ctr_create(x->s, &o, id, &err) < 0) {
            if (err.msg && strstr(err.msg, " by container"))
                api_conflict(x, name ? name : "", &err);
            else if (err.errnum == 0) /* what the request asks cannot be made */
                api_error(x, 400, "%s", err.msg);
            else
                api_merr(x, &err);
        } else {
            api_json(x, 201, json_pack("{s:s,s:[]}", "Id", id, "Warnings"));
        }
    }
    err_clear(&err);
    run_opts_free(&o);
    return 0;
}
