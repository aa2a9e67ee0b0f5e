/* healthcfg.c: Docker's HealthConfig, checked (see healthcfg.h). */
#include "healthcfg.h"
#include "../util/util.h"

#include <stddef.h>
#include <string.h>

static int test_from_json(json_t *t, const char *what, struct health_cfg *c, merr_t *err)
{
    if (!t || json_is_null(t))
        return 0;
    if (!json_is_array(t))
        return err_set(err, 0, "%s.Test: not a list of strings", what);
    size_t n = json_array_size(t), total = 0;
    if (n == 0)
        return 0; /* Docker: not set */
    if (n > HEALTH_TEST_MAX_ARGS)
        return err_set(err, 0, "%s.Test: %zu entries (at most %d)", what, n, HEALTH_TEST_MAX_ARGS);
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_array_get(t, i);
        if (!json_is_string(a))
            return err_set(err, 0, "%s.Test[%zu]: not a string", what, i);
        size_t l = json_string_length(a);
        if (strlen(json_string_value(a)) != l)
            return err_set(err, 0, "%s.Test[%zu]: holds a NUL byte", what, i);
        total += l + 1;
        if (total > HEALTH_TEST_MAX_BYTES)
            return err_set(err, 0, "%s.Test: longer than %d bytes", what, HEALTH_TEST_MAX_BYTES);
    }
    const char *kind = json_string_value(json_array_get(t, 0));
    if (strcmp(kind, "NONE") != 0 && strcmp(kind, "CMD") != 0 && strcmp(kind, "CMD-SHELL") != 0) {
        struct sbuf b = {0};
        sbuf_add_cut(&b, kind, 64);
        err_set(err, 0, "%s.Test[0]: \"%s\": not CMD, CMD-SHELL or NONE", what, b.buf);
        free(b.buf);
        return -1;
    }
    if (strcmp(kind, "NONE") != 0 && (n < 2 || !*json_string_value(json_array_get(t, 1))))
        return err_set(err, 0, "%s.Test: %s with nothing to run", what, kind);
    c->test = xzalloc((n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++)
        c->test[i] = xstrdup(json_string_value(json_array_get(t, i)));
    return 0;
}

static int int_field(json_t *j, const char *key, const char *what, int64_t *out, merr_t *err)
{
    json_t *v = json_object_get(j, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return err_set(err, 0, "%s.%s: not an integer", what, key);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int health_cfg_from_json(json_t *j, const char *what, struct health_cfg *c, merr_t *err)
{
    memset(c, 0, sizeof(*c));
    if (!j || json_is_null(j))
        return 0;
    if (!json_is_object(j))
        return err_set(err, 0, "%s: not an object", what);
    if (int_field(j, "Interval", what, &c->interval, err) < 0 ||
        int_field(j, "Timeout", what, &c->timeout, err) < 0 ||
        int_field(j, "StartPeriod", what, &c->start_period, err) < 0 ||
        int_field(j, "StartInterval", what, &c->start_interval, err) < 0 ||
        int_field(j, "Retries", what, &c->retries, err) < 0 ||
        test_from_json(json_object_get(j, "Test"), what, c, err) < 0) {
        health_cfg_free(c);
        return -1;
    }
    return 0;
}

void health_cfg_merge(struct health_cfg *user, const struct health_cfg *image)
{
    if (!user->test && image->test) {
        size_t n = strv_len(image->test);
        user->test = xzalloc((n + 1) * sizeof(char *));
        for (size_t i = 0; i < n; i++)
            user->test[i] = xstrdup(image->test[i]);
    }
    if (!user->interval)
        user->interval = image->interval;
    if (!user->timeout)
        user->timeout = image->timeout;
    if (!user->start_period)
        user->start_period = image->start_period;
    if (!user->start_interval)
        user->start_interval = image->start_interval;
    if (!user->retries)
        user->retries = image->retries;
}

int health_cfg_check(const struct health_cfg *c, merr_t *err)
{
    static const struct {
        const char *name;
        size_t off;
    } d[] = {
        {"Interval", offsetof(struct health_cfg, interval)},
        {"Timeout", offsetof(struct health_cfg, timeout)},
        {"StartPeriod", offsetof(struct health_cfg, start_period)},
        {"StartInterval", offsetof(struct health_cfg, start_interval)},
    };
    for (size_t i = 0; i < ARRAY_SIZE(d); i++) {
        int64_t v = *(const int64_t *)((const char *)c + d[i].off);
        if (v != 0 && v < HEALTH_MIN_DURATION)
            return err_set(err, 0, "%s in Healthcheck cannot be less than 1ms", d[i].name);
    }
    if (c->retries < 0)
        return err_set(err, 0, "Retries in Healthcheck cannot be negative");
    return 0;
}

bool health_cfg_enabled(const struct health_cfg *c)
{
    return c->test && c->test[0] && strcmp(c->test[0], "NONE") != 0;
}

json_t *health_cfg_json(const struct health_cfg *c)
{
    if (!c->test && !c->interval && !c->timeout && !c->start_period && !c->start_interval &&
        !c->retries)
        return NULL;
    json_t *t = json_array();
    for (size_t i = 0; c->test && c->test[i]; i++)
        json_array_append_new(t, json_string(c->test[i]));
    json_t *j = json_pack("{s:o}", "Test", t);
    /* Docker's omitempty: a zero is not shown */
    if (c->interval)
        json_object_set_new(j, "Interval", json_integer((json_int_t)c->interval));
    if (c->timeout)
        json_object_set_new(j, "Timeout", json_integer((json_int_t)c->timeout));
    if (c->start_period)
        json_object_set_new(j, "StartPeriod", json_integer((json_int_t)c->start_period));
    if (c->start_interval)
        json_object_set_new(j, "StartInterval", json_integer((json_int_t)c->start_interval));
    if (c->retries)
        json_object_set_new(j, "Retries", json_integer((json_int_t)c->retries));
    return j;
}

void health_cfg_free(struct health_cfg *c)
{
    strv_free(c->test);
    c->test = NULL;
}

int64_t health_cfg_interval(const struct health_cfg *c)
{
    return c->interval > 0 ? c->interval : HEALTH_DEFAULT_INTERVAL;
}

int64_t health_cfg_timeout(const struct health_cfg *c)
{
    return c->timeout > 0 ? c->timeout : HEALTH_DEFAULT_TIMEOUT;
}

int64_t health_cfg_start_interval(const struct health_cfg *c)
{
    return c->start_interval > 0 ? c->start_interval : HEALTH_DEFAULT_START_INTERVAL;
}

int64_t health_cfg_retries(const struct health_cfg *c)
{
    return c->retries > 0 ? c->retries : HEALTH_DEFAULT_RETRIES;
}
