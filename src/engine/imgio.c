/* imgio.c: import, load and save (see imgio.h). */
#include "imgio.h"
#include "../oci/ref.h"
#include "dockerfile_change.h"
#include "unpack.h"
#include "events.h"
#include "../kernel/mount.h"
#include "../util/jpath.h"
#include "../util/fs.h"
#include "../util/sha256.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *layer_media_type(int fd)
{
    unsigned char m[4] = {0};
    ssize_t n = pread(fd, m, sizeof(m), 0);
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        return "application/vnd.oci.image.layer.v1.tar+gzip";
    if (n == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        return "application/vnd.oci.image.layer.v1.tar+zstd";
    return "application/vnd.oci.image.layer.v1.tar";
}

static json_t *descriptor(const char *mt, const char *digest, uint64_t size)
{
    return json_pack("{s:s,s:s,s:I}", "mediaType", mt, "digest", digest, "size", (json_int_t)size);
}

/* Store an OCI manifest for `config` (a JSON blob) and the layer blobs
 * `layers` (digests); returns the image id. */
static int add_manifest(struct store *s, const char *config, char **layers, const char *name,
                        char id[72], merr_t *err)
{
    uint64_t csize = 0;
    cleanup_close int cfd = store_blob_open(s, config, err);
    struct stat st;
    if (cfd < 0 || fstat(cfd, &st) < 0)
        return -1;
    csize = (uint64_t)st.st_size;
    json_t *ls = json_array();
    for (size_t i = 0; layers[i]; i++) {
        cleanup_close int fd = store_blob_open(s, layers[i], err);
        if (fd < 0 || fstat(fd, &st) < 0) {
            json_decref(ls);
            return -1;
        }
        json_array_append_new(ls,
                              descriptor(layer_media_type(fd), layers[i], (uint64_t)st.st_size));
    }
    json_t *m = json_pack("{s:i,s:s,s:o,s:o}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
                          "config", descriptor(MT_OCI_CONFIG, config, csize), "layers", ls);
    cleanup_free char *text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    char md[72];
    if (store_blob_put(s, text, strlen(text), md, err) < 0)
        return -1;
    return store_image_add(s, md, name, NULL, id, err);
}

/* Verify and unpack the layer blobs against config's rootfs.diff_ids. */
static int add_layers(struct store *s, const char *config, char **layers, merr_t *err)
{
    json_t *c = store_blob_json(s, config, err);
    if (!c)
        return -1;
    char **ids = NULL;
    cleanup_free char *what = xasprintf("config %.19s", config);
    int ret = img_config_diff_ids(c, what, strv_len(layers), &ids, err);
    for (size_t i = 0; ret == 0 && layers[i]; i++)
        ret = store_layer_add(s, layers[i], ids[i], err);
    strv_free(ids);
    json_decref(c);
    return ret;
}

int image_import(struct store *s, int fd, const char *name, char *const *changes, size_t nchanges,
                 const char *message, char id[72], merr_t *err)
{
    cleanup_free char *full = name ? image_name_full(name, err) : NULL;
    if (name && !full)
        return -1;
    /* the changes first: a bad one reads nothing */
    json_t *run = json_object();
    if (dfc_apply(run, changes, nchanges, err) < 0) {
        json_decref(run);
        return err_wrap(err, "import");
    }
    char layer[72], diff[72];
    cleanup_close int lfd = -1;
    struct unpack_opts o;
    unpack_defaults(&o);
    if (store_blob_put_fd(s, fd, NULL, layer, NULL, err) < 0 ||
        (lfd = store_blob_open(s, layer, err)) < 0 ||
        unpack_stream_digest(lfd, o.max_bytes + o.max_entries * 1024 + (1 << 20), diff, err) < 0) {
        json_decref(run);
        return err_wrap(err, "import");
    }
    char now[40];
    utc_now_rfc3339(now, sizeof(now));
    now[19] = 'Z'; /* seconds are enough */
    now[20] = 0;
    json_t *cfg =
        json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:[s]},s:[{s:s,s:s}]}", "architecture", "amd64", "os",
                  "linux", "created", now, "config", run, "rootfs", "type", "layers", "diff_ids",
                  diff, "history", "created", now, "created_by", "moat import");
    if (message)
        json_object_set_new(json_array_get(json_object_get(cfg, "history"), 0), "comment",
                            json_string(message));
    cleanup_free char *text = json_dumps(cfg, JSON_COMPACT);
    json_decref(cfg);
    char cd[72];
    char *layers[] = {layer, NULL};
    if (store_blob_put(s, text, strlen(text), cd, err) < 0 || add_layers(s, cd, layers, err) < 0)
        return -1;
    if (add_manifest(s, cd, layers, full, id, err) < 0)
        return -1;
    events_image(s, id, id, "import");
    return 0;
}

