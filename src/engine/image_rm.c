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

/* the image and its names ns, under the store's lock */
static int remove_image(struct store *s, const char *id, json_t *names, char **ns, json_t *out,
                        merr_t *err)
{
    char cid[80];
    if (image_user(s, id, cid, sizeof(cid)))
        return err_set(err, 0, "image %.19s is used by container %s; remove the container first",
                       id, cid);
    for (size_t i = 0; ns[i]; i++)
        json_object_del(names, ns[i]);
    if (store_names_save(s, names, err) < 0 || store_image_remove(s, id, err) < 0)
        return -1;
    for (size_t i = 0; ns[i]; i++)
        untagged(s, id, ns[i], out);
    json_array_append_new(out, json_pack("{s:s}", "Deleted", id));
    events_image(s, id, id, "delete");
    return 0;
}

int image_remove(struct store *s, const char *what, bool force, json_t *out, merr_t *err)
{
    char id[72];
    if (store_image_find(s, what, id, err) < 0 || store_lock(s, err) < 0)
        return -1;
    int ret = -1;
    json_t *names = store_names(s);
    char **ns = image_names(names, id);
    merr_t e2 = MERR_INIT;
    cleanup_free char *full = image_name_full(what, &e2);
    err_clear(&e2);
    bool by_name = full && json_object_get(names, full);
    if (by_name && strv_len(ns) > 1) { /* just the name */
        json_object_del(names, full);
        ret = store_names_save(s, names, err);
        if (ret == 0)
            untagged(s, id, full, out);
    } else if (!by_name && strv_len(ns) > 1 && !force) {
        err_set(err, 0,
                "image %.19s is referenced by %zu names; remove them by name or use --force", id,
                strv_len(ns));
    } else {
        ret = remove_image(s, id, names, ns, out, err);
    }
    strv_free(ns);
    json_decref(names);
    store_unlock(s);
    return ret;
}
