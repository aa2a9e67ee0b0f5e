/* test_imgjson.c: image manifests, indexes, configs and docker-archive
 * manifest.json are checked before anything is written (pure code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "oci/imgjson.h"
#include "util/util.h"

#include <string.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static void manifest_bad(const char *text, const char *want)
{
    struct img_manifest m;
    json_t *keep = NULL;
    merr_t err = MERR_INIT;
    assert_int_equal(img_manifest_parse(text, strlen(text), "manifest X", &m, &keep, &err), -1);
    assert_null(keep);
    if (!strstr(err.msg, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
    err_clear(&err);
}

static void test_manifest(void **state)
{
    (void)state;
    const char *t = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
                    "\"config\":{\"digest\":\"" D1 "\",\"size\":7},"
                    "\"layers\":[{\"digest\":\"" D2 "\",\"size\":100},{\"digest\":\"" D1 "\"}]}";
    struct img_manifest m;
    json_t *keep;
    merr_t err = MERR_INIT;
    assert_int_equal(img_manifest_parse(t, strlen(t), "manifest X", &m, &keep, &err), 0);
    assert_false(m.index);
    assert_string_equal(m.config.digest, D1);
    assert_int_equal(m.config.size, 7);
    assert_int_equal(m.nlayers, 2);
    assert_string_equal(m.layers[0].digest, D2);
    assert_int_equal(m.layers[0].size, 100);
    assert_int_equal(m.layers[1].size, 0);
    img_manifest_free(&m);
    json_decref(keep);
    manifest_bad("[]", "manifest X: not a JSON object");
    manifest_bad("{", "manifest X: not JSON");
    manifest_bad("{\"mediaType\":\"text/plain\"}", "unsupported mediaType \"text/plain\"");
    manifest_bad("{\"schemaVersion\":1,\"fsLayers\":[]}", "config or layers missing");
    manifest_bad("{\"config\":{\"digest\":\"" D1 "\"},\"layers\":[{\"digest\":\"sha256:x\"}]}",
                 "manifest X: layers[0].digest: not a sha256 digest");
    manifest_bad("{\"config\":{\"digest\":\"" D1 "\",\"size\":-1},\"layers\":[]}",
                 "manifest X: config.size: negative");
    manifest_bad("{\"config\":{\"digest\":\"" D1 "\"},\"layers\":[7]}",
                 "layers[0].digest: not a sha256 digest");
}

static void test_index(void **state)
{
    (void)state;
    const char *t = "{\"manifests\":[{\"digest\":\"" D1 "\",\"platform\":{\"os\":\"linux\","
                    "\"architecture\":\"arm64\"}},{\"digest\":\"" D2 "\",\"platform\":"
                    "{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
    struct img_manifest m;
    json_t *keep;
    merr_t err = MERR_INIT;
    assert_int_equal(img_manifest_parse(t, strlen(t), "index", &m, &keep, &err), 0);
    assert_true(m.index);
    assert_int_equal(m.nmanifests, 2);
    assert_string_equal(img_index_pick(&m)->digest, D2);
    img_manifest_free(&m);
    json_decref(keep);
    /* an entry without a platform is taken; none that fits: NULL */
    t = "{\"manifests\":[{\"digest\":\"" D1 "\"}]}";
    assert_int_equal(img_manifest_parse(t, strlen(t), "index", &m, &keep, &err), 0);
    assert_string_equal(img_index_pick(&m)->digest, D1);
    img_manifest_free(&m);
    json_decref(keep);
    t = "{\"manifests\":[{\"digest\":\"" D1 "\",\"platform\":{\"os\":\"windows\"}}]}";
    assert_int_equal(img_manifest_parse(t, strlen(t), "index", &m, &keep, &err), 0);
    assert_null(img_index_pick(&m));
    img_manifest_free(&m);
    json_decref(keep);
    manifest_bad("{\"manifests\":[{\"digest\":\"" D1 "\"}, 3]}",
                 "manifest X: manifests[1].digest: not a sha256 digest");
}

static void test_config(void **state)
{
    (void)state;
    json_t *c = json_loads(
        "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}", 0, NULL);
    char **ids;
    merr_t err = MERR_INIT;
    assert_int_equal(img_config_diff_ids(c, "config", 2, &ids, &err), 0);
    assert_string_equal(ids[1], D2);
    assert_null(ids[2]);
    strv_free(ids);
    assert_int_equal(img_config_diff_ids(c, "config", 3, &ids, &err), -1);
    assert_string_equal(err.msg, "config: rootfs.diff_ids: 2 entries for 3 layers");
    json_decref(c);
    c = json_loads("{\"rootfs\":{\"diff_ids\":[\"" D1 "\", 5]}}", 0, NULL);
    assert_int_equal(img_config_diff_ids(c, "config", (size_t)-1, &ids, &err), -1);
    assert_string_equal(err.msg, "config: rootfs.diff_ids[1]: not a sha256 digest");
    json_decref(c);
    c = json_loads("{\"rootfs\":{}}", 0, NULL);
    assert_int_equal(img_config_diff_ids(c, "config", 0, &ids, &err), -1);
    assert_string_equal(err.msg, "config: rootfs.diff_ids: not a list");
    json_decref(c);
    err_clear(&err);
}