/* ---- load ---- */

static int put_file(struct store *s, int root, const char *path, const char *expect, char out[72],
                    merr_t *err)
{
    if (!path)
        return err_set(err, 0, "missing file name");
    /* O_NONBLOCK: a FIFO in a hostile archive must not hang the open */
    cleanup_close int fd = mnt_openat_in_root(root, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd < 0 && errno == ENOENT && expect && store_blob_has(s, expect)) {
        snprintf(out, 72, "%s", expect); /* a pull skipped what the store has */
        return 0;
    }
    /* a path from the archive: quoted cut */
    if (fd < 0 || fstat(fd, &st) < 0)
        return err_sys(err, "\"%.200s\"", path);
    if (!S_ISREG(st.st_mode))
        return err_set(err, 0, "\"%.200s\": not a regular file", path);
    if (store_blob_put_fd(s, fd, expect, out, NULL, err) < 0)
        return err_wrap(err, "\"%.200s\"", path);
    return 0;
}

static json_t *load_json_in(int root, const char *path, merr_t *err)
{
    cleanup_close int fd = mnt_openat_in_root(root, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        err_sys(err, "%s", path);
        return NULL;
    }
    return jload_fd(fd, path, err);
}

static void say_loaded(struct sbuf *out, const char *name, const char *id)
{
    if (name) {
        cleanup_free char *f = ref_familiar(name);
        sbuf_printf(out, "Loaded image: %s\n", f);
    } else {
        sbuf_printf(out, "Loaded image ID: %s\n", id);
    }
}

/* manifest.json: [{"Config": PATH, "RepoTags": [...], "Layers": [PATH...]}] */
static int load_docker(struct store *s, int root, json_t *list, struct sbuf *out, merr_t *err)
{
    struct img_darchive *v;
    size_t n;
    if (img_darchive_check(list, &v, &n, err) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        const struct img_darchive *m = &v[i];
        char cfg[72], id[72];
        if (put_file(s, root, m->config, NULL, cfg, err) < 0) {
            r = err_wrap(err, "manifest.json[%zu].Config", i);
            break;
        }
        char **layers = xzalloc((m->nlayers + 1) * sizeof(char *));
        for (size_t k = 0; k < m->nlayers && r == 0; k++) {
            char d[72];
            r = put_file(s, root, m->layers[k], NULL, d, err);
            if (r < 0)
                err_wrap(err, "manifest.json[%zu].Layers[%zu]", i, k);
            else
                layers[k] = xstrdup(d);
        }
        if (r == 0)
            r = add_layers(s, cfg, layers, err);
        if (r == 0)
            r = add_manifest(s, cfg, layers, m->names[0], id, err);
        strv_free(layers);
        if (r == 0)
            say_loaded(out, m->names[0], id);
        for (size_t k = 1; r == 0 && m->names[0] && m->names[k]; k++)
            if (store_tag(s, m->names[k], id, err) < 0)
                r = err_wrap(err, "manifest.json[%zu].RepoTags[%zu]", i, k);
    }
    img_darchive_free(v, n);
    return r;
}

/* a manifest descriptor of index.json, or the linux/amd64 one of an index,
 * named name and with the digest reference dref (either may be NULL); the
 * image id (its config's digest) goes to idout[72] if not NULL */
