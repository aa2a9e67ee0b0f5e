/* test_util.c: small pure helpers of src/util. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/fs.h"
#include "util/jpath.h"
#include "util/keyseq.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* an error that quotes megabytes of input keeps the reason and not the
 * megabytes */
static void test_err_cut(void **state)
{
    (void)state;
    merr_t e = MERR_INIT;
    char *big = xmalloc(1000001);
    memset(big, 'a', 1000000);
    big[1000000] = 0;
    err_set(&e, 2, "open %s", big);
    char *want = xasprintf("open %.256s...aaaaaaa: No such file or directory", big);
    assert_string_equal(e.msg, want);
    free(want);
    err_wrap(&e, "mounts[0] (tmpfs on /%s)", big);
    want = xasprintf("mounts[0] (tmpfs on /%.255s...aaaaaa): open %.256s...aaaaaaa: No such "
                     "file or directory",
                     big, big);
    assert_string_equal(e.msg, want);
    free(want);
    /* with spaces in it: the middle goes, the end (the reason) stays */
    for (size_t i = 0; i < 1000000; i += 3)
        big[i] = ' ';
    err_set(&e, 0, "value \"%s\": too long", big);
    assert_true(strlen(e.msg) < 4096);
    assert_memory_equal(e.msg, "value \" aa aa", 13);
    assert_string_equal(e.msg + strlen(e.msg) - 11, "\": too long");
    assert_non_null(strstr(e.msg, " ... "));
    err_clear(&e);
    /* short messages are left alone */
    err_set(&e, 0, "a %s b", "c");
    assert_string_equal(e.msg, "a c b");
    err_clear(&e);
    free(big);
}

static void test_sbuf_add_cut(void **state)
{
    (void)state;
    struct sbuf b = {0};
    sbuf_add_cut(&b, "abcdef", 6);
    sbuf_add_cut(&b, "|abcdef", 3);
    sbuf_add_cut(&b, "|\xc3\xa9\xc3\xa9", 4); /* not inside the second character */
    char *r = sbuf_steal(&b);
    assert_string_equal(r, "abcdef|ab...|\xc3\xa9...");
    free(r);
}

static void test_jfail_format(void **state)
{
    (void)state;
    merr_t e = MERR_INIT;
    struct jctx c = {&e, "f.json"};
    char big[200];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    jfail(&c, JP_I(JP_K(JP_K(NULL, "a"), big), 3), "%d %u %lld %llu %zu %o %x %c %% \"%s\"", -5, 7U,
          -9LL, 18446744073709551615ULL, (size_t)42, 8U, 255U, 'q', big);
    char *want = xasprintf("f.json: a.%.64s...[3]: -5 7 -9 18446744073709551615 42 10 ff q %% "
                           "\"%.64s...\"",
                           big, big);
    assert_string_equal(e.msg, want);
    free(want);
    jfail(&c, NULL, "%ld %lu", -3L, 3UL);
    assert_string_equal(e.msg, "f.json: -3 3");
    err_clear(&e);
}

/* a tree deeper than the fd limit (a container can make one): removed
 * whole, with files, links and sibling directories on the way */
static void test_rm_rf_deep(void **state)
{
    (void)state;
    char top[] = "/tmp/moat-rmrf-XXXXXX";
    assert_non_null(mkdtemp(top));
    int d = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(d >= 0);
    assert_int_equal(mkdirat(d, "t", 0755), 0);
    int cur = openat(d, "t", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(mkdirat(cur, "sib", 0755), 0);
        int f = openat(cur, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(f >= 0);
        close(f);
        assert_int_equal(symlinkat("/etc", cur, "link"), 0);
        assert_int_equal(mkdirat(cur, "d", 0755), 0);
        int next = openat(cur, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(next >= 0);
        close(cur);
        cur = next;
    }
    close(cur);
    struct rlimit old, low = {64, 0};
    getrlimit(RLIMIT_NOFILE, &old);
    low.rlim_max = old.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0); /* 300 levels, 64 fds */
    int r = rm_rf_at(d, "t");
    setrlimit(RLIMIT_NOFILE, &old);
    assert_int_equal(r, 0);
    assert_int_equal(faccessat(d, "t", F_OK, AT_SYMLINK_NOFOLLOW), -1);
    assert_int_equal(access("/etc/passwd", F_OK), 0); /* a link is removed, not followed */
    close(d);
    rmdir(top);
}

/* feed in's chunks; what passes, and whether the keys were read */
static bool keys_feed(struct keyseq *k, const char *const *in, char *out)
{
    size_t len = 0;
    bool done = false;
    for (size_t i = 0; in[i] && !done; i++)
        len += keyseq_filter(k, (const unsigned char *)in[i], strlen(in[i]),
                             (unsigned char *)out + len, &done);
    out[len] = 0;
    return done;
}

static void test_keyseq(void **state)
{
    (void)state;
    struct keyseq k;
    char out[64];
    merr_t err = MERR_INIT;
    assert_int_equal(keyseq_parse(NULL, &k, NULL), 0);
    assert_int_equal(k.n, 2);
    assert_int_equal(k.keys[0], 16);
    assert_int_equal(k.keys[1], 17);
    /* the keys across two reads; what came after them is dropped */
    assert_true(keys_feed(&k, (const char *const[]){"ab\020", "\021cd", NULL}, out));
    assert_string_equal(out, "ab");
    /* a beginning that was not the keys goes on, and may begin them again */
    assert_int_equal(keyseq_parse("ctrl-x,y", &k, NULL), 0);
    assert_false(keys_feed(&k, (const char *const[]){"a\030", "b\030\030", NULL}, out));
    assert_string_equal(out, "a\030b\030");
    assert_true(keys_feed(&k, (const char *const[]){"y!", NULL}, out));
    assert_string_equal(out, "");
    /* a beginning that is a part of the keys themselves */
    assert_int_equal(keyseq_parse("a,a,b", &k, NULL), 0);
    assert_true(keys_feed(&k, (const char *const[]){"xaa", "ab", NULL}, out));
    assert_string_equal(out, "xa");
    /* what waited at the end of the input was input */
    assert_int_equal(keyseq_parse(NULL, &k, NULL), 0);
    assert_false(keys_feed(&k, (const char *const[]){"ab\020", NULL}, out));
    unsigned char rest[KEYSEQ_MAX];
    assert_int_equal(keyseq_flush(&k, rest), 1);
    assert_int_equal(rest[0], 16);
    assert_int_equal(keyseq_flush(&k, rest), 0);
    /* none: everything passes */
    assert_int_equal(keyseq_parse("", &k, NULL), 0);
    assert_false(keys_feed(&k, (const char *const[]){"\020\021", NULL}, out));
    assert_string_equal(out, "\020\021");
    assert_int_equal(keyseq_parse("ctrl-@,ctrl-_,ctrl-\\\\", &k, NULL), 0);
    assert_int_equal(k.n, 3);
    assert_int_equal(k.keys[1], 31);
    assert_int_equal(k.keys[2], 28);
    assert_int_equal(keyseq_parse("ctrl-0", &k, &err), -1);
    assert_non_null(strstr(err.msg, "invalid detach keys"));
    err_clear(&err);
    assert_int_equal(keyseq_parse("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", &k, &err), -1);
    err_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339_known), cmocka_unit_test(test_rfc3339_matches_gmtime),
        cmocka_unit_test(test_err_cut),       cmocka_unit_test(test_sbuf_add_cut),
        cmocka_unit_test(test_jfail_format),  cmocka_unit_test(test_rm_rf_deep),
        cmocka_unit_test(test_keyseq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
