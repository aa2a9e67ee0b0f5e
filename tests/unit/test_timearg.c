/* test_timearg.c: --since/--until time arguments (src/util/timearg.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "util/timearg.h"

#define S INT64_C(1000000000)
#define NOW (INT64_C(1700000000) * S)

static void ok(const char *s, int64_t want)
{
    int64_t got = 12345;
    if (timearg_parse(s, NOW, &got) != 0)
        fail_msg("\"%s\" refused", s);
    if (got != want)
        fail_msg("\"%s\": %lld, not %lld", s, (long long)got, (long long)want);
}

static void bad(const char *s)
{
    int64_t got = 12345;
    if (timearg_parse(s, NOW, &got) == 0)
        fail_msg("\"%s\" taken as %lld", s, (long long)got);
    assert_int_equal(got, 12345);
}

static void test_unix(void **state)
{
    (void)state;
    ok("0", 0);
    ok("1", S);
    ok("1700000000", NOW);
    ok("1700000000.5", NOW + S / 2);
    ok("1700000000.000000001", NOW + 1);
    ok("1700000000.1234567899", NOW + 123456789);
    bad("");
    bad("abc");
    bad("1.");
    bad("1x");
    bad("99999999999999999999");
    bad("1.2.3");
}

static void test_duration(void **state)
{
    (void)state;
    ok("10m", NOW - 600 * S);
    ok("1h30m", NOW - 5400 * S);
    ok("0s", NOW);
    ok("-5s", NOW + 5 * S);
    ok("1.5s", NOW - 3 * S / 2);
    bad("10x");
    bad("m");
}

static void test_rfc3339(void **state)
{
    (void)state;
    ok("1970-01-01T00:00:00Z", 0);
    ok("2023-11-14T22:13:20Z", NOW);
    ok("2023-11-14T22:13:20.25Z", NOW + S / 4);
    ok("2023-11-14T23:13:20+01:00", NOW);
    ok("2023-11-14T21:13:20-0100", NOW);
    ok("2023-11-14T22:13Z", NOW - 20 * S);
    ok("2023-11-14T22Z", NOW - 13 * 60 * S - 20 * S);
    ok("2023-11-14Z", NOW - (22 * 3600 + 13 * 60 + 20) * S);
    ok("2000-02-29T00:00:00Z", INT64_C(951782400) * S);
    ok("1969-12-31T23:59:59Z", -S);
    bad("2023-02-29T00:00:00Z");
    bad("2023-13-01");
    bad("2023-11-14T25:00:00Z");
    bad("2023-11-14T22:13:20+25:00");
    bad("2023-11-14T22:13:20Zjunk");
    bad("2023-11-14T22:13:20.Z");
    bad("23-11-14");
    bad("2023-1-14");
}

static void test_local(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    ok("2023-11-14T22:13:20", NOW);
    ok("2023-11-14", NOW - (22 * 3600 + 13 * 60 + 20) * S);
    setenv("TZ", "EST5", 1);
    tzset();
    ok("2023-11-14T17:13:20", NOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unix),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
