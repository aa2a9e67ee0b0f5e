/* ctr_commit.c: see ctr_commit.h. */
#include "ctr_commit.h"
#include "ctr.h"
#include "ctr_state.h"
#include "dockerfile_change.h"
#include "rwlayer.h"
#include "tarwrite.h"
#include "../oci/imgjson.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* the keys of a container's Config that an image keeps (Docker's) */
static const char *const kept[] = {"Cmd",        "Entrypoint", "Env",          "WorkingDir",
                                   "User",       "Labels",     "ExposedPorts", "Volumes",
                                   "StopSignal", "Healthcheck"};

/* the image's config object as the container runs it, changes applied */
static json_t *run_config(json_t *image_cfg, json_t *rec, const struct commit_opts *o, merr_t *err)
{
    json_t *c = json_deep_copy(json_object_get(image_cfg, "config"));
    if (!json_is_object(c)) {
        json_decref(c);
        c = json_object();
    }
    json_t *cc = json_object_get(rec, "Config");
    for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
        json_t *v = json_object_get(cc, kept[i]);
        if (v)
            json_object_set(c, kept[i], v);
    }
    json_t *ep = json_object_get(c, "Entrypoint");
    if (json_is_array(ep) && !json_array_size(ep))
        json_object_set_new(c, "Entrypoint", json_null());
    /* the HOSTNAME moat put into the environment is the container's, not
     * the image's */
    json_t *env = json_object_get(c, "Env");
    const char *host = json_string_value(json_object_get(cc, "Hostname"));
    if (json_is_array(env) && host) {
        cleanup_free char *h = xasprintf("HOSTNAME=%s", host);
        for (size_t i = json_array_size(env); i-- > 0;)
            if (!strcmp(json_string_value(json_array_get(env, i)) ?: "", h))
                json_array_remove(env, i);
    }
    if (dfc_apply(c, o->changes, o->nchanges, err) < 0) {
        json_decref(c);
        return NULL;
    }
    return c;
}

/* the writable layer as a tar blob in the store: its digest (and diff_id:
 * it is not compressed) and size */
static int layer_blob(struct store *s, const char *id, json_t *rec, char digest[72], uint64_t *size,
                      merr_t *err)
{
    cleanup_free char *up = xasprintf("containers/%s/%supper", id, rwl_prefix(rec));
    cleanup_close int ufd = openat(s->fd, up, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ufd < 0)
        return err_sys(err, "container %.12s: its writable layer", id);
    cleanup_free char *dir = NULL;
    if (store_tmpdir(s, &dir, err) < 0)
        return -1;
    cleanup_free char *file = xasprintf("%s/layer.tar", dir);
    cleanup_close int fd =
        openat(s->fd, file, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int ret = -1;
    if (fd < 0) {
        err_sys(err, "store: %s", file);
        goto out;
    }
    struct tarw w;
    uint32_t base = (uint32_t)json_integer_value(json_object_get(rec, "UsernsBase"));
    if (tarw_open(&w, fd, base, true, err) < 0)
        goto out;
    /* what the container's own binds are mounted on (Docker keeps them in
     * a layer of their own, never committed) */
    w.skip_empty = rwl_own_binds;
    ret = tarw_tree(&w, ufd, "", err);
    if (tarw_close(&w, ret == 0, err) < 0)
        ret = -1;
    if (ret == 0 && lseek(fd, 0, SEEK_SET) < 0)
        ret = err_sys(err, "store: %s", file);
    if (ret == 0)
        ret = store_blob_put_fd(s, fd, NULL, digest, size, err);
    if (ret == 0)
        ret = store_layer_add(s, digest, digest, err);
out:
    unlinkat(s->fd, file, 0);
    unlinkat(s->fd, dir, AT_REMOVEDIR);
    return ret < 0 ? err_wrap(err, "container %.12s: its layer", id) : 0;
}

/* the new image's config (a copy of the image's, with cfg, the layer and a
 * history entry); history has an entry per layer of the parent first */
static json_t *image_config(json_t *parent, json_t *cfg, json_t *rec, const char *cid,
                            const char *diff, const struct commit_opts *o)
{
    json_t *c = json_deep_copy(parent);
    cleanup_free char *now = ctr_now();
    json_object_set_new(c, "created", json_string(now));
    json_object_set(c, "config", cfg);
    json_object_set_new(c, "container", json_string(cid));
    if (o->author)
        json_object_set_new(c, "author", json_string(o->author));
    json_t *rootfs = json_object_get(c, "rootfs");
    json_t *ids = json_object_get(rootfs, "diff_ids");
    size_t nparent = json_array_size(ids);
    json_array_append_new(ids, json_string(diff));
    json_t *hist = json_object_get(c, "history");
    if (!json_is_array(hist)) {
        json_object_set_new(c, "history", hist = json_array());
        for (size_t i = 0; i < nparent; i++)
            json_array_append_new(
                hist, json_pack("{s:s}", "created",
                                json_string_value(json_object_get(parent, "created")) ?: ""));
    }
    struct sbuf by = {0};
    sbuf_puts(&by, "");
    json_t *cmd = json_object_get(json_object_get(rec, "Config"), "Cmd"), *x;
    size_t i;
    json_array_foreach(cmd, i, x)
    {
        sbuf_printf(&by, "%s%s", i ? " " : "", json_string_value(x) ?: "");
    }
    json_t *h = json_pack("{s:s,s:s}", "created", now, "created_by", by.buf);
    free(by.buf);
    if (o->author)
        json_object_set_new(h, "author", json_string(o->author));
    if (o->message)
        json_object_set_new(h, "comment", json_string(o->message));
    json_array_append_new(hist, h);
    return c;
}

/* the manifest of the new image: the parent's layers and the new one */
static int put_image(struct store *s, struct image *img, json_t *ic, const char *layer,
                     uint64_t lsize, const char *name, char id[72], merr_t *err)
{
    cleanup_free char *text = json_dumps(ic, JSON_COMPACT);
    char cd[72], md[72];
    if (!text || store_blob_put(s, text, strlen(text), cd, err) < 0)
        return text ? -1 : err_set(err, 0, "image config: not JSON");
    json_t *layers = json_deep_copy(json_object_get(img->manifest_json, "layers"));
    if (!json_is_array(layers)) {
        json_decref(layers);
        layers = json_array();
    }
    json_array_append_new(layers, json_pack("{s:s,s:s,s:I}", "mediaType",
                                            "application/vnd.oci.image.layer.v1.tar", "digest",
                                            layer, "size", (json_int_t)lsize));
    json_t *m = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType",
                          MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_CONFIG, "digest", cd,
                          "size", (json_int_t)strlen(text), "layers", layers);
    cleanup_free char *mt = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    if (store_blob_put(s, mt, strlen(mt), md, err) < 0)
        return -1;
    return store_image_add(s, md, name, NULL, id, err);
}

