/* imgjson.c: image manifests, indexes, configs and docker-archive
 * manifest.json, checked (see imgjson.h). */
#include "imgjson.h"
#include "ref.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

char *image_name_full(const char *name, merr_t *err)
{
    struct ref r;
    if (ref_parse(name, &r, err) < 0)
        return NULL;
    if (!r.tag) {
        ref_free(&r);
        err_set(err, 0, "\"%.80s\": a name for an image needs a tag, not a digest", name);
        return NULL;
    }
    char *full = ref_string(&r);
    ref_free(&r);
    return full;
}

/* a descriptor's digest, mediaType and size */
static int desc(json_t *d, const char *what, const char *field, struct img_desc *out, merr_t *err)
{
    out->digest = json_string_value(json_object_get(d, "digest"));
    out->media_type = json_string_value(json_object_get(d, "mediaType"));
    json_t *size = json_object_get(d, "size");
    if (!digest_valid(out->digest))
        return err_set(err, 0, "%s: %s.digest: not a sha256 digest", what, field);
    if (json_is_integer(size) && json_integer_value(size) < 0)
        return err_set(err, 0, "%s: %s.size: negative", what, field);
    out->size = json_is_integer(size) ? (uint64_t)json_integer_value(size) : 0;
    return 0;
}

static int index_entries(json_t *ms, const char *what, struct img_manifest *m, merr_t *err)
{
    m->nmanifests = json_array_size(ms);
    m->manifests = xzalloc((m->nmanifests + 1) * sizeof(*m->manifests));
    for (size_t i = 0; i < m->nmanifests; i++) {
        json_t *e = json_array_get(ms, i);
        json_t *p = json_object_get(e, "platform");
        struct img_desc *d = &m->manifests[i];
        char field[40];
        snprintf(field, sizeof(field), "manifests[%zu]", i);
        if (desc(e, what, field, d, err) < 0)
            return -1;
        d->has_platform = p != NULL;
        d->os = json_string_value(json_object_get(p, "os"));
        d->arch = json_string_value(json_object_get(p, "architecture"));
    }
    return 0;
}

int img_manifest_check(json_t *j, const char *what, struct img_manifest *m, merr_t *err)
{
    memset(m, 0, sizeof(*m));
    if (!json_is_object(j))
        return err_set(err, 0, "%s: not a JSON object", what);
    m->media_type = json_string_value(json_object_get(j, "mediaType"));
    json_t *ms = json_object_get(j, "manifests");
    if (json_is_array(ms)) {
        m->index = true;
        if (index_entries(ms, what, m, err) == 0)
            return 0;
        img_manifest_free(m);
        return -1;
    }
    const char *mt = m->media_type;
    if (mt && strcmp(mt, MT_OCI_MANIFEST) != 0 && strcmp(mt, MT_DOCKER_MANIFEST) != 0)
        return err_set(err, 0, "%s: unsupported mediaType \"%.64s\"", what, mt);
    json_t *cfg = json_object_get(j, "config");
    json_t *ls = json_object_get(j, "layers");
    if (!json_is_object(cfg) || !json_is_array(ls))
        return err_set(err, 0,
                       "%s: config or layers missing (schema 1 manifests are not supported)", what);
    if (desc(cfg, what, "config", &m->config, err) < 0)
        return -1;
    m->nlayers = json_array_size(ls);
    m->layers = xzalloc((m->nlayers + 1) * sizeof(*m->layers));
    for (size_t k = 0; k < m->nlayers; k++) {
        char field[40];
        snprintf(field, sizeof(field), "layers[%zu]", k);
        if (desc(json_array_get(ls, k), what, field, &m->layers[k], err) < 0) {
            img_manifest_free(m);
            return -1;
        }
    }
    return 0;
}

int img_manifest_parse(const char *text, size_t len, const char *what, struct img_manifest *m,
                       json_t **keep, merr_t *err)
{
    json_error_t je;
    json_t *j = json_loadb(text, len, 0, &je);
    memset(m, 0, sizeof(*m));
    if (!j)
        return err_set(err, 0, "%s: not JSON: line %d: %s", what, je.line, je.text);
    if (img_manifest_check(j, what, m, err) < 0) {
        json_decref(j);
        return -1;
    }
    *keep = j;
    return 0;
}

void img_manifest_free(struct img_manifest *m)
{
    free(m->layers);
    free(m->manifests);
    memset(m, 0, sizeof(*m));
}

