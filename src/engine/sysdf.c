/* sysdf.c: disk use and prunes (see sysdf.h). */
#include "sysdf.h"
#include "ctr.h"
#include "ctr_list.h"
#include "image_info.h"
#include "rwlayer.h"
#include "treewalk.h"
#include "volume.h"
#include "../oci/ref.h"
#include "../util/util.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* the bytes of a container's writable layer (its upper directory) */
uint64_t ctr_size_rw(struct store *s, const char *id, json_t *rec)
{
    cleanup_free char *p = xasprintf("containers/%s/%supper", id, rwl_prefix(rec));
    cleanup_close int fd = openat(s->fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? 0 : tree_size(fd);
}

void ctr_sizes(struct store *s, const char *id, json_t *rec, json_t *o, char **ps)
{
    uint64_t rw = ctr_size_rw(s, id, rec), img = 0;
    struct image im;
    merr_t e = MERR_INIT;
    if (store_image_load(s, json_string_value(json_object_get(rec, "Image")) ?: "", &im, &e) == 0) {
        img = im.size;
        image_free(&im);
    }
    err_clear(&e);
    if (o) {
        json_object_set_new(o, "SizeRw", json_integer((json_int_t)rw));
        json_object_set_new(o, "SizeRootFs", json_integer((json_int_t)(rw + img)));
    }
    if (ps) {
        char a[24], b[24];
        human_bytes(rw, false, a, sizeof(a));
        human_bytes(rw + img, false, b, sizeof(b));
        *ps = xasprintf("%s (virtual %s)", a, b);
    }
}

static uint64_t volume_size(struct store *s, const char *name)
{
    cleanup_free char *p = xasprintf("volumes/%s/_data", name);
    cleanup_close int fd = openat(s->fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? 0 : tree_size(fd);
}

static json_t *containers_df(struct store *s)
{
    json_t *out = json_array();
    merr_t e = MERR_INIT;
    json_t *recs = ctr_list_records(s, &(struct ctr_list_opts){.all = true}, &e), *r;
    err_clear(&e);
    size_t i;
    json_array_foreach(recs, i, r)
    {
        struct ctr_rec c;
        ctr_rec_view(r, &c);
        json_t *args = json_object_get(r, "Args");
        struct sbuf cmd = {0};
        for (size_t k = 0; k < json_array_size(args); k++)
            sbuf_printf(&cmd, "%s%s", k ? " " : "",
                        json_string_value(json_array_get(args, k)) ?: "");
        const char *name = c.name ?: "";
        json_array_append_new(
            out, json_pack("{s:s,s:[s+],s:s,s:s,s:s,s:I,s:s,s:b,s:s}", "Id", c.id ?: "", "Names",
                           "/", name[0] == '/' ? name + 1 : name, "Image", c.image_name ?: "",
                           "ImageID", c.image ?: "", "Command", cmd.buf ? cmd.buf : "", "SizeRw",
                           (json_int_t)ctr_size_rw(s, c.id ?: "", r), "State", c.state.status,
                           "Running", c.state.running, "Created", c.created ?: ""));
        free(cmd.buf);
        ctr_rec_free(&c);
    }
    json_decref(recs);
    return out;
}

/* how many containers use image id */
static json_int_t users_of(json_t *ctrs, const char *id)
{
    json_int_t n = 0;
    size_t i;
    json_t *c;
    json_array_foreach(ctrs, i, c)
    {
        if (!strcmp(json_string_value(json_object_get(c, "ImageID")) ?: "", id))
            n++;
    }
    return n;
}

/* each image's layers and their sizes, and how many images hold each */
static json_t *images_df(struct store *s, json_t *ctrs, json_int_t *layers_size)
{
    json_t *out = json_array(), *count = json_object(), *sizes = json_object();
    json_t *names = store_names(s);
    char **ids = store_image_ids(s);
    struct image *imgs = xzalloc((strv_len(ids) + 1) * sizeof(*imgs));
    bool *ok = xzalloc((strv_len(ids) + 1) * sizeof(bool));
    for (size_t i = 0; ids[i]; i++) {
        merr_t e = MERR_INIT;
        ok[i] = store_image_load(s, ids[i], &imgs[i], &e) == 0;
        err_clear(&e);
        json_t *ls = json_object_get(imgs[i].manifest_json, "layers");
        for (size_t k = 0; ok[i] && k < imgs[i].nlayers; k++) {
            const char *d = imgs[i].diff_ids[k];
            json_object_set_new(count, d,
                                json_integer(json_integer_value(json_object_get(count, d)) + 1));
            json_object_set_new(
                sizes, d,
                json_integer(json_integer_value(json_object_get(json_array_get(ls, k), "size"))));
        }
    }
    *layers_size = 0;
    const char *k;
    json_t *v;
    json_object_foreach(sizes, k, v)
    {
        *layers_size += json_integer_value(v);
    }
    for (size_t i = 0; ids[i]; i++) {
        if (!ok[i])
            continue;
        json_int_t shared = 0;
        for (size_t l = 0; l < imgs[i].nlayers; l++)
            if (json_integer_value(json_object_get(count, imgs[i].diff_ids[l])) > 1)
                shared += json_integer_value(json_object_get(sizes, imgs[i].diff_ids[l]));
        char **ns = image_names(names, ids[i]);
        json_t *tags = json_array();
        for (size_t t = 0; ns[t]; t++) {
            cleanup_free char *f = ref_familiar(ns[t]);
            json_array_append_new(tags, json_string(f));
        }
        strv_free(ns);
        json_array_append_new(
            out,
            json_pack("{s:s,s:o,s:s,s:I,s:I,s:I,s:o}", "Id", ids[i], "RepoTags", tags, "Created",
                      json_string_value(json_object_get(imgs[i].config, "created")) ?: "", "Size",
                      (json_int_t)imgs[i].size, "SharedSize", shared, "Containers",
                      users_of(ctrs, ids[i]), "Layers", json_object()));
        json_t *lay = json_object_get(json_array_get(out, json_array_size(out) - 1), "Layers");
        for (size_t l = 0; l < imgs[i].nlayers; l++)
            json_object_set(lay, imgs[i].diff_ids[l], json_object_get(sizes, imgs[i].diff_ids[l]));
        image_free(&imgs[i]);
    }
    free(imgs);
    free(ok);
    strv_free(ids);
    json_decref(names);
    json_decref(count);
    json_decref(sizes);
    return out;
}

json_t *sys_df(struct store *s)
{
    json_t *ctrs = containers_df(s);
    json_int_t layers = 0;
    json_t *imgs = images_df(s, ctrs, &layers);
    json_t *vols = json_array();
    char **vn = volume_names(s);
    for (size_t i = 0; vn[i]; i++) {
        char c[16];
        json_array_append_new(vols,
                              json_pack("{s:s,s:{s:I,s:I}}", "Name", vn[i], "UsageData", "Size",
                                        (json_int_t)volume_size(s, vn[i]), "RefCount",
                                        (json_int_t)(volume_user(s, vn[i], c, sizeof(c)) ? 1 : 0)));
    }
    strv_free(vn);
    return json_pack("{s:I,s:o,s:o,s:o,s:[]}", "LayersSize", layers, "Images", imgs, "Containers",
                     ctrs, "Volumes", vols, "BuildCache");
}
