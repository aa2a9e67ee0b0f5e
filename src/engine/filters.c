/* filters.c: Docker's filter arguments (see filters.h). */
#include "filters.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <ctype.h>
#include <regex.h>
#include <string.h>

/* [s, s+n) without the spaces around it */
static char *trimmed(const char *s, size_t n, bool lower)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *t = xstrndup(s, n);
    for (char *p = t; lower && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return t;
}

int filters_add(json_t *filters, const char *kv, const char *const *keys, merr_t *err)
{
    const char *eq = strchr(kv, '=');
    if (!eq)
        return err_set(err, 0, "bad format of filter (expected name=value): \"%.256s\"", kv);
    cleanup_free char *key = trimmed(kv, (size_t)(eq - kv), true);
    cleanup_free char *val = trimmed(eq + 1, strlen(eq + 1), false);
    bool known = false;
    for (size_t i = 0; keys[i] && !known; i++)
        known = strcmp(key, keys[i]) == 0;
    if (!known)
        return err_set(err, 0, "invalid filter '%.64s'", key);
    json_t *s = json_string(val);
    if (!s)
        return err_set(err, 0, "invalid filter '%s': its value is not UTF-8", key);
    json_t *vals = json_object_get(filters, key);
    if (!vals)
        json_object_set_new(filters, key, vals = json_array());
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v)
    {
        if (json_equal(v, s)) {
            json_decref(s);
            return 0;
        }
    }
    json_array_append_new(vals, s);
    return 0;
}

json_t *filters_parse(char *const *args, const char *const *keys, merr_t *err)
{
    json_t *f = json_object();
    for (size_t i = 0; args && args[i]; i++)
        if (filters_add(f, args[i], keys, err) < 0) {
            json_decref(f);
            return NULL;
        }
    return f;
}

bool filters_has(json_t *filters, const char *key)
{
    return json_array_size(json_object_get(filters, key)) > 0;
}

bool filters_match_kv(json_t *filters, const char *key, json_t *labels)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(filters, key), i, f)
    {
        const char *want = json_string_value(f), *eq = strchr(want, '=');
        cleanup_free char *k = eq ? xstrndup(want, (size_t)(eq - want)) : xstrdup(want);
        const char *have = json_string_value(json_object_get(labels, k));
        if (!have || (eq && strcmp(have, eq + 1) != 0))
            return false;
    }
    return true;
}

bool filters_match_labels(json_t *filters, json_t *labels)
{
    if (!filters_match_kv(filters, "label", labels))
        return false;
    return !filters_has(filters, "label!") || !filters_match_kv(filters, "label!", labels);
}

bool filters_match_exact(json_t *filters, const char *key, const char *s)
{
    json_t *vals = json_object_get(filters, key);
    size_t i;
    json_t *f;
    json_array_foreach(vals, i, f)
    {
        if (strcmp(json_string_value(f), s) == 0)
            return true;
    }
    return !json_array_size(vals);
}

bool filters_match_re(json_t *filters, const char *key, const char *s)
{
    if (filters_match_exact(filters, key, s))
        return true;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(filters, key), i, f)
    {
        const char *want = json_string_value(f);
        regex_t re;
        if (regcomp(&re, want, REG_EXTENDED | REG_NOSUB) != 0)
            continue;
        bool hit = regexec(&re, s, 0, NULL, 0) == 0;
        regfree(&re);
        if (hit)
            return true;
    }
    return false;
}

int filters_bool(json_t *filters, const char *key, bool dflt, bool *out, merr_t *err)
{
    json_t *vals = json_object_get(filters, key);
    *out = dflt;
    if (!vals)
        return 0;
    bool yes = false, no = false;
    size_t i;
    json_t *f;
    json_array_foreach(vals, i, f)
    {
        const char *v = json_string_value(f);
        yes = yes || !strcmp(v, "true") || !strcmp(v, "1");
        no = no || !strcmp(v, "false") || !strcmp(v, "0");
    }
    if (yes == no) {
        cleanup_free char *all = NULL;
        json_array_foreach(vals, i, f)
        {
            char *next = xasprintf("%s%s%s", all ? all : "", all ? "," : "", json_string_value(f));
            free(all);
            all = next;
        }
        return err_set(err, 0, "invalid filter '%s=%.256s': true or false", key, all ? all : "");
    }
    *out = yes;
    return 0;
}

int filters_until(json_t *filters, int64_t now_ns, int64_t *until, merr_t *err)
{
    json_t *vals = json_object_get(filters, "until");
    *until = INT64_MAX;
    if (!json_array_size(vals))
        return 0;
    if (json_array_size(vals) > 1)
        return err_set(err, 0, "more than one until filter specified");
    const char *v = json_string_value(json_array_get(vals, 0));
    if (timearg_parse(v, now_ns, until) < 0)
        return err_set(
            err, 0, "invalid value for 'until' filter: \"%.64s\" is not a time or a duration", v);
    return 0;
}
