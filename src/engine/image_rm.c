/* image_rm.c: removing an image or one of its names (see image_rm.h). */
#include "image_rm.h"
#include "ctr.h"
#include "events.h"
#include "image_info.h"
#include "../oci/imgjson.h"
#include "../oci/ref.h"
#include "../util/util.h"

#include <string.h>

static bool runs_image(json_t *rec, const void *id)
{
    return strcmp(json_string_value(json_object_get(rec, "Image")) ?: "", id) == 0;
}

const char *image_user(struct store *s, const char *id, char *buf, size_t n)
{
    return ctr_first(s, runs_image, id, buf, n);
}

static void untagged(struct store *s, const char *id, const char *full, json_t *out)
{
    cleanup_free char *f = ref_familiar(full);
    json_array_append_new(out, json_pack("{s:s}", "Untagged", f));
    events_image(s, id, id, "untag");
}

static int refs_save(struct store *s, json_t *names, json_t *digests, merr_t *err)
{
    return store_names_save(s, names, err) < 0 ? -1 : store_digests_save(s, digests, err);
}

/* the image and all its references refs (tags and digest references,
 * some maybe taken out of the tables already), under the store's lock */
static int remove_image(struct store *s, const char *id, json_t *names, json_t *digests,
                        char **refs, json_t *out, merr_t *err)
{
    char cid[80];
    if (image_user(s, id, cid, sizeof(cid)))
        return err_set(err, 0, "image %.19s is used by container %s; remove the container first",
                       id, cid);
    for (size_t i = 0; refs[i]; i++)
        if (json_object_del(names, refs[i]) < 0)
            json_object_del(digests, refs[i]);
    if (refs_save(s, names, digests, err) < 0 || store_image_remove(s, id, err) < 0)
        return -1;
    for (size_t i = 0; refs[i]; i++)
        untagged(s, id, refs[i], out);
    json_array_append_new(out, json_pack("{s:s}", "Deleted", id));
    events_image(s, id, id, "delete");
    return 0;
}

/* The reference `what` names, when it is one of image id's: a tag, or
 * REPO@DIGEST (*digest true) */
static char *given_ref(const char *what, json_t *names, json_t *digests, const char *id,
                       bool *digest)
{
    struct ref r;
    merr_t e = MERR_INIT;
    if (ref_parse(what, &r, &e) < 0) {
        err_clear(&e);
        return NULL;
    }
    *digest = r.digest != NULL;
    char *key = r.digest ? xasprintf("%s/%s@%s", r.registry, r.path, r.digest) : ref_string(&r);
    ref_free(&r);
    if (strcmp(json_string_value(json_object_get(*digest ? digests : names, key)) ?: "", id) != 0) {
        free(key);
        return NULL;
    }
    return key;
}

/* Docker's test before an image goes by its id with its references: at
 * most one tag, and all of them in one repository */
static bool single_reference(char **ns, char **ds)
{
    if (strv_len(ns) > 1)
        return false;
    cleanup_free char *repo = ref_repo(ns[0] ? ns[0] : ds[0]);
    for (size_t i = 0; ds[i]; i++) {
        cleanup_free char *r = ref_repo(ds[i]);
        if (strcmp(r, repo) != 0)
            return false;
    }
    return true;
}

int image_remove(struct store *s, const char *what, bool force, json_t *out, merr_t *err)
{
    char id[72];
    if (store_image_find(s, what, id, err) < 0 || store_lock(s, err) < 0)
        return -1;
    int ret = -1;
    json_t *names = store_names(s), *digests = store_digests(s);
    bool by_digest = false;
    char *given = given_ref(what, names, digests, id, &by_digest);
    char **refs = NULL; /* the references that go, in Docker's order */
    if (given) {        /* that reference first */
        json_object_del(by_digest ? digests : names, given);
        strv_push(&refs, given);
        if (!by_digest) { /* its repository's digests, when no tag is left there */
            cleanup_free char *repo = ref_repo(given);
            char **gone = store_digests_orphaned(names, digests, repo, id);
            for (size_t i = 0; gone[i]; i++)
                strv_push(&refs, gone[i]);
            strv_free(gone);
        }
    }
    char **ns = image_names(names, id), **ds = image_names(digests, id);
    size_t left = strv_len(ns) + strv_len(ds);
    if (given && left) { /* other references hold the image: just those */
        ret = refs_save(s, names, digests, err);
        for (size_t i = 0; ret == 0 && refs[i]; i++)
            untagged(s, id, refs[i], out);
    } else if (!given && left && !force && !single_reference(ns, ds)) {
        err_set(err, 0,
                "image %.19s is referenced by %zu names; remove them by name or use --force", id,
                left);
    } else {
        for (size_t i = 0; ns[i]; i++)
            strv_push(&refs, ns[i]);
        for (size_t i = 0; ds[i]; i++)
            strv_push(&refs, ds[i]);
        if (!refs)
            refs = xzalloc(sizeof(char *));
        ret = remove_image(s, id, names, digests, refs, out, err);
    }
    free(given);
    strv_free(refs);
    strv_free(ns);
    strv_free(ds);
    json_decref(names);
    json_decref(digests);
    store_unlock(s);
    return ret;
}
