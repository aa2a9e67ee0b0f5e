/* api_json.c: typed reads of an API request body (see api_json.h). */
#include "api_json.h"
#include "../util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *aj_get(json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_null(v) ? NULL : v;
}

int aj_bad(merr_t *err, const char *field, const char *fmt, ...)
{
    char *m = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&m, fmt, ap) < 0)
        m = NULL;
    va_end(ap);
    err_set(err, 0, "%s: %s", field, m ? m : "not valid");
    free(m);
    return -1;
}

char *aj_field(const char *parent, const char *key)
{
    return parent ? xasprintf("%s.%s", parent, key) : xstrdup(key);
}

int aj_str(json_t *obj, const char *key, const char *field, const char **out, merr_t *err)
{
    json_t *v = aj_get(obj, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_string(v))
        return aj_bad(err, field, "must be a string");
    if (strlen(json_string_value(v)) != json_string_length(v))
        return aj_bad(err, field, "must not hold a NUL character");
    if (*json_string_value(v))
        *out = json_string_value(v);
    return 0;
}

int aj_bool(json_t *obj, const char *key, const char *field, bool *out, merr_t *err)
{
    json_t *v = aj_get(obj, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return aj_bad(err, field, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

int aj_int(json_t *obj, const char *key, const char *field, int64_t *out, merr_t *err)
{
    json_t *v = aj_get(obj, key);
    *out = 0;
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return aj_bad(err, field, "must be an integer");
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int one(json_t *s, const char *field, char ***v, merr_t *err)
{
    if (!json_is_string(s))
        return aj_bad(err, field, "must be a list of strings");
    if (strlen(json_string_value(s)) != json_string_length(s))
        return aj_bad(err, field, "must not hold a NUL character");
    strv_push(v, json_string_value(s));
    return 0;
}

int aj_strv(json_t *obj, const char *key, const char *field, bool one_string, char ***v,
            merr_t *err)
{
    json_t *a = aj_get(obj, key), *s;
    size_t i;
    if (!a)
        return 0;
    if (one_string && json_is_string(a))
        return one(a, field, v, err);
    if (!json_is_array(a))
        return aj_bad(err, field, "must be a list of strings");
    json_array_foreach(a, i, s)
    {
        if (one(s, field, v, err) < 0)
            return -1;
    }
    return 0;
}

int aj_kv(json_t *obj, const char *key, const char *field, char sep, char ***v, merr_t *err)
{
    json_t *o = aj_get(obj, key), *s;
    const char *k;
    if (!o)
        return 0;
    if (!json_is_object(o))
        return aj_bad(err, field, "must be an object of strings");
    json_object_foreach(o, k, s)
    {
        if (!json_is_string(s))
            return aj_bad(err, field, "\"%.64s\": must be a string", k);
        if (strlen(json_string_value(s)) != json_string_length(s) || !*k)
            return aj_bad(err, field, "\"%.64s\": an empty key or a NUL character", k);
        char *kv = xasprintf("%s%c%s", k, sep, json_string_value(s));
        strv_push(v, kv);
        free(kv);
    }
    return 0;
}
