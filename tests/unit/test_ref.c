/* test_ref.c: image references and digests (pure code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "oci/ref.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

static void parse_ok(const char *in, const char *full)
{
    struct ref r;
    merr_t err = MERR_INIT;
    assert_int_equal(ref_parse(in, &r, &err), 0);
    char *s = ref_string(&r);
    assert_string_equal(s, full);
    free(s);
    ref_free(&r);
}

static void parse_bad(const char *in)
{
    struct ref r;
    merr_t err = MERR_INIT;
    assert_int_equal(ref_parse(in, &r, &err), -1);
    assert_non_null(err.msg);
    assert_non_null(strstr(err.msg, "image reference"));
    err_clear(&err);
}

static void test_normalise(void **state)
{
    (void)state;
    parse_ok("busybox", "docker.io/library/busybox:latest");
    parse_ok("busybox:1.36", "docker.io/library/busybox:1.36");
    parse_ok("user/app", "docker.io/user/app:latest");
    parse_ok("localhost/app", "localhost/app:latest");
    parse_ok("localhost:5000/a/b:v1.2-x_y", "localhost:5000/a/b:v1.2-x_y");
    parse_ok("registry.example.com/app", "registry.example.com/app:latest");
    parse_ok("app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
             "docker.io/library/app@sha256:"
             "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

static void test_refused(void **state)
{
    (void)state;
    parse_bad("");
    parse_bad("UPPER");
    parse_bad("a//b");
    parse_bad("/abs");
    parse_bad("trailing/");
    parse_bad("app:");
    parse_bad("app:-tag");
    parse_bad("app@sha256:abc");
    parse_bad("app@md5:0123");
    parse_bad("a/.b");
    parse_bad("../x");
    /* a name of 10 MB (a docker-archive's RepoTags) is not a name */
    char *big = xmalloc(10 << 20);
    memset(big, 'a', (10 << 20) - 1);
    big[(10 << 20) - 1] = 0;
    struct ref r;
    merr_t err = MERR_INIT;
    assert_int_equal(ref_parse(big, &r, &err), -1);
    assert_true(strlen(err.msg) < 200);
    assert_non_null(strstr(err.msg, "the name is longer than 255 characters"));
    err_clear(&err);
    big[255 - strlen("docker.io/library/")] = 0; /* 255 with docker.io/library/ */
    assert_int_equal(ref_parse(big, &r, &err), 0);
    ref_free(&r);
    big[255 - strlen("docker.io/library/")] = 'a'; /* 256 */
    big[256 - strlen("docker.io/library/")] = 0;
    assert_int_equal(ref_parse(big, &r, &err), -1);
    err_clear(&err);
    free(big);
}

/* Docker's limits (255 for the name with its registry, 128 for a tag), and
 * an error that quotes a long input cut, not whole */
static void test_long(void **state)
{
    (void)state;
    char name[300], full[320];
    memset(name, 0, sizeof(name));
    memcpy(name, "localhost/", 10);
    memset(name + 10, 'a', 245); /* 255 in all */
    snprintf(full, sizeof(full), "%s:latest", name);
    parse_ok(name, full);
    name[255] = 'a'; /* 256 */
    parse_bad(name);
    size_t big = 10 << 20;
    char *huge = xmalloc(big + 1);
    memset(huge, 'a', big);
    memcpy(huge + big - 2, ":1", 3);
    struct ref r;
    merr_t err = MERR_INIT;
    assert_int_equal(ref_parse(huge, &r, &err), -1);
    assert_true(strlen(err.msg) < 300);
    assert_non_null(strstr(err.msg, "10485760 bytes"));
    err_clear(&err);
    free(huge);
    char tag[140] = "app:";
    memset(tag + 4, 'b', 129); /* a tag of 129 */
    parse_bad(tag);
}

static void test_familiar(void **state)
{
    (void)state;
    char *f = ref_familiar("docker.io/library/busybox:latest");
    assert_string_equal(f, "busybox:latest");
    free(f);
    f = ref_familiar("docker.io/user/app:1");
    assert_string_equal(f, "user/app:1");
    free(f);
    f = ref_familiar("localhost:5000/app:1");
    assert_string_equal(f, "localhost:5000/app:1");
    free(f);
    /* the short form must name the same image when it is typed back
     * (found by tests/fuzz/fuzz_ref) */
    static const char *const same[] = {"docker.io/er.io/x:latest", "docker.io/localhost/x:1",
                                       "docker.io/a:b/c:1"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        f = ref_familiar(same[i]);
        assert_string_equal(f, same[i]);
        free(f);
    }
    f = ref_familiar("docker.io/library/a/b:1");
    assert_string_equal(f, "library/a/b:1");
    free(f);
    f = ref_familiar("docker.io/library/a@sha256:0123");
    assert_string_equal(f, "a@sha256:0123");
    free(f);
}

static void test_digest(void **state)
{
    (void)state;
    assert_true(
        digest_valid("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    assert_false(
        digest_valid("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
    assert_false(digest_valid("sha256:0123"));
    assert_false(
        digest_valid("sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    assert_false(digest_valid(NULL));
}

static void test_repo(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"docker.io/library/busybox:latest", "docker.io/library/busybox"},
        {"docker.io/library/busybox@sha256:0123", "docker.io/library/busybox"},
        {"localhost:5000/app:1", "localhost:5000/app"},
        {"localhost:5000/app", "localhost:5000/app"},
        {"localhost:5000/app@sha256:0123", "localhost:5000/app"},
        {"busybox", "busybox"},
        {"busybox:1@sha256:0123", "busybox"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *r = ref_repo(cases[i][0]);
        assert_string_equal(r, cases[i][1]);
        free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_long),      cmocka_unit_test(test_familiar),
        cmocka_unit_test(test_digest),    cmocka_unit_test(test_repo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
