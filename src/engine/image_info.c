/* image_info.c: an image as Docker shows it (image inspect). */
#include "image_info.h"
#include "../oci/ref.h"
#include "../util/util.h"

#include <string.h>

char **image_names(json_t *names, const char *id)
{
    size_t n = 0;
    char **v = xzalloc((json_object_size(names) + 1) * sizeof(char *));
    const char *k;
    json_t *val;
    json_object_foreach(names, k, val)
    {
        if (strcmp(json_string_value(val) ?: "", id) == 0)
            v[n++] = xstrdup(k);
    }
    return v;
}

/* the familiar names of image id ("bb:1", "docker.io/x/y:2" as "x/y:2"),
 * or of its digest references ("bb@sha256:...") */
static json_t *repo_refs(struct store *s, const char *id, bool digests)
{
    json_t *names = digests ? store_digests(s) : store_names(s);
    char **ns = image_names(names, id);
    json_t *tags = json_array();
    for (size_t i = 0; ns[i]; i++) {
        cleanup_free char *f = ref_familiar(ns[i]);
        json_array_append_new(tags, json_string(f));
    }
    strv_free(ns);
    json_decref(names);
    return tags;
}

static const char *cfg_str(json_t *c, const char *key)
{
    return json_string_value(json_object_get(c, key)) ?: "";
}

/* Docker's Comment: the config's, else the newest step's (commit -m,
 * import -m) */
static const char *comment_of(json_t *c)
{
    json_t *h = json_object_get(c, "history");
    const char *v = json_string_value(json_object_get(c, "comment"));
    if (!v && json_array_size(h))
        v = json_string_value(
            json_object_get(json_array_get(h, json_array_size(h) - 1), "comment"));
    return v ?: "";
}

/* API 1.44's ContainerConfig: the config's own (images of Docker's classic
 * builder), else Docker's empty one */
static json_t *container_config(json_t *c)
{
    json_t *cc = json_object_get(c, "container_config");
    if (json_is_object(cc))
        return json_incref(cc);
    return json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:n,s:n,s:s,s:n,s:s,s:n,s:n,s:n}",
                     "Hostname", "", "Domainname", "", "User", "", "AttachStdin", 0, "AttachStdout",
                     0, "AttachStderr", 0, "Tty", 0, "OpenStdin", 0, "StdinOnce", 0, "Env", "Cmd",
                     "Image", "", "Volumes", "WorkingDir", "", "Entrypoint", "OnBuild", "Labels");
}

json_t *image_inspect_json(struct store *s, const char *id, merr_t *err)
{
    struct image img;
    if (store_image_load(s, id, &img, err) < 0)
        return NULL;
    json_t *layers = json_array();
    for (size_t i = 0; i < img.nlayers; i++)
        json_array_append_new(layers, json_string(img.diff_ids[i]));
    json_t *c = img.config;
    json_t *o = json_pack(
        "{s:s,s:o,s:o,s:s,s:s,s:s,s:o,s:s,s:s,s:O,s:s,s:s,s:I,s:{s:s,s:n},"
        "s:{s:s,s:o},s:{s:s},s:s}",
        "Id", img.id, "RepoTags", repo_refs(s, id, false), "RepoDigests", repo_refs(s, id, true),
        "Parent", "", "Comment", comment_of(c), "Created", cfg_str(c, "created"), "ContainerConfig",
        container_config(c), "DockerVersion", cfg_str(c, "docker_version"), "Author",
        cfg_str(c, "author"), "Config", json_object_get(c, "config") ?: json_null(), "Architecture",
        cfg_str(c, "architecture"), "Os", cfg_str(c, "os"), "Size", (json_int_t)img.size,
        "GraphDriver", "Name", "moat", "Data", "RootFS", "Type", "layers", "Layers", layers,
        "Metadata", "LastTagTime", "0001-01-01T00:00:00Z", "Manifest", img.manifest);
    if (o && json_string_value(json_object_get(c, "variant")))
        json_object_set(o, "Variant", json_object_get(c, "variant"));
    image_free(&img);
    return o;
}

json_t *image_history(struct store *s, const char *id, merr_t *err)
{
    struct image img;
    if (store_image_load(s, id, &img, err) < 0)
        return NULL;
    json_t *tags = repo_refs(s, id, false);
    json_t *hist = json_object_get(img.config, "history");
    json_t *layers = json_object_get(img.manifest_json, "layers");
    json_t *out = json_array();
    size_t nl = 0, nh = json_array_size(hist);
    /* no history: one step per layer, as Docker shows it */
    size_t steps = nh ? nh : img.nlayers;
    for (size_t i = 0; i < steps; i++) {
        json_t *h = json_array_get(hist, i);
        bool empty = h && json_is_true(json_object_get(h, "empty_layer"));
        json_int_t size = 0;
        if (!empty && nl < img.nlayers)
            size = json_integer_value(json_object_get(json_array_get(layers, nl++), "size"));
        const char *created = json_string_value(json_object_get(h, "created"));
        json_array_insert_new(
            out, 0,
            json_pack("{s:s,s:s,s:s,s:o,s:I,s:s}", "Id", "<missing>", "Created",
                      created ? created
                              : json_string_value(json_object_get(img.config, "created")) ?: "",
                      "CreatedBy", json_string_value(json_object_get(h, "created_by")) ?: "",
                      "Tags", json_null(), "Size", size, "Comment",
                      json_string_value(json_object_get(h, "comment")) ?: ""));
    }
    json_t *top = json_array_get(out, 0);
    if (top) {
        json_object_set_new(top, "Id", json_string(id));
        json_object_set_new(top, "Tags", tags);
    } else {
        json_decref(tags);
    }
    image_free(&img);
    return out;
}
