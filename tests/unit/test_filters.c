/* test_filters.c: Docker's filter arguments (src/engine/filters.h): how
 * KEY=VALUE is read, and the label, name, boolean and until matches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/filters.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const keys[] = {"label", "label!", "name", "dangling", "until", NULL};

/* the filters of args (NULL-ended), or NULL with the message in *msg */
static json_t *parse(const char *const *args, char **msg)
{
    merr_t e = MERR_INIT;
    json_t *f = filters_parse((char *const *)args, keys, &e);
    assert_true((f == NULL) == (e.msg != NULL));
    *msg = e.msg;
    return f;
}

static void test_parse(void **state)
{
    (void)state;
    char *msg;
    json_t *f =
        parse((const char *[]){" Label = a=b ", "label!=c", "label=a=b", "name=", NULL}, &msg);
    char *text = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
    /* trimmed, the key in lower case, a value once, "label!" a key */
    assert_string_equal(text, "{\"label\":[\"a=b\"],\"label!\":[\"c\"],\"name\":[\"\"]}");
    free(text);
    json_decref(f);
    assert_null(parse((const char *[]){"label", NULL}, &msg));
    assert_non_null(strstr(msg, "bad format of filter (expected name=value)"));
    free(msg);
    assert_null(parse((const char *[]){"name=x", "colour=red", NULL}, &msg));
    assert_string_equal(msg, "invalid filter 'colour'");
    free(msg);
    assert_null(parse((const char *[]){"label\xff=x", NULL}, &msg));
    free(msg);
    assert_null(parse((const char *[]){"label=\xff", NULL}, &msg));
    assert_non_null(strstr(msg, "not UTF-8"));
    free(msg);
    f = parse(NULL, &msg);
    assert_int_equal(json_object_size(f), 0);
    json_decref(f);
}

static bool labels_match(const char *const *args, const char *labels)
{
    char *msg;
    json_t *f = parse(args, &msg), *l = json_loads(labels, 0, NULL);
    assert_non_null(f);
    bool r = filters_match_labels(f, l);
    json_decref(f);
    json_decref(l);
    return r;
}

static void test_labels(void **state)
{
    (void)state;
    const char *l = "{\"a\": \"1\", \"b\": \"\"}";
    assert_true(labels_match((const char *[]){NULL}, l));
    assert_true(labels_match((const char *[]){"label=a", NULL}, l));
    assert_true(labels_match((const char *[]){"label=a=1", "label=b", NULL}, l));
    assert_true(labels_match((const char *[]){"label=b=", NULL}, l));
    assert_false(labels_match((const char *[]){"label=a=2", NULL}, l));
    assert_false(labels_match((const char *[]){"label=a", "label=c", NULL}, l));
    assert_false(labels_match((const char *[]){"label=a", NULL}, "{}"));
    /* label!: kept (no match) when every label! value holds */
    assert_false(labels_match((const char *[]){"label!=a", NULL}, l));
    assert_true(labels_match((const char *[]){"label!=a=2", NULL}, l));
    assert_true(labels_match((const char *[]){"label!=a", NULL}, "{}"));
    assert_false(labels_match((const char *[]){"label!=a", "label!=b", NULL}, l));
    assert_true(labels_match((const char *[]){"label!=a", "label!=c", NULL}, l));
    assert_false(labels_match((const char *[]){"label=a", "label!=b=", NULL}, l));
    /* a value that is not a string is no label */
    assert_false(labels_match((const char *[]){"label=a", NULL}, "{\"a\": 1}"));
}

static bool name_match(const char *arg, const char *name)
{
    char *msg;
    json_t *f = parse((const char *[]){arg, NULL}, &msg);
    bool r = filters_match_re(f, "name", name);
    json_decref(f);
    return r;
}

static void test_name(void **state)
{
    (void)state;
    assert_true(name_match("name=data", "data"));
    assert_true(name_match("name=at", "data"));
    assert_true(name_match("name=^da", "data"));
    assert_false(name_match("name=^at", "data"));
    assert_true(name_match("name=a$", "data"));
    assert_false(name_match("name=x", "data"));
    /* not an expression: only itself */
    assert_true(name_match("name=a(", "a("));
    assert_false(name_match("name=a(", "a(b"));
    char *msg;
    json_t *f = parse((const char *[]){"label=x", NULL}, &msg);
    assert_true(filters_match_re(f, "name", "anything"));
    assert_true(filters_match_exact(f, "name", "anything"));
    json_decref(f);
    /* exact: no expression, no part */
    f = parse((const char *[]){"name=loc", "name=l.cal", NULL}, &msg);
    assert_false(filters_match_exact(f, "name", "local"));
    assert_true(filters_match_re(f, "name", "local"));
    json_decref(f);
    f = parse((const char *[]){"name=local", NULL}, &msg);
    assert_true(filters_match_exact(f, "name", "local"));
    json_decref(f);
}

static int boolean(const char *const *args, bool *out)
{
    char *msg;
    json_t *f = parse(args, &msg);
    merr_t e = MERR_INIT;
    int r = filters_bool(f, "dangling", true, out, &e);
    assert_true((r < 0) == (e.msg != NULL));
    err_clear(&e);
    json_decref(f);
    return r;
}

static void test_bool(void **state)
{
    (void)state;
    bool b = false;
    assert_int_equal(boolean((const char *[]){NULL}, &b), 0);
    assert_true(b);
    assert_int_equal(boolean((const char *[]){"dangling=false", NULL}, &b), 0);
    assert_false(b);
    assert_int_equal(boolean((const char *[]){"dangling=1", "dangling=true", NULL}, &b), 0);
    assert_true(b);
    assert_int_equal(boolean((const char *[]){"dangling=0", NULL}, &b), 0);
    assert_false(b);
    assert_int_equal(boolean((const char *[]){"dangling=maybe", NULL}, &b), -1);
    assert_int_equal(boolean((const char *[]){"dangling=true", "dangling=0", NULL}, &b), -1);
}

#define S 1000000000LL
#define NOW (1700000000LL * S)

static void test_until(void **state)
{
    (void)state;
    char *msg;
    int64_t t;
    merr_t e = MERR_INIT;
    json_t *f = parse((const char *[]){"label=x", NULL}, &msg);
    assert_int_equal(filters_until(f, NOW, &t, &e), 0);
    assert_true(t == INT64_MAX);
    json_decref(f);
    f = parse((const char *[]){"until=1h", NULL}, &msg);
    assert_int_equal(filters_until(f, NOW, &t, &e), 0);
    assert_true(t == NOW - 3600 * S);
    json_decref(f);
    f = parse((const char *[]){"until=2023-11-14T22:13:20Z", "until=2023-11-14T22:13:20Z", NULL},
              &msg);
    assert_int_equal(filters_until(f, NOW, &t, &e), 0);
    assert_true(t == NOW);
    json_decref(f);
    f = parse((const char *[]){"until=1h", "until=2h", NULL}, &msg);
    assert_int_equal(filters_until(f, NOW, &t, &e), -1);
    assert_string_equal(e.msg, "more than one until filter specified");
    err_clear(&e);
    json_decref(f);
    f = parse((const char *[]){"until=soon", NULL}, &msg);
    assert_int_equal(filters_until(f, NOW, &t, &e), -1);
    assert_non_null(strstr(e.msg, "invalid value for 'until' filter"));
    err_clear(&e);
    json_decref(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse), cmocka_unit_test(test_labels), cmocka_unit_test(test_name),
        cmocka_unit_test(test_bool),  cmocka_unit_test(test_until),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