static void darchive_bad(const char *text, const char *want)
{
    json_t *j = json_loads(text, 0, NULL);
    struct img_darchive *v;
    size_t n;
    merr_t err = MERR_INIT;
    assert_int_equal(img_darchive_check(j, &v, &n, &err), -1);
    assert_null(v);
    if (!strstr(err.msg, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
    err_clear(&err);
    json_decref(j);
}

static void test_darchive(void **state)
{
    (void)state;
    json_t *j = json_loads("[{\"Config\":\"c.json\",\"RepoTags\":[\"busybox:1\",\"a/b:2\"],"
                           "\"Layers\":[\"l1.tar\",\"l2.tar\"]},{\"Config\":\"d\",\"Layers\":[]}]",
                           0, NULL);
    struct img_darchive *v;
    size_t n;
    merr_t err = MERR_INIT;
    assert_int_equal(img_darchive_check(j, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].config, "c.json");
    assert_int_equal(v[0].nlayers, 2);
    assert_string_equal(v[0].layers[1], "l2.tar");
    assert_string_equal(v[0].names[0], "docker.io/library/busybox:1");
    assert_string_equal(v[0].names[1], "docker.io/a/b:2");
    assert_null(v[1].names[0]);
    img_darchive_free(v, n);
    json_decref(j);
    darchive_bad("{}", "manifest.json: not a list of images");
    darchive_bad("[]", "manifest.json: not a list of images");
    darchive_bad("[{\"Config\":\"c\"}]", "manifest.json[0].Layers: not a list");
    darchive_bad("[{\"Layers\":[]}]", "manifest.json[0].Config: missing file name");
    darchive_bad("[{\"Config\":\"c\",\"Layers\":[1]}]",
                 "manifest.json[0].Layers[0]: missing file name");
    darchive_bad("[{\"Config\":\"c\",\"Layers\":[],\"RepoTags\":[\"ok:1\",\"BAD\"]}]",
                 "manifest.json[0].RepoTags[1]: image reference \"BAD\"");
}

static void pulled_bad(const char *text, const char *want)
{
    json_t *j = json_loads(text, 0, NULL);
    const char *m = D1, *r = D1;
    merr_t err = MERR_INIT;
    assert_int_equal(img_pulled_index_check(j, &m, &r, &err), -1);
    assert_null(m);
    assert_null(r);
    if (!strstr(err.msg, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
    err_clear(&err);
    json_decref(j);
}

static void test_pulled_index(void **state)
{
    (void)state;
    json_t *j = json_loads("{\"manifests\":[{\"digest\":\"" D1 "\",\"annotations\":"
                           "{\"" IMG_REPO_DIGEST "\":\"" D2 "\"}}]}",
                           0, NULL);
    const char *m, *r;
    merr_t err = MERR_INIT;
    assert_int_equal(img_pulled_index_check(j, &m, &r, &err), 0);
    assert_string_equal(m, D1);
    assert_string_equal(r, D2);
    json_decref(j);
    /* no annotation: no repo digest */
    j = json_loads("{\"manifests\":[{\"digest\":\"" D1 "\",\"annotations\":{}}]}", 0, NULL);
    assert_int_equal(img_pulled_index_check(j, &m, &r, &err), 0);
    assert_string_equal(m, D1);
    assert_null(r);
    json_decref(j);
    pulled_bad("[]", "index.json: not one manifest");
    pulled_bad("{\"manifests\":[]}", "index.json: not one manifest");
    pulled_bad("{\"manifests\":[7]}", "index.json: not one manifest");
    pulled_bad("{\"manifests\":[{\"digest\":\"" D1 "\"},{\"digest\":\"" D2 "\"}]}",
               "index.json: not one manifest");
    pulled_bad("{\"manifests\":[{\"digest\":\"sha256:AB\"}]}",
               "manifests[0].digest: not a sha256 digest");
    static const char *const bad[] = {
        "\"sha256:ABCD\"",
        "\"sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
        "\"" D1 "\\n\"",
        "7",
        "null",
        "\"sha512:1111\"",
        "\"sha256:2222222222222222222222222222222222222222222222222222222222222222 \"",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *t = xasprintf("{\"manifests\":[{\"digest\":\"" D1 "\",\"annotations\":"
                            "{\"" IMG_REPO_DIGEST "\":%s}}]}",
                            bad[i]);
        pulled_bad(t, "annotations." IMG_REPO_DIGEST ": not a sha256 digest");
        free(t);
    }
    pulled_bad("{\"manifests\":[{\"digest\":\"" D1 "\",\"annotations\":[]}]}",
               "annotations." IMG_REPO_DIGEST ": not a sha256 digest");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),     cmocka_unit_test(test_index),
        cmocka_unit_test(test_config),       cmocka_unit_test(test_darchive),
        cmocka_unit_test(test_pulled_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
