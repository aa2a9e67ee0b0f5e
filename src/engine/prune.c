/* prune.c: see prune.h. */
#include "prune.h"
#include "ctr_rec.h"
#include "sysdf.h"
#include "ctr.h"
#include "ctr_verbs.h"
#include "image_info.h"
#include "rwlayer.h"
#include "treewalk.h"
#include "volume.h"
#include "../util/util.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void prune_containers(struct store *s, json_t *deleted, uint64_t *freed)
{
    char **ids = ctr_list(s);
    for (size_t i = 0; ids[i]; i++) {
        merr_t err = MERR_INIT;
        struct ctr_rec r;
        bool have = ctr_rec_load(s, ids[i], true, &r, &err) == 0;
        bool running = have && r.state.running;
        uint64_t size = have && !running ? ctr_size_rw(s, ids[i], r.json) : 0;
        ctr_rec_free(&r);
        if (have && !running && !ctr_monitor_alive(s, ids[i]) &&
            ctr_rm(s, ids[i], false, false, &err) == 0) {
            json_array_append_new(deleted, json_string(ids[i]));
            *freed += size;
        }
        err_clear(&err);
    }
    strv_free(ids);
}

static bool runs_image(json_t *rec, const void *id)
{
    return strcmp(json_string_value(json_object_get(rec, "Image")) ?: "", id) == 0;
}

int prune_images(struct store *s, bool all, json_t *deleted, uint64_t *freed, merr_t *err)
{
    if (store_lock(s, err) < 0)
        return -1;
    json_t *names = store_names(s);
    char **ids = store_image_ids(s);
    for (size_t i = 0; ids[i]; i++) {
        char **ns = image_names(names, ids[i]);
        char cid[16];
        bool keep = (ns[0] && !all) || ctr_first(s, runs_image, ids[i], cid, sizeof(cid));
        struct image img;
        merr_t e = MERR_INIT;
        if (!keep && store_image_load(s, ids[i], &img, &e) == 0) {
            for (size_t k = 0; ns[k]; k++)
                json_object_del(names, ns[k]);
            if (store_names_save(s, names, &e) == 0 && store_image_remove(s, ids[i], &e) == 0) {
                json_array_append_new(deleted, json_string(ids[i]));
                *freed += img.size;
            }
            image_free(&img);
        }
        err_clear(&e);
        strv_free(ns);
    }
    /* and what killed imports, loads and pulls of older moats left */
    store_sweep(s, freed);
    strv_free(ids);
    json_decref(names);
    store_unlock(s);
    return 0;
}

/* Docker marks the volumes it makes for `-v /path` */
static bool anonymous(struct store *s, const char *name)
{
    merr_t e = MERR_INIT;
    json_t *v = volume_inspect(s, name, &e);
    err_clear(&e);
    json_t *labels = json_object_get(v, "Labels");
    bool anon = json_is_true(json_object_get(v, "Anonymous")) ||
                json_object_get(labels, "com.docker.volume.anonymous") != NULL;
    json_decref(v);
    return anon;
}

void prune_volumes(struct store *s, bool all, json_t *deleted, uint64_t *freed)
{
    char **names = volume_names(s);
    for (size_t i = 0; names[i]; i++) {
        char c[16];
        merr_t err = MERR_INIT;
        if ((!all && !anonymous(s, names[i])) || volume_user(s, names[i], c, sizeof(c)))
            continue;
        cleanup_free char *p = xasprintf("volumes/%s/_data", names[i]);
        cleanup_close int fd = openat(s->fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        uint64_t size = fd < 0 ? 0 : tree_size(fd);
        if (volume_remove(s, names[i], false, &err) == 0) {
            json_array_append_new(deleted, json_string(names[i]));
            *freed += size;
        }
        err_clear(&err);
    }
    strv_free(names);
}