/* hold a stopped container (its monitor lock), or freeze a running one */
static int hold(struct store *s, const char *cid, json_t *rec, bool pause, int *lock, bool *paused,
                merr_t *err)
{
    if (!json_is_true(json_object_get(json_object_get(rec, "State"), "Running"))) {
        *lock = ctr_lock_open(s, cid, true);
        if (*lock < 0 || flock(*lock, LOCK_EX | LOCK_NB) < 0)
            return err_set(err, 0, "container %.12s is starting; try again", cid);
        return 0;
    }
    if (!pause || ctr_paused(s, cid))
        return 0;
    if (ctr_pause(s, cid, true, err) < 0)
        return -1;
    *paused = true;
    return 0;
}

static void release(struct store *s, const char *cid, int *lock, bool *paused)
{
    if (*paused) {
        merr_t e = MERR_INIT;
        ctr_pause(s, cid, false, &e);
        err_clear(&e);
        *paused = false;
    }
    if (*lock >= 0)
        close(*lock);
    *lock = -1;
}

int ctr_commit(struct store *s, const char *what, const struct commit_opts *o, char id[72],
               merr_t *err)
{
    cleanup_free char *full = o->ref ? image_name_full(o->ref, err) : NULL;
    char cid[65];
    if ((o->ref && !full) || ctr_find(s, what, cid, err) < 0)
        return -1;
    json_t *rec = ctr_refresh(s, cid, err), *cfg = NULL, *ic = NULL;
    if (!rec)
        return -1;
    struct image img = {0};
    int ret = -1, lock = -1;
    bool paused = false, have = false;
    const char *image = json_string_value(json_object_get(rec, "Image"));
    if (!image || store_image_load(s, image, &img, err) < 0) {
        err_wrap(err, "container %.12s: its image", cid);
        goto out;
    }
    have = true;
    /* the changes first: a bad one costs nothing */
    if (!(cfg = run_config(img.config, rec, o, err)))
        goto out;
    char layer[72];
    uint64_t lsize = 0;
    if (hold(s, cid, rec, o->pause, &lock, &paused, err) < 0 ||
        layer_blob(s, cid, rec, layer, &lsize, err) < 0)
        goto out;
    release(s, cid, &lock, &paused);
    ic = image_config(img.config, cfg, rec, cid, layer, o);
    ret = put_image(s, &img, ic, layer, lsize, full, id, err);
out:
    release(s, cid, &lock, &paused);
    if (ret < 0)
        store_rollback(s);
    if (have)
        image_free(&img);
    json_decref(ic);
    json_decref(cfg);
    json_decref(rec);
    return ret < 0 ? err_wrap(err, "commit %s", what) : 0;
}