static int load_oci_manifest(struct store *s, int root, const char *digest, const char *name,
                             const char *dref, struct sbuf *out, char *idout, int depth,
                             merr_t *err)
{
    if (!digest_valid(digest))
        return err_set(err, 0, "digest \"%s\": not sha256: and 64 hex digits",
                       digest ? digest : "");
    cleanup_free char *path = xasprintf("blobs/sha256/%s", digest_hex(digest));
    char d[72];
    if (put_file(s, root, path, digest, d, err) < 0)
        return -1;
    json_t *j = store_blob_json(s, digest, err);
    if (!j)
        return -1;
    struct img_manifest m;
    cleanup_free char *what = xasprintf("manifest %s", digest);
    cleanup_free char *cpath = NULL;
    int ret = -1;
    if (img_manifest_check(j, what, &m, err) < 0)
        goto out;
    if (m.index) { /* an index: this machine's platform */
        const struct img_desc *e = img_index_pick(&m);
        if (depth > 2)
            err_set(err, 0, "index %s: nested too deep", digest);
        else if (!e)
            err_set(err, 0, "index %s: no image for linux/amd64", digest);
        else
            ret = load_oci_manifest(s, root, e->digest, name, dref, out, idout, depth + 1, err);
        goto out;
    }
    cpath = xasprintf("blobs/sha256/%s", digest_hex(m.config.digest));
    if (put_file(s, root, cpath, m.config.digest, d, err) < 0)
        goto out;
    char **layers = xzalloc((m.nlayers + 1) * sizeof(char *));
    int r = 0;
    for (size_t k = 0; k < m.nlayers && r == 0; k++) {
        const char *ld = m.layers[k].digest;
        cleanup_free char *lp = xasprintf("blobs/sha256/%s", digest_hex(ld));
        r = put_file(s, root, lp, ld, d, err);
        if (r == 0)
            layers[k] = xstrdup(ld);
    }
    char id[72];
    if (r == 0)
        r = add_layers(s, m.config.digest, layers, err);
    if (r == 0)
        r = store_image_add(s, digest, name, dref, id, err);
    strv_free(layers);
    if (r == 0) {
        say_loaded(out, name, id);
        if (idout)
            memcpy(idout, id, 72);
        ret = 0;
    }
out:
    img_manifest_free(&m);
    json_decref(j);
    return ret;
}

/* The name of an index.json entry (NULL if none); -1 if it is not valid */
static int oci_name(json_t *e, char **full, merr_t *err)
{
    json_t *ann = json_object_get(e, "annotations");
    const char *n = json_string_value(json_object_get(ann, "io.containerd.image.name"));
    if (!n)
        n = json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
    *full = NULL;
    /* a ref.name without ':' is a bare tag ("latest"), not a name */
    if (n && strchr(n, ':') && !(*full = image_name_full(n, err)))
        return -1;
    return 0;
}

static int load_oci(struct store *s, int root, json_t *index, struct sbuf *out, merr_t *err)
{
    json_t *ms = json_object_get(index, "manifests");
    if (!json_is_array(ms) || !json_array_size(ms))
        return err_set(err, 0, "index.json: manifests: not a list of images");
    size_t i;
    json_t *e;
    json_array_foreach(ms, i, e)
    { /* every name first: nothing is stored for an archive with a bad one */
        char *full;
        if (oci_name(e, &full, err) < 0)
            return err_wrap(err, "index.json: manifests[%zu]: name", i);
        free(full);
    }
    json_array_foreach(ms, i, e)
    {
        cleanup_free char *full = NULL;
        if (oci_name(e, &full, err) < 0 ||
            load_oci_manifest(s, root, json_string_value(json_object_get(e, "digest")), full, NULL,
                              out, NULL, 0, err) < 0)
            return err_wrap(err, "index.json: manifests[%zu]", i);
    }
    return 0;
}

