/* test_duration.c: Go's duration text (src/util/duration.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/duration.h"

static void ok(const char *s, int64_t want)
{
    int64_t got = 12345;
    if (duration_parse(s, &got) != 0)
        fail_msg("\"%s\" refused", s);
    if (got != want)
        fail_msg("\"%s\": %lld, not %lld", s, (long long)got, (long long)want);
}

static void bad(const char *s)
{
    int64_t got = 12345;
    if (duration_parse(s, &got) == 0)
        fail_msg("\"%s\" taken as %lld", s, (long long)got);
    assert_int_equal(got, 12345);
}

static void test_parse(void **state)
{
    (void)state;
    ok("0", 0);
    ok("-0", 0);
    ok("0s", 0);
    ok("5s", 5 * DUR_S);
    ok("30s", 30 * DUR_S);
    ok("1m30s", 90 * DUR_S);
    ok("1h2m3s", 3723 * DUR_S);
    ok("500ms", 500 * DUR_MS);
    ok("1.5s", 1500 * DUR_MS);
    ok(".5s", 500 * DUR_MS);
    ok("5.s", 5 * DUR_S);
    ok("1ms", DUR_MS);
    ok("10us", 10 * DUR_US);
    ok("10\xc2\xb5s", 10 * DUR_US);
    ok("10\xce\xbcs", 10 * DUR_US);
    ok("7ns", 7);
    ok("-2s", -2 * DUR_S);
    ok("+2s", 2 * DUR_S);
    ok("1h1h", 7200 * DUR_S);
    ok("0.000000001s", 1);
    ok("0.0000000019s", 1); /* Go truncates what is below a nanosecond */
    ok("1.00000000000000000000000000001s", DUR_S);
    ok("9223372036854775807ns", INT64_MAX);
    ok("-9223372036854775808ns", INT64_MIN);
    ok("2562047h47m16.854775807s", INT64_MAX);
}

static void test_parse_bad(void **state)
{
    (void)state;
    bad(NULL);
    bad("");
    bad("-");
    bad("s");
    bad(".s");
    bad("5");
    bad("1.5");
    bad("5 s");
    bad("5sec");
    bad("5S");
    bad("1d");
    bad("--5s");
    bad("5s ");
    bad("9223372036854775808ns");
    bad("2562048h");
    bad("99999999999999999999999h");
    bad("2562047h47m16.854775808s");
    bad("-9223372036854775809ns");
}

static void fmt(int64_t ns, const char *want)
{
    char b[32];
    duration_format(ns, b, sizeof(b));
    assert_string_equal(b, want);
    /* and back */
    int64_t back;
    assert_int_equal(duration_parse(b, &back), 0);
    assert_int_equal(back, ns);
}

static void test_format(void **state)
{
    (void)state;
    fmt(0, "0s");
    fmt(1, "1ns");
    fmt(999, "999ns");
    fmt(1500, "1.5\xc2\xb5s");
    fmt(DUR_MS, "1ms");
    fmt(500 * DUR_MS, "500ms");
    fmt(1500 * DUR_US + 7, "1.500007ms");
    fmt(DUR_S, "1s");
    fmt(30 * DUR_S, "30s");
    fmt(90 * DUR_S, "1m30s");
    fmt(3600 * DUR_S, "1h0m0s");
    fmt(3723 * DUR_S + 500 * DUR_MS, "1h2m3.5s");
    fmt(-2 * DUR_S, "-2s");
    fmt(INT64_MAX, "2562047h47m16.854775807s");
    fmt(INT64_MIN, "-2562047h47m16.854775808s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
