/* image_list.c: the images to list (see image_list.h). */
#include "image_list.h"
#include "image_filter.h"
#include "image_info.h"
#include "../oci/ref.h"
#include "../util/log.h"
#include "../util/timearg.h"
#include "../util/util.h"

/* the names of ns (full references) whose rows pass f, familiar */
static json_t *passing(const struct image_filter *f, const struct image *img, char **ns)
{
    json_t *out = json_array();
    for (size_t i = 0; ns[i]; i++) {
        cleanup_free char *fam = ref_familiar(ns[i]);
        if (image_filter_match(f, img, fam))
            json_array_append_new(out, json_string(fam));
    }
    return out;
}

static json_int_t created_sec(const struct image *img)
{
    const char *c = json_string_value(json_object_get(img->config, "created"));
    int64_t ns;
    return c && timearg_parse(c, 0, &ns) == 0 ? (json_int_t)(ns / 1000000000) : 0;
}

/* img's summary, or NULL when no row of it passes f */
static json_t *summary(const struct image_filter *f, const struct image *img, json_t *names,
                       json_t *digests)
{
    char **ns = image_names(names, img->id), **ds = image_names(digests, img->id);
    json_t *tags = passing(f, img, ns), *dig = passing(f, img, ds);
    bool named = ns[0] || ds[0];
    bool shown = json_array_size(tags) || json_array_size(dig) ||
                 (!named && image_filter_match(f, img, NULL));
    strv_free(ns);
    strv_free(ds);
    if (!shown) {
        json_decref(tags);
        json_decref(dig);
        return NULL;
    }
    json_t *labels = json_object_get(json_object_get(img->config, "config"), "Labels");
    return json_pack("{s:s,s:s,s:o,s:o,s:I,s:I,s:I,s:O,s:I}", "Id", img->id, "ParentId", "",
                     "RepoTags", tags, "RepoDigests", dig, "Created", created_sec(img), "Size",
                     (json_int_t)img->size, "SharedSize", (json_int_t)-1, "Labels",
                     json_is_object(labels) ? labels : json_null(), "Containers", (json_int_t)-1);
}

json_t *image_list(struct store *s, char **filters, merr_t *err)
{
    struct image_filter f;
    if (image_filter_parse(s, filters, &f, err) < 0) {
        image_filter_free(&f);
        return NULL;
    }
    json_t *names = store_names(s), *digests = store_digests(s), *out = json_array();
    char **ids = store_image_ids(s);
    for (size_t i = 0; ids[i]; i++) {
        struct image img;
        merr_t e = MERR_INIT;
        if (store_image_load(s, ids[i], &img, &e) < 0) {
            log_warn("%s", e.msg);
            err_clear(&e);
            continue;
        }
        json_t *sum = summary(&f, &img, names, digests);
        if (sum)
            json_array_append_new(out, sum);
        image_free(&img);
    }
    strv_free(ids);
    json_decref(names);
    json_decref(digests);
    image_filter_free(&f);
    return out;
}
