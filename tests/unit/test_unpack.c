/* test_unpack.c: the checks on layer member names (pure code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/unpack.h"

#include <stdlib.h>
#include <string.h>

static void ok(const char *in, const char *want)
{
    const char *why = NULL;
    char *p = unpack_clean_path(in, &why);
    assert_non_null(p);
    assert_string_equal(p, want);
    free(p);
}

static void refused(const char *in, const char *reason)
{
    const char *why = NULL;
    char *p = unpack_clean_path(in, &why);
    assert_null(p);
    assert_non_null(why);
    assert_non_null(strstr(why, reason));
}

static void test_normalised(void **state)
{
    (void)state;
    ok("etc/passwd", "etc/passwd");
    ok("./etc/passwd", "etc/passwd");
    ok("././a//b/", "a/b");
    ok(".", "");
    ok("./", "");
    ok("a/./b", "a/b");
    ok("..a/b..", "..a/b..");
    ok(".wh..wh..opq", ".wh..wh..opq");
}

static void test_refused(void **state)
{
    (void)state;
    refused(NULL, "without a name");
    refused("/etc/passwd", "absolute");
    refused("..", "\"..\"");
    refused("../x", "\"..\"");
    refused("a/../../x", "\"..\"");
    refused("a/..", "\"..\"");
    char longname[300];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    refused(longname, "255");
    char *longpath = malloc(5000);
    for (int i = 0; i < 4998; i += 2)
        memcpy(longpath + i, "a/", 2);
    longpath[4998] = 'a';
    longpath[4999] = 0;
    refused(longpath, "4095");
    free(longpath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalised),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
