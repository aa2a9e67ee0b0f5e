/* own.c: who owns what, and what a restricted caller may see (api.h).
 * An object made through the user socket or by a non-admin certificate
 * carries its maker in "Owner"; every lookup of a restricted caller
 * passes here, so another's object is as absent as a missing one. */
#include "api.h"
#include "../util/util.h"

#include <string.h>

const char *api_owner_of(json_t *rec)
{
    return json_string_value(json_object_get(rec, "Owner"));
}

bool api_may_see(const struct api_ctx *x, json_t *rec)
{
    if (x->who.admin)
        return true;
    const char *o = api_owner_of(rec);
    return o && !strcmp(o, x->who.owner);
}

struct want {
    const char *what, *owner;
};

static bool owned_match(json_t *rec, const void *ctx)
{
    const struct want *w = ctx;
    const char *o = api_owner_of(rec), *id = json_string_value(json_object_get(rec, "Id"));
    const char *name = json_string_value(json_object_get(rec, "Name"));
    if (!o || strcmp(o, w->owner) || !id)
        return false;
    if (name && (!strcmp(name, w->what) || (name[0] == '/' && !strcmp(name + 1, w->what))))
        return true;
    return !strncmp(id, w->what, strlen(w->what));
}

int api_ctr_quiet(struct api_ctx *x, const char *what, char id[65])
{
    merr_t err = MERR_INIT;
    if (!what || !*what)
        return -1;
    if (x->who.admin) {
        if (ctr_find(x->s, what, id, &err) == 0)
            return 0;
        err_clear(&err);
        return -1;
    }
    struct want w = {what, x->who.owner};
    char buf[65];
    const char *short_id = ctr_first(x->s, owned_match, &w, buf, sizeof(buf));
    if (short_id && ctr_find(x->s, short_id, id, &err) == 0)
        return 0;
    err_clear(&err);
    return -1;
}

int api_ctr(struct api_ctx *x, const char *what, char id[65])
{
    if (api_ctr_quiet(x, what, id) == 0)
        return 0;
    api_error(x, 404, "No such container: %s", what ? what : "");
    return -1;
}

int api_ctr_load(struct api_ctx *x, const char *what, char id[65], bool refresh, struct ctr_rec *c)
{
    if (api_ctr(x, what, id) < 0)
        return -1;
    merr_t err = MERR_INIT;
    if (ctr_rec_load(x->s, id, refresh, c, &err) == 0)
        return 0;
    api_merr(x, &err);
    return -1;
}
