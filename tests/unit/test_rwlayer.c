/* test_rwlayer.c: the writable layer's size option and how its limit is
 * recorded (src/engine/rwlayer.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/rwlayer.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *kv;
        int64_t want; /* 0: refused */
    } cases[] = {
        {"size=1m", 1 << 20},
        {"size=512M", 512LL << 20},
        {"size=10g", 10LL << 30},
        {"size=10GB", 10LL << 30},
        {"size=2097152", 2 << 20},
        {"size=max", -1},
        {"size=1023k", 0}, /* below the minimum */
        {"size=1048575", 0},
        {"size=0", 0}, /* Docker's "no limit": say max */
        {"size=-1", 0},
        {"size=-5m", 0},
        {"size=", 0},
        {"size=10x", 0},
        {"size=maxi", 0},
        {"size", 0},
        {"Size=1g", 0},
        {"inodes=10", 0},
        {"size=99999999999999999999g", 0},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        merr_t err = MERR_INIT;
        int64_t got = 12345;
        int r = rwl_parse_opt(cases[i].kv, &got, &err);
        if (cases[i].want) {
            assert_int_equal(r, 0);
            assert_int_equal(got, cases[i].want);
            assert_null(err.msg);
        } else {
            assert_int_equal(r, -1);
            assert_non_null(err.msg);
        }
        err_clear(&err);
    }
}

static char *dump(json_t *rec)
{
    return json_dumps(rec, JSON_SORT_KEYS | JSON_COMPACT);
}

static void test_record(void **state)
{
    (void)state;
    json_t *rec = json_pack("{s:{}}", "HostConfig");
    assert_string_equal(rwl_prefix(rec), "");
    struct rwl_plan p = {.mech = RWL_BTRFS, .size = 64 << 20};
    rwl_record(rec, &p);
    char *s = dump(rec);
    assert_string_equal(s,
                        "{\"HostConfig\":{\"StorageOpt\":{\"size\":\"67108864\"}},"
                        "\"WritableLayer\":{\"Limit\":67108864,\"Mechanism\":\"btrfs-qgroup\"}}");
    free(s);
    assert_string_equal(rwl_prefix(rec), "layer/");
    struct rwl_plan q = {.mech = RWL_PROJECT, .size = 10LL << 30, .projid = 1073741900};
    rwl_record(rec, &q);
    s = dump(json_object_get(rec, "WritableLayer"));
    assert_string_equal(s, "{\"Limit\":10737418240,\"Mechanism\":\"project-quota\","
                           "\"ProjectId\":1073741900}");
    free(s);
    struct rwl_plan n = {.mech = RWL_NONE, .size = -1, .why = "tmpfs"};
    rwl_record(rec, &n);
    s = dump(rec);
    assert_string_equal(s, "{\"HostConfig\":{\"StorageOpt\":null},"
                           "\"WritableLayer\":{\"Limit\":0,\"Mechanism\":\"none\","
                           "\"Reason\":\"tmpfs\"}}");
    free(s);
    json_decref(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
