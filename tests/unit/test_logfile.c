/* test_logfile.c: the container log format (src/engine/logfile.c): options,
 * rotation, reading from the start and from the end, damaged files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/logfile.h"
#include "util/fs.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tmpdir(char *path)
{
    strcpy(path, "/tmp/moat-logfile-XXXXXX");
    assert_non_null(mkdtemp(path));
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    return fd;
}

static void rmdir_all(int fd, const char *path)
{
    rm_rf_at(AT_FDCWD, path);
    close(fd);
}

/* everything a reader gives until it has no more */
static char *read_all_recs(int dirfd, int64_t tail, int *damaged)
{
    struct log_reader r;
    merr_t err = MERR_INIT;
    struct sbuf b = {0};
    struct log_rec rec;
    int n;
    *damaged = 0;
    assert_int_equal(logr_open(dirfd, tail, &r, &err), 0);
    while ((n = logr_next(&r, &rec, &err)) != 0) {
        if (n < 0) {
            (*damaged)++;
            err_clear(&err);
            continue;
        }
        sbuf_add(&b, rec.data, rec.len);
    }
    logr_close(&r);
    sbuf_add(&b, "", 1);
    return sbuf_steal(&b);
}

static void test_options(void **state)
{
    (void)state;
    struct log_limits l;
    merr_t err = MERR_INIT;
    log_limits_init(&l);
    assert_int_equal(l.max_size, 10 << 20);
    assert_int_equal(l.max_file, 3);
    assert_int_equal(log_parse_opt("max-size=64k", &l, &err), 0);
    assert_int_equal(log_parse_opt("max-file=7", &l, &err), 0);
    assert_int_equal(l.max_size, 65536);
    assert_int_equal(l.max_file, 7);
    static const char *const bad[] = {
        "max-size=0", "max-size=1023", "max-size=", "max-size=1x", "max-file=0", "max-file=101",
        "max-file=a", "max-size",      "labels=a",  "=1",          "",           "max-sizes=1m"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_int_equal(log_parse_opt(bad[i], &l, &err), -1);
        assert_non_null(strstr(err.msg, bad[i]));
        err_clear(&err);
    }
    assert_int_equal(l.max_size, 65536); /* a refused value changes nothing */
    assert_int_equal(log_parse_driver("syslog", &l, &err), -1);
    err_clear(&err);
    assert_int_equal(log_parse_driver("json-file", &l, &err), 0);
    assert_false(l.none);
    /* the record's LogConfig and back */
    json_t *j = log_config_json(&l);
    char *t = json_dumps(j, JSON_COMPACT);
    assert_string_equal(
        t, "{\"Type\":\"local\",\"Config\":{\"max-size\":\"64k\",\"max-file\":\"7\"}}");
    free(t);
    struct log_limits back;
    log_limits_from_json(j, &back);
    json_decref(j);
    assert_int_equal(back.max_size, 65536);
    assert_int_equal(back.max_file, 7);
    assert_int_equal(log_parse_opt("max-size=-1", &l, &err), 0);
    assert_int_equal(log_parse_driver("none", &l, &err), 0);
    j = log_config_json(&l);
    log_limits_from_json(j, &back);
    json_decref(j);
    assert_true(back.none);
    log_limits_from_json(NULL, &back); /* an older record: the default cap */
    assert_int_equal(back.max_size, 10 << 20);
}

static void test_rotation_keeps_the_end(void **state)
{
    (void)state;
    char path[64];
    int d = tmpdir(path);
    struct log_limits l = {.max_size = 1024, .max_file = 2};
    struct log_writer w;
    merr_t err = MERR_INIT;
    assert_int_equal(logw_open(d, &l, &w, &err), 0);
    struct sbuf all = {0};
    for (int i = 0; i < 500; i++) {
        char line[32];
        int n = snprintf(line, sizeof(line), "line %d\n", i);
        assert_int_equal(logw_write(&w, 1 + i % 2, line, (size_t)n), 0);
        sbuf_add(&all, line, (size_t)n);
    }
    logw_close(&w);
    /* two files of at most max-size */
    int files = 0;
    for (uint64_t s = 1; s < 1000; s++) {
        char name[32];
        struct stat st;
        snprintf(name, sizeof(name), "log.%llu", (unsigned long long)s);
        if (fstatat(d, name, &st, 0) == 0) {
            files++;
            assert_true(st.st_size <= 1024);
        }
    }
    assert_int_equal(files, 2);
    int damaged;
    char *got = read_all_recs(d, -1, &damaged);
    assert_int_equal(damaged, 0);
    assert_true(strlen(got) > 500);
    /* the end of what was written, from a line's start */
    sbuf_add(&all, "", 1);
    size_t gl = strlen(got);
    assert_string_equal(all.buf + strlen(all.buf) - gl, got);
    free(got);
    got = read_all_recs(d, 3, &damaged);
    assert_string_equal(got, "line 497\nline 498\nline 499\n");
    free(got);
    got = read_all_recs(d, 0, &damaged);
    assert_string_equal(got, "");
    free(got);
    free(all.buf);
    rmdir_all(d, path);
}

