/* Unit tests for the intent record (runtime/intent.c): what a create
 * writes before it makes its cgroups, and what a cleanup reads back. The
 * record must be short in the common cases (an ext4 inode holds an
 * attribute of up to about 60 bytes; a longer one costs a block per
 * container), exact when read back, and name nothing when it is cut short
 * or damaged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kernel/cgroup.h"
#include "runtime/intent.h"
#include "util/util.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* a hybrid host: devices and memory on v1, the unified hierarchy */
static struct cg_hier hiers[] = {
    {"/sys/fs/cgroup/devices", "/", "devices", "/", false},
    {"/sys/fs/cgroup/memory", "/", "memory", "/user/1", false},
    {"/sys/fs/cgroup/unified", "/", "", "/", true},
};
static struct cg_host host = {CG_HYBRID, hiers, 3};

static void resolve(const char *path, const char *const *needed, struct cg *cg)
{
    cg_resolve(&host, path, ID, needed, cg);
}

static char **roundtrip(const struct cg *cg, char **text)
{
    *text = intent_encode(cg, ID);
    assert_non_null(*text);
    cleanup_free char *copy = xstrdup(*text);
    return intent_decode(copy, strlen(copy), ID, &host);
}

static void assert_same_dirs(const struct cg *cg, char **dirs)
{
    size_t k = 0;
    for (size_t i = 0; i < cg->n; i++)
        if (cg->dirs[i])
            assert_string_equal(dirs[k++], cg->dirs[i]);
    assert_null(dirs[k]);
}

static void test_short_forms(void **state)
{
    (void)state;
    struct cg cg;
    char *text;
    /* the default path, the hierarchies the resources need */
    static const char *const needed[] = {"devices", NULL};
    resolve(NULL, needed, &cg);
    char **dirs = roundtrip(&cg, &text);
    assert_string_equal(text, "devices,unified:/moat/%\n");
    assert_same_dirs(&cg, dirs);
    assert_string_equal(dirs[0], "/sys/fs/cgroup/devices/moat/" ID);
    strv_free(dirs);
    free(text);
    cg_free(&cg);
    /* an absolute cgroupsPath (the engine's): every hierarchy */
    resolve("/moat/" ID, NULL, &cg);
    dirs = roundtrip(&cg, &text);
    assert_string_equal(text, "*:/moat/%\n");
    assert_true(strlen(text) < 60);
    assert_same_dirs(&cg, dirs);
    strv_free(dirs);
    free(text);
    cg_free(&cg);
    /* a path without the id is kept as it is */
    resolve("/pod/ctr-1", NULL, &cg);
    dirs = roundtrip(&cg, &text);
    assert_string_equal(text, "*:/pod/ctr-1\n");
    assert_same_dirs(&cg, dirs);
    strv_free(dirs);
    free(text);
    cg_free(&cg);
}

static void test_long_form(void **state)
{
    (void)state;
    struct cg cg;
    char *text;
    /* relative to our own cgroup, which differs between hierarchies */
    resolve("moat/" ID, NULL, &cg);
    assert_string_equal(cg.dirs[1], "/sys/fs/cgroup/memory/user/1/moat/" ID);
    char **dirs = roundtrip(&cg, &text);
    assert_true(text[0] == '{');
    assert_same_dirs(&cg, dirs);
    strv_free(dirs);
    free(text);
    cg_free(&cg);
    /* a '%' of its own cannot be told from the id's place */
    resolve("/a%b/" ID, NULL, &cg);
    dirs = roundtrip(&cg, &text);
    assert_true(text[0] == '{');
    assert_same_dirs(&cg, dirs);
    strv_free(dirs);
    free(text);
    cg_free(&cg);
    /* no directory, no record */
    memset(&cg, 0, sizeof(cg));
    cg.host = &host;
    cg.n = host.n;
    cg.dirs = xzalloc((host.n + 1) * sizeof(char *));
    cg.created = xzalloc((host.n + 1) * sizeof(bool));
    assert_null(intent_encode(&cg, ID));
    cg_free(&cg);
}

static void assert_names_nothing(const char *text)
{
    cleanup_free char *copy = xstrdup(text);
    char **dirs = intent_decode(copy, strlen(copy), ID, &host);
    assert_null(dirs[0]);
    strv_free(dirs);
}

static void test_damaged(void **state)
{
    (void)state;
    /* cut short: no newline, no colon, JSON unclosed */
    assert_names_nothing("*:/mo");
    assert_names_nothing("*");
    assert_names_nothing("{\"cgroupDirs\":[\"/sys/fs/cgroup/devices/mo");
    assert_names_nothing("");
    /* paths that leave the hierarchy, or are not absolute */
    assert_names_nothing("*:/moat/../..\n");
    assert_names_nothing("*:/./x\n");
    assert_names_nothing("*:moat/%\n");
    assert_names_nothing("{\"cgroupDirs\":[\"/sys/fs/cgroup/../../etc\"]}");
    assert_names_nothing("{\"cgroupDirs\":[\"relative\"]}");
    /* never the top of a hierarchy: that is every process */
    assert_names_nothing("*:/\n");
    assert_names_nothing("{\"cgroupDirs\":[\"/sys/fs/cgroup/unified\"]}");
    assert_names_nothing("{\"cgroupDirs\":[\"/sys/fs/cgroup/unified/\"]}");
    /* nor anything outside the host's hierarchies */
    assert_names_nothing("{\"cgroupDirs\":[\"/etc/moat\"]}");
    /* an unknown hierarchy name names nothing */
    assert_names_nothing("cpu:/moat/%\n");
    /* the id in place of "%" */
    cleanup_free char *ok = xstrdup("memory:/x/%/y\n");
    char **dirs = intent_decode(ok, strlen(ok), ID, &host);
    assert_string_equal(dirs[0], "/sys/fs/cgroup/memory/x/" ID "/y");
    assert_null(dirs[1]);
    strv_free(dirs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_forms),
        cmocka_unit_test(test_long_form),
        cmocka_unit_test(test_damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
