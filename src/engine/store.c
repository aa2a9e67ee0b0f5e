/* store.c: the engine's store (see store.h). */
#include "store.h"
#include "../oci/imgjson.h"
#include "../oci/ref.h"
#include "stores.h"
#include "unpack.h"
#include "../util/jpath.h"
#include "../util/fs.h"
#include "../util/sha256.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const dirs[] = {"blobs",  "blobs/sha256", "layers",
                                   "images", "containers",   "tmp"};

/* Everything else in tmp/ (what older versions left) is removed when no
 * other moat has the store open: every moat holds "users" shared while the
 * store is open. Staging areas whose journal is locked stay: ours, if
 * recovery made one, and a monitor's (monitors do not hold "users"). */
static void clean_tmp(struct store *s)
{
    if (flock(s->usefd, LOCK_EX | LOCK_NB) < 0)
        return;
    int t = openat(s->fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = t >= 0 ? fdopendir(t) : NULL;
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)))
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
                !store_tmp_in_use(s, de->d_name))
                rm_rf_at(dirfd(d), de->d_name);
        closedir(d);
    } else if (t >= 0) {
        close(t);
    }
    flock(s->usefd, LOCK_SH);
}

int store_open(struct store *s, const char *root, merr_t *err)
{
    memset(s, 0, sizeof(*s));
    s->fd = s->lockfd = s->usefd = s->journalfd = s->idsfd = -1;
    s->root = xstrdup(root ? root : STORE_DEFAULT_ROOT);
    if (geteuid() != 0) { /* mounts, cgroups and id maps need it */
        err_set(err, 0,
                "the engine runs as root (a rootless engine is not there yet; the "
                "runtime commands work rootless)");
        goto fail;
    }
    if (mkdir_p(s->root, 0700, err) < 0)
        goto fail;
    /* absolute from here on: paths under it go into configs and records */
    char *abs = realpath(s->root, NULL);
    if (!abs) {
        err_sys(err, "store \"%s\"", s->root);
        goto fail;
    }
    free(s->root);
    s->root = abs;
    s->fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (s->fd < 0 || fstat(s->fd, &st) < 0) {
        err_sys(err, "store \"%s\"", s->root);
        goto fail;
    }
    /* its records say what containers may mount and run as */
    if (!stores_owner_ok(&st)) {
        err_set(err, 0,
                "store \"%s\": it must be root's alone (it is uid %u's, mode %04o): whoever "
                "can write it decides what containers mount",
                s->root, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
        goto fail;
    }
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
        if (mkdirat(s->fd, dirs[i], 0700) < 0 && errno != EEXIST) {
            err_sys(err, "store \"%s\": mkdir %s", s->root, dirs[i]);
            goto fail;
        }
    s->lockfd = openat(s->fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    s->usefd = openat(s->fd, "users", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->lockfd < 0 || s->usefd < 0 || flock(s->usefd, LOCK_SH) < 0) {
        err_sys(err, "store \"%s\": lock", s->root);
        goto fail;
    }
    store_recover(s);
    clean_tmp(s);
    stores_register(s->root);
    return 0;
fail:
    store_close(s);
    return -1;
}

/* rel is about to appear: in the journal first, for a killed moat */
static int journal(struct store *s, const char *rel, merr_t *err)
{
    return store_journal_add(s, rel, err);
}

void store_commit(struct store *s)
{
    store_journal_clear(s);
}

void store_rollback(struct store *s)
{
    merr_t e = MERR_INIT;
    if (store_lock(s, &e) == 0) {
        store_rollback_journal(s);
        store_unlock(s);
    }
    /* if the lock could not be taken, what was added stays until image
     * prune sweeps what no image uses */
    err_clear(&e);
    store_commit(s);
}

void store_close(struct store *s)
{
    store_commit(s);
    store_stage_close(s);
    close_fd(&s->fd);
    close_fd(&s->lockfd);
    close_fd(&s->idsfd);
    close_fd(&s->usefd);
    free(s->pending);
    s->pending = NULL;
    free(s->root);
    s->root = NULL;
}

/* The exclusive lock for changes to names, images and containers. */
int store_lock(struct store *s, merr_t *err)
{
    while (flock(s->lockfd, LOCK_EX) < 0)
        if (errno != EINTR)
            return err_sys(err, "lock the store");
    return 0;
}

void store_unlock(struct store *s)
{
    close_fd(&s->idsfd);
    s->npending = 0;
    flock(s->lockfd, LOCK_UN);
}

char *store_rand_name(void)
{
    uint8_t b[8] = {0};
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        abort();
    return xasprintf("%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6],
                     b[7]);
}

int store_tmpdir(struct store *s, char **name, merr_t *err)
{
    if (store_stage(s, err) < 0)
        return -1;
    cleanup_free char *r = store_rand_name();
    *name = xasprintf("%s/%s", s->stage, r);
    if (mkdirat(s->fd, *name, 0700) < 0) {
        free(*name);
        *name = NULL;
        return err_sys(err, "store: mkdir tmp");
    }
    return 0;
}

int store_remove_tree(struct store *s, const char *rel)
{
    cleanup_free char *tmp = NULL;
    merr_t e = MERR_INIT;
    int r = store_tmpdir(s, &tmp, &e);
    err_clear(&e);
    if (r < 0)
        return -1;
    /* the empty directory only reserved a unique name */
    if (unlinkat(s->fd, tmp, AT_REMOVEDIR) < 0 || renameat(s->fd, rel, s->fd, tmp) < 0) {
        int saved = errno;
        unlinkat(s->fd, tmp, AT_REMOVEDIR);
        errno = saved;
        return -1;
    }
    rm_rf_at(s->fd, tmp);
    return 0;
}

static char *blob_rel(const char *digest)
{
    return xasprintf("blobs/sha256/%s", digest_hex(digest));
}

/* A new file (0600) in the staging area; its name in *tmp */
static int stage_file(struct store *s, char **tmp, merr_t *err)
{
    *tmp = NULL;
    if (store_stage(s, err) < 0)
        return -1;
    cleanup_free char *r = store_rand_name();
    *tmp = xasprintf("%s/f-%s", s->stage, r);
    int w = openat(s->fd, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w < 0)
        return err_sys(err, "store: create a file in %s", s->stage);
    return w;
}

/* data in a new file of the staging area (its name into *tmp) */
static int stage_write(struct store *s, const void *data, size_t len, char **tmp, merr_t *err)
{
    int w = stage_file(s, tmp, err);
    if (w < 0)
        return -1;
    int r = write_all(w, data, len);
    if (close(w) < 0 || r < 0) {
        unlinkat(s->fd, *tmp, 0);
        return err_sys(err, "store: write %s", *tmp);
    }
    return 0;
}

int store_write_file(struct store *s, const char *rel, const char *data, size_t len, merr_t *err)
{
    cleanup_free char *tmp = NULL;
    if (stage_write(s, data, len, &tmp, err) < 0)
        return -1;
    if (renameat(s->fd, tmp, s->fd, rel) < 0) {
        unlinkat(s->fd, tmp, 0);
        return err_sys(err, "store: rename %s", rel);
    }
    return 0;
}

/* Move the staged file tmp into place as the blob `digest`, journaled
 * first when it is new */
static int blob_install(struct store *s, const char *tmp, const char *digest, merr_t *err)
{
    cleanup_free char *dst = blob_rel(digest);
    bool fresh = faccessat(s->fd, dst, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
    if (fresh && journal(s, dst, err) < 0)
        return -1;
    if (renameat(s->fd, tmp, s->fd, dst) < 0)
        return err_sys(err, "store: rename blob");
    return 0;
}

int store_blob_put_fd(struct store *s, int fd, const char *expect, char out[72], uint64_t *size,
                      merr_t *err)
{
    if (expect && !digest_valid(expect))
        return err_set(err, 0, "digest \"%s\": not sha256: and 64 hex digits", expect);
    cleanup_free char *tmp = NULL;
    cleanup_close int w = stage_file(s, &tmp, err);
    if (w < 0)
        return -1;
    struct sha256 h;
    sha256_init(&h);
    cleanup_free char *buf = xmalloc(1 << 16);
    uint64_t total = 0;
    int ret = -1;
    for (;;) {
        ssize_t n = read(fd, buf, 1 << 16);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err_sys(err, "read");
            goto out;
        }
        if (n == 0)
            break;
        sha256_update(&h, buf, (size_t)n);
        total += (uint64_t)n;
        if (write_all(w, buf, (size_t)n) < 0) {
            err_sys(err, "store: write blob");
            goto out;
        }
    }
    sha256_digest(&h, out);
    if (expect && strcmp(out, expect) != 0) {
        err_set(err, 0, "blob %s: its content has digest %s", expect, out);
        goto out;
    }
    if (fsync(w) < 0) {
        err_sys(err, "store: fsync blob");
        goto out;
    }
    if (blob_install(s, tmp, out, err) < 0)
        goto out;
    if (size)
        *size = total;
    ret = 0;
out:
    if (ret < 0)
        unlinkat(s->fd, tmp, 0);
    return ret;
}

int store_blob_put(struct store *s, const void *data, size_t len, char out[72], merr_t *err)
{
    /* small documents (manifests, configs) */
    char hex[65];
    sha256_hex(data, len, hex);
    snprintf(out, 72, "sha256:%s", hex);
    cleanup_free char *dst = blob_rel(out);
    if (faccessat(s->fd, dst, F_OK, 0) == 0)
        return 0;
    cleanup_free char *tmp = NULL;
    if (stage_write(s, data, len, &tmp, err) < 0)
        return -1;
    int r = blob_install(s, tmp, out, err);
    if (r < 0)
        unlinkat(s->fd, tmp, 0);
    return r;
}

bool store_blob_has(struct store *s, const char *digest)
{
    if (!digest_valid(digest))
        return false;
    cleanup_free char *p = blob_rel(digest);
    return faccessat(s->fd, p, F_OK, 0) == 0;
}

int store_blob_open(struct store *s, const char *digest, merr_t *err)
{
    if (!digest_valid(digest))
        return err_set(err, 0, "digest \"%s\": not sha256: and 64 hex digits", digest);
    cleanup_free char *p = blob_rel(digest);
    int fd = openat(s->fd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return err_sys(err, "blob %s", digest);
    return fd;
}

json_t *store_blob_json(struct store *s, const char *digest, merr_t *err)
{
    cleanup_close int fd = store_blob_open(s, digest, err);
    if (fd < 0)
        return NULL;
    cleanup_free char *what = xasprintf("blob %s", digest);
    return jload_fd(fd, what, err);
}

bool store_layer_has(struct store *s, const char *diff_id)
{
    if (!digest_valid(diff_id))
        return false;
    cleanup_free char *p = xasprintf("layers/%s", digest_hex(diff_id));
    return faccessat(s->fd, p, F_OK, 0) == 0;
}

char *store_layer_path(struct store *s, const char *diff_id)
{
    return xasprintf("%s/layers/%s/diff", s->root, digest_hex(diff_id));
}

int store_layer_add(struct store *s, const char *digest, const char *diff_id, merr_t *err)
{
    if (!digest_valid(diff_id))
        return err_set(err, 0, "diff_id \"%s\": not sha256: and 64 hex digits", diff_id);
    if (store_layer_has(s, diff_id))
        return 0;
    struct unpack_opts o;
    unpack_defaults(&o);
    cleanup_close int fd = store_blob_open(s, digest, err);
    if (fd < 0)
        return -1;
    char got[72];
    /* the uncompressed stream must be the one the config names, before
     * anything of it is written */
    if (unpack_stream_digest(fd, o.max_bytes + o.max_entries * 1024 + (1 << 20), got, err) < 0)
        return err_wrap(err, "layer %s", digest);
    if (strcmp(got, diff_id) != 0)
        return err_set(err, 0, "layer %s: its content has diff_id %s, the image says %s", digest,
                       got, diff_id);
    if (lseek(fd, 0, SEEK_SET) < 0)
        return err_sys(err, "layer %s: seek", digest);
    cleanup_free char *tmp = NULL;
    if (store_tmpdir(s, &tmp, err) < 0)
        return -1;
    cleanup_free char *diff = xasprintf("%s/diff", tmp);
    cleanup_free char *dst = xasprintf("layers/%s", digest_hex(diff_id));
    int ret = -1;
    cleanup_close int dfd = -1;
    if (mkdirat(s->fd, diff, 0755) < 0) {
        err_sys(err, "store: mkdir");
        goto out;
    }
    dfd = openat(s->fd, diff, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct unpack_stats st;
    if (dfd < 0 || unpack_tar(fd, dfd, &o, &st, err) < 0) {
        if (dfd < 0)
            err_sys(err, "store: open layer directory");
        err_wrap(err, "layer %s", digest);
        goto out;
    }
    if (journal(s, dst, err) < 0)
        goto out;
    if (renameat(s->fd, tmp, s->fd, dst) < 0 && errno != EEXIST && errno != ENOTEMPTY) {
        err_sys(err, "store: rename layer");
        goto out;
    }
    ret = 0;
out:
    rm_rf_at(s->fd, tmp); /* gone after a rename; else what was written */
    return ret;
}

/* ---- images ---- */

void image_free(struct image *img)
{
    json_decref(img->config);
    json_decref(img->manifest_json);
    strv_free(img->diff_ids);
    memset(img, 0, sizeof(*img));
}

int store_image_load(struct store *s, const char *id, struct image *img, merr_t *err)
{
    memset(img, 0, sizeof(*img));
    if (!digest_valid(id))
        return err_set(err, 0, "image id \"%s\": not a sha256 digest", id);
    cleanup_free char *what = xasprintf("image %.19s", id);
    cleanup_free char *rel = xasprintf("images/%s.json", digest_hex(id));
    cleanup_free char *text = NULL;
    if (read_file_at(s->fd, rel, &text, NULL, NULL) < 0)
        return err_set(err, 0, "image %.19s: not in the store", id);
    json_t *rec = json_loads(text, 0, NULL);
    const char *m = rec ? json_string_value(json_object_get(rec, "manifest")) : NULL;
    if (!m || !digest_valid(m)) {
        json_decref(rec);
        return err_set(err, 0, "image %.19s: damaged record", id);
    }
    snprintf(img->id, sizeof(img->id), "%s", id);
    snprintf(img->manifest, sizeof(img->manifest), "%s", m);
    json_decref(rec);
    img->manifest_json = store_blob_json(s, img->manifest, err);
    img->config = img->manifest_json ? store_blob_json(s, id, err) : NULL;
    if (!img->config)
        goto bad;
    struct img_manifest im;
    if (img_manifest_check(img->manifest_json, what, &im, err) < 0 || im.index ||
        img_config_diff_ids(img->config, what, im.nlayers, &img->diff_ids, err) < 0) {
        if (im.index)
            err_set(err, 0, "%s: its manifest is an index", what);
        img_manifest_free(&im);
        goto bad;
    }
    img->nlayers = im.nlayers;
    for (size_t i = 0; i < im.nlayers; i++)
        img->size += im.layers[i].size;
    img_manifest_free(&im);
    return 0;
bad:
    image_free(img);
    return -1;
}

json_t *store_json_object(struct store *s, const char *rel)
{
    cleanup_free char *text = NULL;
    json_t *j = NULL;
    if (read_file_at(s->fd, rel, &text, NULL, NULL) == 0)
        j = json_loads(text, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    return j;
}

int store_image_add(struct store *s, const char *manifest, const char *name, const char *dref,
                    char id[72], merr_t *err)
{
    json_t *m = store_blob_json(s, manifest, err);
    if (!m)
        return -1;
    const char *cfg = json_string_value(json_object_get(json_object_get(m, "config"), "digest"));
    int ret = -1;
    if (!digest_valid(cfg)) {
        err_set(err, 0, "manifest %s: config.digest: not a sha256 digest", manifest);
        json_decref(m);
        return -1;
    }
    snprintf(id, 72, "%s", cfg);
    cleanup_free char *rec = xasprintf("{\"manifest\":\"%s\"}\n", manifest);
    cleanup_free char *rel = xasprintf("images/%s.json", digest_hex(id));
    if (store_lock(s, err) < 0)
        goto out;
    struct image img;
    if (store_write_file(s, rel, rec, strlen(rec), err) < 0 ||
        store_image_load(s, id, &img, err) < 0) {
        store_unlock(s);
        goto out;
    }
    /* every layer and blob must still be there (a concurrent rmi or prune
     * may have won) */
    bool whole = true;
    for (size_t i = 0; i < img.nlayers && whole; i++) {
        const char *blob = json_string_value(
            json_object_get(json_array_get(json_object_get(m, "layers"), i), "digest"));
        if (!store_layer_has(s, img.diff_ids[i]) || !store_blob_has(s, blob)) {
            err_set(err, 0, "layer %s was removed meanwhile; try again", img.diff_ids[i]);
            whole = false;
        }
    }
    image_free(&img);
    if (!whole) {
        unlinkat(s->fd, rel, 0);
        store_unlock(s);
        goto out;
    }
    ret = name || dref ? store_name_set(s, name, dref, id, err) : 0;
    store_unlock(s);
out:
    json_decref(m);
    return ret;
}

/* "HEX.json" -> "sha256:HEX" */
static char *keep_image(const char *name, void *ctx)
{
    (void)ctx;
    if (strlen(name) != 64 + 5 || strcmp(name + 64, ".json") != 0)
        return NULL;
    char *id = xasprintf("sha256:%.64s", name);
    if (!digest_valid(id)) {
        free(id);
        return NULL;
    }
    return id;
}

char **store_image_ids(struct store *s)
{
    return dir_collect(s->fd, "images", keep_image, NULL);
}

int store_image_find(struct store *s, const char *what, char id[72], merr_t *err)
{
    if (!what || !*what)
        return err_set(err, 0, "image: empty name");
    /* a name */
    merr_t e2 = MERR_INIT;
    struct ref r;
    if (ref_parse(what, &r, &e2) == 0) {
        /* NAME[:TAG]@DIGEST: the image a pull recorded under NAME@DIGEST
         * (the digest wins over a tag beside it, as in Docker) */
        bool found = store_digest_find(s, &r, id);
        cleanup_free char *full = r.digest ? NULL : ref_string(&r);
        json_t *names = full ? store_names(s) : NULL;
        const char *v = json_string_value(json_object_get(names, full));
        if (!found && v && digest_valid(v)) {
            snprintf(id, 72, "%s", v);
            found = true;
        }
        json_decref(names);
        ref_free(&r);
        if (found)
            return 0;
    }
    err_clear(&e2);
    /* an id or a prefix of one (at least 4 hex digits) */
    const char *hex = strncmp(what, "sha256:", 7) == 0 ? what + 7 : what;
    size_t hl = strlen(hex);
    bool hexy = hl >= 4 && hl <= 64 && strspn(hex, "0123456789abcdef") == hl;
    if (hexy) {
        char **ids = store_image_ids(s);
        size_t found = 0;
        for (size_t i = 0; ids[i]; i++)
            if (strncmp(ids[i] + 7, hex, hl) == 0 && found++ == 0)
                snprintf(id, 72, "%s", ids[i]);
        strv_free(ids);
        if (found == 1)
            return 0;
        if (found > 1)
            return err_set(err, 0, "image \"%s\": ambiguous id prefix", what);
    }
    return err_set(err, 0, "image \"%s\": no such image in the store", what);
}

void store_refs(struct store *s, const char *skip, json_t *digests, json_t *diffs)
{
    char **ids = store_image_ids(s);
    for (size_t i = 0; ids[i]; i++) {
        if (strcmp(ids[i], skip) == 0)
            continue;
        struct image img;
        merr_t e = MERR_INIT;
        if (store_image_load(s, ids[i], &img, &e) < 0) {
            err_clear(&e);
            continue;
        }
        json_object_set_new(digests, img.id, json_true());
        json_object_set_new(digests, img.manifest, json_true());
        json_t *l;
        size_t k;
        json_array_foreach(json_object_get(img.manifest_json, "layers"), k, l)
        {
            const char *d = json_string_value(json_object_get(l, "digest"));
            if (d)
                json_object_set_new(digests, d, json_true());
        }
        for (size_t j = 0; j < img.nlayers; j++)
            json_object_set_new(diffs, img.diff_ids[j], json_true());
        image_free(&img);
    }
    strv_free(ids);
}

static void drop_blob(struct store *s, json_t *keep, const char *d)
{
    if (d && digest_valid(d) && !json_object_get(keep, d)) {
        cleanup_free char *p = blob_rel(d);
        unlinkat(s->fd, p, 0);
    }
}

int store_image_remove(struct store *s, const char *id, merr_t *err)
{
    struct image img;
    if (store_image_load(s, id, &img, err) < 0)
        return -1;
    json_t *digests = json_object(), *diffs = json_object();
    store_refs(s, id, digests, diffs);
    cleanup_free char *rel = xasprintf("images/%s.json", digest_hex(id));
    int ret = 0;
    if (unlinkat(s->fd, rel, 0) < 0)
        ret = err_sys(err, "remove image %.19s", id);
    for (size_t i = 0; ret == 0 && i < img.nlayers; i++) {
        if (json_object_get(diffs, img.diff_ids[i]))
            continue;
        cleanup_free char *src = xasprintf("layers/%s", digest_hex(img.diff_ids[i]));
        (void)store_remove_tree(s, src);
    }
    if (ret == 0) {
        json_t *l;
        size_t k;
        json_t *ls = json_object_get(img.manifest_json, "layers");
        json_array_foreach(ls, k, l)
        {
            drop_blob(s, digests, json_string_value(json_object_get(l, "digest")));
        }
        drop_blob(s, digests, img.manifest);
        drop_blob(s, digests, img.id);
    }
    json_decref(digests);
    json_decref(diffs);
    image_free(&img);
    return ret;
}
