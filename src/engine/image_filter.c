/* image_filter.c: `images --filter` (see image_filter.h). */
#include "image_filter.h"
#include "filters.h"
#include "../oci/ref.h"
#include "../util/util.h"

#include <fnmatch.h>
#include <string.h>

static const char *created(const struct image *img)
{
    return json_string_value(json_object_get(img->config, "created")) ?: "";
}

/* the created time of the image named by what */
static int created_of(struct store *s, const char *what, char **out, merr_t *err)
{
    char id[72];
    struct image img;
    if (store_image_find(s, what, id, err) < 0 || store_image_load(s, id, &img, err) < 0)
        return -1;
    *out = xstrdup(created(&img));
    image_free(&img);
    return 0;
}

static const char *const keys[] = {"dangling", "label", "reference", "before", "since", NULL};

/* the values of key in f, as a list */
static char **values(json_t *f, const char *key)
{
    char **v = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(f, key), i, x)
    {
        strv_push(&v, json_string_value(x));
    }
    return v;
}

int image_filter_parse(struct store *s, char **filters, struct image_filter *f, merr_t *err)
{
    memset(f, 0, sizeof(*f));
    f->dangling = -1;
    json_t *args = filters_parse(filters, keys, err);
    bool dangling;
    if (!args)
        return -1;
    int r = filters_bool(args, "dangling", false, &dangling, err);
    if (r == 0 && json_object_get(args, "dangling"))
        f->dangling = dangling;
    f->labels = values(args, "label");
    f->references = values(args, "reference");
    for (int k = 0; k < 2 && r == 0; k++) {
        const char *key = k ? "since" : "before";
        json_t *vals = json_object_get(args, key);
        const char *v = json_string_value(json_array_get(vals, json_array_size(vals) - 1));
        if (v && created_of(s, v, k ? &f->since : &f->before, err) < 0)
            r = err_wrap(err, "filter %s", key);
    }
    json_decref(args);
    return r;
}

void image_filter_free(struct image_filter *f)
{
    strv_free(f->labels);
    strv_free(f->references);
    free(f->before);
    free(f->since);
}

static bool label_ok(const struct image *img, const char *want)
{
    json_t *labels = json_object_get(json_object_get(img->config, "config"), "Labels");
    cleanup_free char *k = xstrdup(want);
    char *eq = strchr(k, '=');
    if (eq)
        *eq++ = 0;
    json_t *v = json_object_get(labels, k);
    return v && (!eq || strcmp(json_string_value(v) ?: "", eq) == 0);
}

/* Docker's reference filter: a glob on the name, with or without its tag
 * (or digest) */
static bool reference_ok(char **refs, const char *name)
{
    if (!refs)
        return true;
    if (!name)
        return false;
    cleanup_free char *repo = ref_repo(name);
    for (size_t i = 0; refs[i]; i++)
        if (fnmatch(refs[i], name, 0) == 0 || fnmatch(refs[i], repo, 0) == 0)
            return true;
    return false;
}

bool image_filter_match(const struct image_filter *f, const struct image *img, const char *name)
{
    if (f->dangling >= 0 && (name == NULL) != (f->dangling == 1))
        return false;
    for (size_t i = 0; f->labels && f->labels[i]; i++)
        if (!label_ok(img, f->labels[i]))
            return false;
    if (!reference_ok(f->references, name))
        return false;
    /* RFC 3339 times of one writer compare as text */
    if (f->before && strcmp(created(img), f->before) >= 0)
        return false;
    if (f->since && strcmp(created(img), f->since) <= 0)
        return false;
    return true;
}