const struct img_desc *img_index_pick(const struct img_manifest *m)
{
    for (size_t i = 0; i < m->nmanifests; i++) {
        const struct img_desc *d = &m->manifests[i];
        if (!d->has_platform ||
            (d->os && strcmp(d->os, "linux") == 0 && d->arch && strcmp(d->arch, "amd64") == 0))
            return d;
    }
    return NULL;
}

int img_pulled_index_check(json_t *index, const char **manifest, const char **repo_digest,
                           merr_t *err)
{
    json_t *ms = json_object_get(index, "manifests");
    json_t *e = json_array_get(ms, 0);
    *manifest = *repo_digest = NULL;
    if (!json_is_object(index) || json_array_size(ms) != 1 || !json_is_object(e))
        return err_set(err, 0, "index.json: not one manifest");
    const char *d = json_string_value(json_object_get(e, "digest"));
    if (!digest_valid(d))
        return err_set(err, 0, "index.json: manifests[0].digest: not a sha256 digest");
    json_t *ann = json_object_get(e, "annotations");
    json_t *rd = json_object_get(ann, IMG_REPO_DIGEST);
    if ((ann && !json_is_object(ann)) || (rd && !digest_valid(json_string_value(rd))))
        return err_set(err, 0,
                       "index.json: manifests[0].annotations." IMG_REPO_DIGEST
                       ": not a sha256 digest");
    *manifest = d;
    *repo_digest = json_string_value(rd);
    return 0;
}

int img_config_diff_ids(json_t *config, const char *what, size_t n, char ***out, merr_t *err)
{
    json_t *ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
    *out = NULL;
    if (!json_is_array(ids))
        return err_set(err, 0, "%s: rootfs.diff_ids: not a list", what);
    if (n != (size_t)-1 && json_array_size(ids) != n)
        return err_set(err, 0, "%s: rootfs.diff_ids: %zu entries for %zu layers", what,
                       json_array_size(ids), n);
    char **v = xzalloc((json_array_size(ids) + 1) * sizeof(char *));
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const char *d = json_string_value(json_array_get(ids, i));
        if (!digest_valid(d)) {
            strv_free(v);
            return err_set(err, 0, "%s: rootfs.diff_ids[%zu]: not a sha256 digest", what, i);
        }
        v[i] = xstrdup(d);
    }
    *out = v;
    return 0;
}

static int darchive_one(json_t *m, size_t i, struct img_darchive *d, merr_t *err)
{
    json_t *ls = json_object_get(m, "Layers");
    if (!json_is_array(ls))
        return err_set(err, 0, "manifest.json[%zu].Layers: not a list", i);
    d->config = json_string_value(json_object_get(m, "Config"));
    if (!d->config)
        return err_set(err, 0, "manifest.json[%zu].Config: missing file name", i);
    d->nlayers = json_array_size(ls);
    d->layers = xzalloc((d->nlayers + 1) * sizeof(char *));
    for (size_t k = 0; k < d->nlayers; k++)
        if (!(d->layers[k] = json_string_value(json_array_get(ls, k))))
            return err_set(err, 0, "manifest.json[%zu].Layers[%zu]: missing file name", i, k);
    json_t *tags = json_object_get(m, "RepoTags");
    size_t nt = json_array_size(tags);
    d->names = xzalloc((nt + 1) * sizeof(char *));
    for (size_t k = 0; k < nt; k++) {
        d->names[k] = image_name_full(json_string_value(json_array_get(tags, k)) ?: "", err);
        if (!d->names[k])
            return err_wrap(err, "manifest.json[%zu].RepoTags[%zu]", i, k);
    }
    return 0;
}

int img_darchive_check(json_t *list, struct img_darchive **out, size_t *n, merr_t *err)
{
    *out = NULL;
    *n = 0;
    if (!json_is_array(list) || !json_array_size(list))
        return err_set(err, 0, "manifest.json: not a list of images");
    size_t cnt = json_array_size(list);
    struct img_darchive *v = xzalloc(cnt * sizeof(*v));
    for (size_t i = 0; i < cnt; i++)
        if (darchive_one(json_array_get(list, i), i, &v[i], err) < 0) {
            img_darchive_free(v, cnt);
            return -1;
        }
    *out = v;
    *n = cnt;
    return 0;
}

void img_darchive_free(struct img_darchive *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].layers);
        strv_free(v[i].names);
    }
    free(v);
}
