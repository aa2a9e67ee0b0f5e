/* prune.c: see prune.h. */
#include "prune.h"
#include "image_rm.h"
#include "filters.h"
#include "ctr_rec.h"
#include "sysdf.h"
#include "ctr.h"
#include "ctr_verbs.h"
#include "image_info.h"
#include "rwlayer.h"
#include "treewalk.h"
#include "volume.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const ctr_keys[] = {"label", "label!", "until", NULL};
static const char *const img_keys[] = {"label", "label!", "until", NULL};
static const char *const vol_keys[] = {"label", "label!", "all", NULL};
static const char *const net_keys[] = {"label", "label!", "until", NULL};
static const char *const all_keys[] = {"label", "label!", "until", "all", NULL};

static bool takes(const char *const *keys, const char *key)
{
    for (size_t i = 0; keys[i]; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

/* every key of f is one that each prune of what takes */
static int keys_taken(json_t *f, unsigned what, merr_t *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        if ((what & PRUNE_VOLUMES) && what != PRUNE_VOLUMES && strcmp(k, "until") == 0)
            return err_set(err, 0, "the \"until\" filter is not supported with \"--volumes\"");
        if (((what & PRUNE_CONTAINERS) && !takes(ctr_keys, k)) ||
            ((what & PRUNE_IMAGES) && !takes(img_keys, k)) ||
            ((what & PRUNE_VOLUMES) && !takes(vol_keys, k)) ||
            ((what & PRUNE_NETWORKS) && !takes(net_keys, k)))
            return err_set(err, 0, "invalid filter '%s'", k);
    }
    return 0;
}

int prune_filter_parse(char *const *args, unsigned what, bool vol_all, struct prune_filter *pf,
                       merr_t *err)
{
    memset(pf, 0, sizeof(*pf));
    pf->until = INT64_MAX;
    json_t *f = filters_parse(args, all_keys, err);
    if (!f || keys_taken(f, what, err) < 0 ||
        filters_until(f, timearg_now(), &pf->until, err) < 0 ||
        filters_bool(f, "all", false, &pf->all, err) < 0) {
        json_decref(f);
        pf->until = INT64_MAX;
        pf->all = false;
        return -1;
    }
    if (vol_all && json_object_get(f, "all")) {
        json_decref(f);
        pf->all = false;
        return err_set(err, 0, "conflicting options: cannot specify both --all and --filter all=1");
    }
    pf->args = f;
    return 0;
}

void prune_filter_free(struct prune_filter *pf)
{
    json_decref(pf->args);
    pf->args = NULL;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **prune_filter_list(const struct prune_filter *pf)
{
    char **out = NULL;
    const char *k;
    json_t *vals;
    json_object_foreach(pf ? pf->args : NULL, k, vals)
    {
        size_t i;
        json_t *v;
        json_array_foreach(vals, i, v)
        {
            cleanup_free char *kv = xasprintf("%s=%s", k, json_string_value(v));
            strv_push(&out, kv);
        }
    }
    if (out)
        qsort(out, strv_len(out), sizeof(*out), by_text);
    return out;
}

/* created (RFC 3339: an image's may be anything) at or before pf's
 * until; a time that cannot be read is not (Docker keeps what has none) */
static bool until_ok(const struct prune_filter *pf, const char *created)
{
    int64_t t;
    if (!pf || pf->until == INT64_MAX)
        return true;
    return created && isdigit((unsigned char)created[0]) && strchr(created, 'T') &&
           timearg_parse(created, 0, &t) == 0 && t <= pf->until;
}

static bool labels_ok(const struct prune_filter *pf, json_t *labels)
{
    return !pf || filters_match_labels(pf->args, labels);
}

void prune_containers(struct store *s, const struct prune_filter *pf, json_t *deleted,
                      uint64_t *freed)
{
    char **ids = ctr_list(s);
    for (size_t i = 0; ids[i]; i++) {
        merr_t err = MERR_INIT;
        struct ctr_rec r;
        bool have = ctr_rec_load(s, ids[i], true, &r, &err) == 0;
        bool running = have && r.state.running;
        const char *owner = have ? json_string_value(json_object_get(r.json, "Owner")) : NULL;
        if (pf && pf->owner && (!owner || strcmp(owner, pf->owner))) {
            if (have)
                ctr_rec_free(&r);
            err_clear(&err);
            continue;
        }
        if (have && !running && (!until_ok(pf, r.created) || !labels_ok(pf, r.config.labels))) {
            ctr_rec_free(&r);
            continue;
        }
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

/* img passes pf: its created time and its labels */
static bool image_ok(const struct prune_filter *pf, const struct image *img)
{
    json_t *labels = json_object_get(json_object_get(img->config, "config"), "Labels");
    return until_ok(pf, json_string_value(json_object_get(img->config, "created"))) &&
           labels_ok(pf, labels);
}

int prune_images(struct store *s, bool all, const struct prune_filter *pf, json_t *deleted,
                 uint64_t *freed, merr_t *err)
{
    if (store_lock(s, err) < 0)
        return -1;
    json_t *names = store_names(s), *digests = store_digests(s);
    char **ids = store_image_ids(s);
    for (size_t i = 0; ids[i]; i++) {
        char **ns = image_names(names, ids[i]), **ds = image_names(digests, ids[i]);
        char cid[16];
        /* dangling: neither a tag nor a digest reference */
        bool keep = ((ns[0] || ds[0]) && !all) || image_user(s, ids[i], cid, sizeof(cid));
        struct image img;
        merr_t e = MERR_INIT;
        if (!keep && store_image_load(s, ids[i], &img, &e) == 0) {
            if (!image_ok(pf, &img)) {
                image_free(&img);
                strv_free(ns);
                strv_free(ds);
                continue;
            }
            for (size_t k = 0; ns[k]; k++)
                json_object_del(names, ns[k]);
            for (size_t k = 0; ds[k]; k++)
                json_object_del(digests, ds[k]);
            if (store_names_save(s, names, &e) == 0 && store_digests_save(s, digests, &e) == 0 &&
                store_image_remove(s, ids[i], &e) == 0) {
                json_array_append_new(deleted, json_string(ids[i]));
                *freed += img.size;
            }
            image_free(&img);
        }
        err_clear(&e);
        strv_free(ns);
        strv_free(ds);
    }
    /* and what killed imports, loads and pulls of older moats left */
    store_sweep(s, freed);
    strv_free(ids);
    json_decref(names);
    json_decref(digests);
    store_unlock(s);
    return 0;
}

/* Docker's: anonymous volumes (it marks those it makes for `-v /path`
 * with a label), unless all; and pf's labels */
static bool volume_ok(struct store *s, const char *name, bool all, const struct prune_filter *pf)
{
    merr_t e = MERR_INIT;
    json_t *v = volume_inspect(s, name, &e);
    err_clear(&e);
    json_t *labels = json_object_get(v, "Labels");
    bool ok = v && (all || json_object_get(labels, "com.docker.volume.anonymous") != NULL) &&
              labels_ok(pf, labels);
    json_decref(v);
    if (ok && pf && pf->owner) { /* the API's restricted caller: its own only */
        json_t *rec = volume_stored(s, name);
        const char *o = json_string_value(json_object_get(rec, "Owner"));
        ok = o && strcmp(o, pf->owner) == 0;
        json_decref(rec);
    }
    return ok;
}

void prune_volumes(struct store *s, bool all, const struct prune_filter *pf, json_t *deleted,
                   uint64_t *freed)
{
    char **names = volume_names(s);
    all = all || (pf && pf->all);
    for (size_t i = 0; names[i]; i++) {
        char c[16];
        merr_t err = MERR_INIT;
        if (!volume_ok(s, names[i], all, pf) || volume_user(s, names[i], c, sizeof(c)))
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
