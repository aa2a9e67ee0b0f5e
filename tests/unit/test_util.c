/* test_util.c: small pure helpers of src/util. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* the same string built from glibc's gmtime_r */
static void check_against_gmtime(int64_t sec, long nsec)
{
    char got[64], want[64];
    time_t t = (time_t)sec;
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
    utc_rfc3339(sec, nsec, got, sizeof(got));
    assert_string_equal(got, want);
}

static void test_rfc3339_known(void **state)
{
    (void)state;
    char b[64];
    utc_rfc3339(0, 0, b, sizeof(b));
    assert_string_equal(b, "1970-01-01T00:00:00.000000000Z");
    utc_rfc3339(951782400, 5, b, sizeof(b)); /* a leap day of a year divisible by 400 */
    assert_string_equal(b, "2000-02-29T00:00:00.000000005Z");
    utc_rfc3339(4107542399, 999999999, b, sizeof(b)); /* 2100 is not a leap year */
    assert_string_equal(b, "2100-02-28T23:59:59.999999999Z");
    utc_rfc3339(4107542400, 0, b, sizeof(b));
    assert_string_equal(b, "2100-03-01T00:00:00.000000000Z");
    utc_rfc3339(-1, 0, b, sizeof(b));
    assert_string_equal(b, "1969-12-31T23:59:59.000000000Z");
    utc_rfc3339(1795620281, 123456789, b, sizeof(b));
    assert_string_equal(b, "2026-11-25T15:24:41.123456789Z");
}

static void test_rfc3339_matches_gmtime(void **state)
{
    (void)state;
    /* every day boundary and a second before it, 1900 to 2500 */
    for (int64_t s = -2208988800; s < 16725225600; s += 86400) {
        check_against_gmtime(s, 0);
        check_against_gmtime(s - 1, 1);
    }
    /* and times of day from a fixed pseudo-random sequence */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        check_against_gmtime((int64_t)(x % 16725225600ULL), (long)(x % 1000000000));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339_known),
        cmocka_unit_test(test_rfc3339_matches_gmtime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
