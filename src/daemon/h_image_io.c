/* h_image_io.c: images as tarballs over the API: POST /images/load, POST
 * /images/create?fromSrc=- (import), GET /images/get and
 * /images/{name}/get (save). Loading and importing name images, which
 * every caller of the store runs: they need an admin. */
#include "api.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <string.h>
#include <unistd.h>

/* a query value that may be repeated (moat-api makes an array of it) */
static char **multi(struct api_ctx *x, const char *key)
{
    char **v = NULL;
    json_t *j = json_object_get(x->query, key);
    if (json_is_string(j))
        strv_push(&v, json_string_value(j));
    size_t i;
    json_t *e;
    json_array_foreach(j, i, e)
    {
        strv_push(&v, json_string_value(e) ?: "");
    }
    return v;
}

static int admin_only(struct api_ctx *x, const char *what)
{
    if (x->who.admin)
        return 0;
    api_error(x, 403, "%s names images every caller runs: it needs the admin socket", what);
    return -1;
}

static void stream_line(struct api_ctx *x, json_t *o)
{
    cleanup_free char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (t) {
        write_all(x->chan, t, strlen(t));
        write_all(x->chan, "\n", 1);
    }
}

int h_img_load(struct api_ctx *x)
{
    bool quiet = false;
    if (api_q_bool(x, "quiet", &quiet) < 0 || admin_only(x, "loading") < 0)
        return 0;
    merr_t err = MERR_INIT;
    int fd = api_body_spool(x, &err);
    if (fd < 0)
        return api_error(x, 400, "%s", err.msg), err_clear(&err), 0;
    char *out = NULL;
    int r = image_load(x->s, fd, &out, &err);
    close(fd);
    if (r < 0) {
        store_rollback(x->s);
        free(out);
        api_error(x, 400, "%s", err.msg);
        err_clear(&err);
        return 0;
    }
    api_head(x, 200, "application/json", -1);
    char *save = NULL;
    /* quiet hides progress (moat shows none); the result is always said */
    for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        cleanup_free char *line = xasprintf("%s\n", l);
        stream_line(x, json_pack("{s:s}", "stream", line));
    }
    free(out);
    return 0;
}

/* POST /images/create?fromSrc=-&repo=&tag=&changes=&message= */
int h_img_import(struct api_ctx *x)
{
    const char *src = api_q(x, "fromSrc"), *repo = api_q(x, "repo"), *tag = api_q(x, "tag");
    if (strcmp(src, "-"))
        return api_error(x, 400,
                         "query parameter fromSrc: moat imports the request's body only "
                         "(fromSrc=-), not \"%s\"",
                         src);
    if (admin_only(x, "importing") < 0)
        return 0;
    cleanup_free char *name = NULL;
    if (repo && *repo)
        name = tag && *tag ? xasprintf("%s:%s", repo, tag) : xstrdup(repo);
    char **changes = multi(x, "changes");
    merr_t err = MERR_INIT;
    int fd = api_body_spool(x, &err);
    char id[72];
    int r = fd < 0 ? -1
                   : image_import(x->s, fd, name, changes, strv_len(changes), api_q(x, "message"),
                                  id, &err);
    if (fd >= 0)
        close(fd);
    strv_free(changes);
    if (r < 0) {
        store_rollback(x->s);
        api_error(x, 400, "%s", err.msg);
        err_clear(&err);
        return 0;
    }
    api_head(x, 200, "application/json", -1);
    stream_line(x, json_pack("{s:s}", "status", id));
    return 0;
}

int h_img_get(struct api_ctx *x)
{
    char **refs = x->param ? NULL : multi(x, "names");
    if (x->param)
        strv_push(&refs, x->param);
    if (!refs)
        return api_error(x, 400, "query parameter names: the images to save are required");
    for (char **r = refs; *r; r++) {
        char id[72];
        merr_t err = MERR_INIT;
        if (store_image_find(x->s, *r, id, &err) < 0) {
            err_clear(&err);
            api_error(x, 404, "No such image: %s", *r);
            strv_free(refs);
            return 0;
        }
    }
    api_head(x, 200, "application/x-tar", -1);
    merr_t err = MERR_INIT;
    if (image_save(x->s, refs, x->chan, &err) < 0)
        err_clear(&err); /* the header is out: the tarball just ends short */
    strv_free(refs);
    return 0;
}