static int load_dir(struct store *s, int root, struct sbuf *out, merr_t *err)
{
    json_t *j;
    int ret = -1;
    if (faccessat(root, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        j = load_json_in(root, "manifest.json", err);
        ret = j ? load_docker(s, root, j, out, err) : -1;
    } else if (faccessat(root, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        j = load_json_in(root, "index.json", err);
        ret = j ? load_oci(s, root, j, out, err) : -1;
    } else {
        j = NULL;
        err_set(err, 0,
                "archive: neither manifest.json (docker-archive) nor index.json "
                "(OCI layout) at its top");
    }
    json_decref(j);
    return ret;
}

/* the document `digest` of the layout at root (a manifest or an index:
 * what moat-fetch fetched, read as untrusted), checked against its digest */
static json_t *layout_doc(int root, const char *digest, struct img_manifest *m, merr_t *err)
{
    cleanup_free char *path = xasprintf("blobs/sha256/%s", digest_hex(digest));
    cleanup_close int fd = mnt_openat_in_root(root, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    cleanup_free char *text = NULL;
    size_t len = 0;
    char got[72];
    json_t *keep = NULL;
    if (fd < 0 || read_regular_fd(fd, 4 << 20, &text, &len) < 0) {
        err_sys(err, "%s", path);
        return NULL;
    }
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, text, len);
    sha256_digest(&h, got);
    cleanup_free char *what = xasprintf("manifest %s", digest);
    if (strcmp(got, digest) != 0)
        err_set(err, 0, "%s: its content has digest %s", what, got);
    else if (img_manifest_parse(text, len, what, m, &keep, err) < 0)
        keep = NULL;
    return keep;
}

/* The repo digest (what the registry served for the reference) leads to
 * the manifest fetched: it is that manifest, or an index of the layout
 * whose linux/amd64 entry leads to it (two indexes deep at most, as
 * moat-fetch follows them). */
static int repo_digest_check(int root, const char *repo, const char *manifest, merr_t *err)
{
    char cur[72];
    snprintf(cur, sizeof(cur), "%s", repo);
    for (int hops = 0; strcmp(cur, manifest) != 0; hops++) {
        struct img_manifest m;
        json_t *keep = hops < 2 ? layout_doc(root, cur, &m, err) : NULL;
        if (!keep && hops < 2)
            return err_wrap(err, "pull: the repo digest %s", repo);
        const struct img_desc *e = keep && m.index ? img_index_pick(&m) : NULL;
        if (e)
            snprintf(cur, sizeof(cur), "%s", e->digest);
        if (keep)
            img_manifest_free(&m);
        json_decref(keep);
        if (!e)
            return err_set(err, 0, "pull: the repo digest %s does not lead to the manifest %s",
                           repo, manifest);
    }
    return 0;
}

int image_load_pulled(struct store *s, int root, const char *name, const struct ref *r, char id[72],
                      merr_t *err)
{
    json_t *ix = load_json_in(root, "index.json", err);
    const char *man = NULL, *rd = NULL;
    cleanup_free char *dref = NULL;
    int ret = -1;
    if (!ix || img_pulled_index_check(ix, &man, &rd, err) < 0) {
        err_wrap(err, "pull: the fetched layout");
        goto out;
    }
    /* what was asked for by digest must be what was fetched */
    if (r->digest && strcmp(rd ? rd : man, r->digest) != 0) {
        err_set(err, 0, "pull: %s was asked for, the fetched layout holds %s", r->digest,
                rd ? rd : man);
        goto out;
    }
    if (rd && repo_digest_check(root, rd, man, err) < 0)
        goto out;
    rd = rd ? rd : r->digest;
    dref = rd ? xasprintf("%s/%s@%s", r->registry, r->path, rd) : NULL;
    struct sbuf said = {0};
    ret = load_oci_manifest(s, root, man, name, dref, &said, id, 0, err);
    free(said.buf);
out:
    json_decref(ix);
    return ret;
}

/* Docker's load events, one per image said loaded ("Loaded image: NAME",
 * "Loaded image ID: ID") */
static void load_events(struct store *s, const char *said)
{
    for (const char *p = said; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        cleanup_free char *line = xstrndup(p, n);
        p += n + (nl ? 1 : 0);
        const char *name = NULL;
        if (strncmp(line, "Loaded image ID: ", 17) == 0)
            name = line + 17;
        else if (strncmp(line, "Loaded image: ", 14) == 0)
            name = line + 14;
        char id[72];
        merr_t e = MERR_INIT;
        if (name && store_image_find(s, name, id, &e) == 0)
            events_image(s, id, name, "load");
        err_clear(&e);
    }
}

int image_load(struct store *s, int fd, char **loaded, merr_t *err)
{
    *loaded = NULL;
    cleanup_free char *tmp = NULL;
    if (store_tmpdir(s, &tmp, err) < 0)
        return -1;
    int ret = -1;
    struct sbuf out = {0};
    cleanup_close int root = openat(s->fd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct unpack_opts o;
    unpack_defaults(&o);
    o.whiteouts = false;
    o.strip_setid = true;
    if (root < 0) {
        err_sys(err, "store: open %s", tmp);
        goto out;
    }
    if (unpack_tar(fd, root, &o, NULL, err) < 0) {
        err_wrap(err, "archive");
        goto out;
    }
    ret = load_dir(s, root, &out, err);
    if (ret == 0)
        load_events(s, out.buf);
out:
    rm_rf_at(s->fd, tmp);
    *loaded = out.buf ? sbuf_steal(&out) : xstrdup("");
    return ret;
}

/* ---- save ----
 * A plain ustar writer: save writes regular files with short names only
 * (blobs/sha256/HEX), and libarchive's writer would pull every format it
 * knows (and libxml2) into the static binary. Sizes past 8 GiB use the
 * base-256 size field that GNU tar and libarchive read. */

struct tarw {
    int fd;
};

static int tar_header(struct tarw *t, const char *name, uint64_t size, merr_t *err)
{
    unsigned char h[512] = {0};
    if (strlen(name) >= 100)
        return err_set(err, 0, "save: name \"%s\" too long", name);
    memcpy(h, name, strlen(name));
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    if (size < 077777777777ULL) {
        snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
    } else {
        h[124] = 0x80;
        for (int i = 0; i < 8; i++)
            h[135 - i] = (unsigned char)(size >> (8 * i));
    }
    snprintf((char *)h + 136, 12, "%011o", 0);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    if (write_all(t->fd, h, sizeof(h)) < 0)
        return err_sys(err, "save: write");
    return 0;
}

static int tar_pad(struct tarw *t, uint64_t size, merr_t *err)
{
    static const char zero[512];
    size_t pad = (size_t)((512 - size % 512) % 512);
    if (pad && write_all(t->fd, zero, pad) < 0)
        return err_sys(err, "save: write");
    return 0;
}

static int add_bytes(struct tarw *t, const char *name, const void *data, size_t len, merr_t *err)
{
    if (tar_header(t, name, len, err) < 0)
        return -1;
    if (write_all(t->fd, data, len) < 0)
        return err_sys(err, "save: write");
    return tar_pad(t, len, err);
}

static int add_blob(struct store *s, struct tarw *t, const char *digest, json_t *done, merr_t *err)
{
    if (json_object_get(done, digest))
        return 0;
    json_object_set_new(done, digest, json_true());
    cleanup_close int fd = store_blob_open(s, digest, err);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return -1;
    cleanup_free char *name = xasprintf("blobs/sha256/%s", digest_hex(digest));
    uint64_t size = (uint64_t)st.st_size, done_bytes = 0;
    if (tar_header(t, name, size, err) < 0)
        return -1;
    cleanup_free char *buf = xmalloc(1 << 16);
    while (done_bytes < size) {
        ssize_t n = read(fd, buf, 1 << 16);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return err_set(err, n ? errno : EIO, "read blob %s", digest);
        if ((uint64_t)n > size - done_bytes)
            n = (ssize_t)(size - done_bytes);
        if (write_all(t->fd, buf, (size_t)n) < 0)
            return err_sys(err, "save: write");
        done_bytes += (uint64_t)n;
    }
    return tar_pad(t, size, err);
}

static int save_images(struct store *s, char **ids, char **names, int fd, merr_t *err)
{
    struct tarw tw = {.fd = fd}, *a = &tw;
    json_t *done = json_object(), *dm = json_array(), *oci = json_array();
    int ret = -1;
    cleanup_free char *mj = NULL;
    cleanup_free char *ij = NULL;
    for (size_t i = 0; ids[i]; i++) {
        struct image img;
        if (store_image_load(s, ids[i], &img, err) < 0)
            goto out;
        json_t *layers = json_array();
        json_t *l;
        size_t k;
        int r = add_blob(s, a, img.manifest, done, err);
        if (r == 0)
            r = add_blob(s, a, img.id, done, err);
        json_array_foreach(json_object_get(img.manifest_json, "layers"), k, l)
        {
            const char *d = json_string_value(json_object_get(l, "digest"));
            if (r == 0)
                r = add_blob(s, a, d, done, err);
            if (r == 0)
                json_array_append_new(layers, json_sprintf("blobs/sha256/%s", digest_hex(d)));
        }
        json_t *tags = json_array();
        json_t *desc = json_pack("{s:s,s:s,s:I}", "mediaType", MT_OCI_MANIFEST, "digest",
                                 img.manifest, "size", (json_int_t)0);
        struct stat st;
        cleanup_close int mfd = store_blob_open(s, img.manifest, err);
        if (mfd >= 0 && fstat(mfd, &st) == 0)
            json_object_set_new(desc, "size", json_integer(st.st_size));
        const char *mt = json_string_value(json_object_get(img.manifest_json, "mediaType"));
        if (mt)
            json_object_set_new(desc, "mediaType", json_string(mt));
        if (names && names[i]) {
            cleanup_free char *f = ref_familiar(names[i]);
            json_array_append_new(tags, json_string(f));
            json_object_set_new(desc, "annotations",
                                json_pack("{s:s}", "io.containerd.image.name", names[i]));
        }
        json_array_append_new(dm, json_pack("{s:o,s:o,s:o}", "Config",
                                            json_sprintf("blobs/sha256/%s", digest_hex(img.id)),
                                            "RepoTags", tags, "Layers", layers));
        json_array_append_new(oci, desc);
        image_free(&img);
        if (r < 0)
            goto out;
    }
    mj = json_dumps(dm, JSON_COMPACT);
    json_t *index =
        json_pack("{s:i,s:s,s:O}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX, "manifests", oci);
    ij = json_dumps(index, JSON_COMPACT);
    json_decref(index);
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    if (add_bytes(a, "manifest.json", mj, strlen(mj), err) < 0 ||
        add_bytes(a, "index.json", ij, strlen(ij), err) < 0 ||
        add_bytes(a, "oci-layout", layout, strlen(layout), err) < 0)
        goto out;
    static const char end[1024];
    if (write_all(fd, end, sizeof(end)) < 0) {
        err_sys(err, "save: write");
        goto out;
    }
    ret = 0;
    for (size_t i = 0; ids[i]; i++)
        events_image(s, ids[i], ids[i], "save");
out:
    json_decref(done);
    json_decref(dm);
    json_decref(oci);
    return ret;
}

int image_save(struct store *s, char *const *refs, int fd, merr_t *err)
{
    size_t n = 0;
    while (refs[n])
        n++;
    char **ids = xzalloc((n + 1) * sizeof(char *));
    char **names = xzalloc((n + 1) * sizeof(char *));
    json_t *nm = store_names(s);
    int ret = 0;
    for (size_t i = 0; i < n && ret == 0; i++) {
        char id[72] = ""; /* copied even when not found */
        ret = store_image_find(s, refs[i], id, err);
        ids[i] = xstrdup(id);
        /* named by a name: the archive names it so (by id or by digest:
         * no name; NAME:TAG@DIGEST is the digest's image, maybe not TAG's) */
        merr_t e2 = MERR_INIT;
        char *full = image_name_full(refs[i], &e2);
        err_clear(&e2);
        if (full && ret == 0 && strcmp(json_string_value(json_object_get(nm, full)) ?: "", id) == 0)
            names[i] = full;
        else
            free(full);
    }
    if (ret == 0)
        ret = save_images(s, ids, names, fd, err);
    json_decref(nm);
    strv_free(ids);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return ret;
}
