/* h_image_ops.c: the image verbs that change the store: tag, delete,
 * create (a pull). Images are shared by all callers of the store, so a
 * restricted caller may pull (anonymously: never with an admin's stored
 * login) and tag a name that is free or already its image's, but never
 * move a name others may run, nor remove an image. */
#include "api.h"
#include "../oci/imgjson.h"
#include "../oci/ref.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int h_img_tag(struct api_ctx *x)
{
    const char *repo = api_q(x, "repo"), *tag = api_q(x, "tag");
    if (!x->who.admin) /* a free name tagged by one caller would be what another runs */
        return api_error(x, 403,
                         "images are shared by all callers of the store: only an admin "
                         "tags one");
    if (!repo || !*repo)
        return api_error(x, 400, "query parameter repo: a repository name is required");
    char id[72];
    merr_t err = MERR_INIT;
    if (store_image_find(x->s, x->param ?: "", id, &err) < 0) {
        err_clear(&err);
        return api_error(x, 404, "No such image: %s", x->param ?: "");
    }
    cleanup_free char *name = xasprintf("%s:%s", repo, tag && *tag ? tag : "latest");
    cleanup_free char *full = image_name_full(name, &err);
    if (!full)
        return api_error(x, 400, "query parameters repo and tag: %s", err.msg), err_clear(&err), 0;
    if (store_tag(x->s, full, id, &err) < 0)
        return api_merr(x, &err);
    cleanup_free char *fam = ref_familiar(full);
    events_image(x->s, id, fam, "tag");
    return api_json(x, 201, NULL);
}

int h_img_delete(struct api_ctx *x)
{
    bool force = false, noprune = false;
    if (api_q_bool(x, "force", &force) < 0 || api_q_bool(x, "noprune", &noprune) < 0)
        return 0;
    if (!x->who.admin)
        return api_error(x, 403,
                         "images are shared by all callers of the store: only an admin removes "
                         "one");
    merr_t err = MERR_INIT;
    json_t *out = json_array();
    if (image_remove(x->s, x->param ?: "", force, out, &err) == 0)
        return api_json(x, 200, out);
    json_decref(out);
    const char *m = err.msg ?: "";
    if (strstr(m, "used by container") || strstr(m, "must be forced") || strstr(m, "force"))
        return api_error(x, 409, "conflict: unable to delete %s: %s", x->param ?: "", m),
               err_clear(&err), 0;
    return api_merr(x, &err);
}

/* one message of Docker's JSON progress stream */
static void progress(struct api_ctx *x, json_t *msg)
{
    cleanup_free char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (text) {
        write_all(x->chan, text, strlen(text));
        write_all(x->chan, "\r\n", 2);
    }
}

/* the digest the registry served for the name pulled, as RepoDigests has it */
static char *digest_of(struct api_ctx *x, const char *id, const char *full)
{
    merr_t err = MERR_INIT;
    json_t *o = image_inspect_json(x->s, id, &err);
    err_clear(&err);
    cleanup_free char *fam = ref_familiar(full);
    cleanup_free char *repo = ref_repo(fam);
    char *d = NULL;
    size_t i, rl = strlen(repo);
    json_t *v;
    json_array_foreach(json_object_get(o, "RepoDigests"), i, v)
    {
        const char *s = json_string_value(v);
        if (!d && s && !strncmp(s, repo, rl) && s[rl] == '@')
            d = xstrdup(s + rl + 1);
    }
    json_decref(o);
    return d;
}

static void pull(struct api_ctx *x, const char *name, const struct ref *r)
{
    char before[72] = "", id[72];
    merr_t err = MERR_INIT;
    if (store_image_find(x->s, name, before, &err) < 0)
        before[0] = 0;
    err_clear(&err);
    cleanup_free char *full = ref_string(r);
    cleanup_free char *fam = ref_familiar(full);
    struct pull_opts po = {.quiet = true, .out_fd = -1, .no_auth = !x->who.admin};
    if (image_pull(x->s, name, &po, id, &err) < 0) {
        const char *m = err.msg ?: "pull failed";
        progress(x, json_pack("{s:{s:s},s:s}", "errorDetail", "message", m, "error", m));
        err_clear(&err);
        return;
    }
    cleanup_free char *digest = digest_of(x, id, full);
    if (digest)
        progress(x, json_pack("{s:s+}", "status", "Digest: ", digest));
    progress(x, json_pack("{s:s+}", "status",
                          strcmp(before, id) ? "Status: Downloaded newer image for "
                                             : "Status: Image is up to date for ",
                          fam));
}

int h_img_create(struct api_ctx *x)
{
    const char *from = api_q(x, "fromImage"), *tag = api_q(x, "tag");
    const char *src = api_q(x, "fromSrc");
    if (src && *src)
        return h_img_import(x);
    if (!from || !*from)
        return api_error(x, 400, "query parameter fromImage: an image to pull is required");
    cleanup_free char *name =
        tag && *tag ? xasprintf("%s%s%s", from, strncmp(tag, "sha256:", 7) ? ":" : "@", tag)
                    : xstrdup(from);
    struct ref r;
    merr_t err = MERR_INIT;
    if (ref_parse(name, &r, &err) < 0)
        return api_error(x, 400, "query parameters fromImage and tag: %s", err.msg),
               err_clear(&err), 0;
    /* errors after this are in the stream, as Docker's */
    if (api_head(x, 200, "application/json", -1) == 0) {
        cleanup_free char *status = xasprintf("Pulling from %s", r.path);
        progress(x, json_pack("{s:s,s:s}", "status", status, "id",
                              r.tag      ? r.tag
                              : r.digest ? r.digest
                                         : ""));
        pull(x, name, &r);
    }
    ref_free(&r);
    return 0;
}