static void test_tail_across_files_and_long_lines(void **state)
{
    (void)state;
    char path[64];
    int d = tmpdir(path);
    struct log_limits l = {.max_size = 4096, .max_file = 5};
    struct log_writer w;
    merr_t err = MERR_INIT;
    assert_int_equal(logw_open(d, &l, &w, &err), 0);
    char *big = xmalloc(10000);
    memset(big, 'x', 9999);
    big[9999] = '\n';
    assert_int_equal(logw_write(&w, 1, big, 10000), 0); /* split into records of a file each */
    assert_int_equal(logw_write(&w, 2, "a\0b\n", 4), 0);
    logw_close(&w);
    int damaged;
    char *got = read_all_recs(d, -1, &damaged);
    assert_int_equal(memcmp(got, big, 10000), 0);
    assert_int_equal(memcmp(got + 10000, "a", 2), 0); /* the NUL came back */
    free(got);
    /* a line split by the writer counts as more than one for --tail */
    got = read_all_recs(d, 2, &damaged);
    assert_true(strlen(got) > 1000 && strlen(got) < 9999);
    free(got);
    free(big);
    rmdir_all(d, path);
}

static void test_torn_and_damaged(void **state)
{
    (void)state;
    char path[64];
    int d = tmpdir(path);
    struct log_limits l;
    log_limits_init(&l);
    struct log_writer w;
    merr_t err = MERR_INIT;
    assert_int_equal(logw_open(d, &l, &w, &err), 0);
    assert_int_equal(logw_write(&w, 1, "one\n", 4), 0);
    assert_int_equal(logw_write(&w, 1, "two\n", 4), 0);
    logw_close(&w);
    /* a monitor killed in the middle of a record */
    int fd = openat(d, "log.1", O_WRONLY);
    assert_int_equal(ftruncate(fd, 8 + 21 + 10), 0);
    close(fd);
    int damaged;
    char *got = read_all_recs(d, -1, &damaged);
    assert_string_equal(got, "one\n");
    assert_int_equal(damaged, 0);
    free(got);
    got = read_all_recs(d, 5, &damaged);
    assert_string_equal(got, "one\n");
    free(got);
    /* the next writer starts a new file */
    assert_int_equal(logw_open(d, &l, &w, &err), 0);
    assert_int_equal(logw_write(&w, 2, "three\n", 6), 0);
    logw_close(&w);
    assert_int_equal(faccessat(d, "log.2", F_OK, 0), 0);
    got = read_all_recs(d, -1, &damaged);
    assert_string_equal(got, "one\nthree\n");
    free(got);
    got = read_all_recs(d, 2, &damaged);
    assert_string_equal(got, "one\nthree\n");
    free(got);
    /* garbage in a record: said once, the rest of that file left out */
    fd = openat(d, "log.1", O_WRONLY);
    assert_int_equal(pwrite(fd, "\x07", 1, 8), 1);
    close(fd);
    got = read_all_recs(d, -1, &damaged);
    assert_string_equal(got, "three\n");
    assert_int_equal(damaged, 1);
    free(got);
    /* both files damaged, and a tail that looks in both: nothing is kept
     * of either (and no message is lost to a leak: the ASan build) */
    fd = openat(d, "log.2", O_WRONLY);
    assert_int_equal(pwrite(fd, "\x07", 1, 8), 1);
    close(fd);
    got = read_all_recs(d, 10, &damaged);
    assert_string_equal(got, "");
    assert_true(damaged >= 1);
    free(got);
    rmdir_all(d, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_rotation_keeps_the_end),
        cmocka_unit_test(test_tail_across_files_and_long_lines),
        cmocka_unit_test(test_torn_and_damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
