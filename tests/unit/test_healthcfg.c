/* test_healthcfg.c: Docker's HealthConfig from untrusted JSON, the merge
 * with flags, Docker's rules (src/oci/healthcfg.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "oci/healthcfg.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* parse text; the error message (NULL if none) */
static char *parse(const char *text, struct health_cfg *c)
{
    json_t *j = json_loads(text, JSON_ALLOW_NUL, NULL);
    assert_non_null(j);
    merr_t e = MERR_INIT;
    int r = health_cfg_from_json(j, "hc", c, &e);
    json_decref(j);
    assert_true((r < 0) == (e.msg != NULL));
    return e.msg;
}

static void refused(const char *text, const char *want)
{
    struct health_cfg c;
    char *msg = parse(text, &c);
    if (!msg || !strstr(msg, want))
        fail_msg("%s: got \"%s\", want \"%s\"", text, msg ? msg : "(taken)", want);
    free(msg);
    assert_null(c.test);
}

static void test_untrusted(void **state)
{
    (void)state;
    refused("[]", "hc: not an object");
    refused("{\"Test\": \"CMD true\"}", "hc.Test: not a list of strings");
    refused("{\"Test\": [\"CMD\", 1]}", "hc.Test[1]: not a string");
    refused("{\"Test\": [\"CMD\", \"a\\u0000b\"]}", "hc.Test[1]: holds a NUL byte");
    refused("{\"Test\": [\"RUN\", \"x\"]}", "hc.Test[0]: \"RUN\": not CMD, CMD-SHELL or NONE");
    refused("{\"Test\": [\"CMD\"]}", "hc.Test: CMD with nothing to run");
    refused("{\"Test\": [\"CMD-SHELL\", \"\"]}", "hc.Test: CMD-SHELL with nothing to run");
    refused("{\"Interval\": 1.5}", "hc.Interval: not an integer");
    refused("{\"Retries\": \"3\"}", "hc.Retries: not an integer");
    /* bounded: entries and bytes */
    struct sbuf b = {0};
    sbuf_puts(&b, "{\"Test\": [\"CMD\"");
    for (int i = 0; i < HEALTH_TEST_MAX_ARGS; i++)
        sbuf_puts(&b, ",\"x\"");
    sbuf_puts(&b, "]}");
    refused(b.buf, "entries (at most 1024)");
    b.len = 0;
    sbuf_puts(&b, "{\"Test\": [\"CMD\", \"");
    for (int i = 0; i < HEALTH_TEST_MAX_BYTES; i++)
        sbuf_puts(&b, "y");
    sbuf_puts(&b, "\"]}");
    refused(b.buf, "longer than 65536 bytes");
    free(b.buf);
}

static void test_merge_and_rules(void **state)
{
    (void)state;
    struct health_cfg img, user = {.interval = 2000000000};
    assert_null(parse("{\"Test\": [\"CMD\", \"check\"], \"Interval\": 5, \"Timeout\": 7000000, "
                      "\"Retries\": 9}",
                      &img));
    health_cfg_merge(&user, &img);
    assert_string_equal(user.test[1], "check");
    assert_int_equal(user.interval, 2000000000);
    assert_int_equal(user.timeout, 7000000);
    assert_int_equal(user.retries, 9);
    assert_true(health_cfg_enabled(&user));
    merr_t e = MERR_INIT;
    assert_int_equal(health_cfg_check(&user, &e), 0);
    /* the image's 5ns interval, had the flags not replaced it */
    assert_int_equal(health_cfg_check(&img, &e), -1);
    assert_string_equal(e.msg, "Interval in Healthcheck cannot be less than 1ms");
    err_clear(&e);
    user.retries = -1;
    assert_int_equal(health_cfg_check(&user, &e), -1);
    assert_string_equal(e.msg, "Retries in Healthcheck cannot be negative");
    err_clear(&e);
    json_t *j = health_cfg_json(&user);
    char *text = json_dumps(j, 0);
    assert_string_equal(text, "{\"Test\": [\"CMD\", \"check\"], \"Interval\": 2000000000, "
                              "\"Timeout\": 7000000, \"Retries\": -1}");
    free(text);
    json_decref(j);
    health_cfg_free(&user);
    health_cfg_free(&img);
    /* defaults; NONE does not check */
    struct health_cfg none;
    assert_null(parse("{\"Test\": [\"NONE\"]}", &none));
    assert_false(health_cfg_enabled(&none));
    assert_int_equal(health_cfg_interval(&none), HEALTH_DEFAULT_INTERVAL);
    assert_int_equal(health_cfg_timeout(&none), HEALTH_DEFAULT_TIMEOUT);
    assert_int_equal(health_cfg_start_interval(&none), HEALTH_DEFAULT_START_INTERVAL);
    assert_int_equal(health_cfg_retries(&none), 3);
    health_cfg_free(&none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untrusted),
        cmocka_unit_test(test_merge_and_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
