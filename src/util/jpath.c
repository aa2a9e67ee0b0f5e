#include "jpath.h"
#include "fs.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void render(struct sbuf *b, const struct jp *p)
{
    if (!p)
        return;
    render(b, p->up);
    if (p->key) {
        if (b->len)
            sbuf_puts(b, ".");
        sbuf_puts(b, p->key);
    } else {
        sbuf_printf(b, "[%ld]", p->idx);
    }
}

char *jp_render(const struct jp *p)
{
    struct sbuf b = {0};
    render(&b, p);
    return sbuf_steal(&b);
}

int jfail(const struct jctx *c, const struct jp *p, const char *fmt, ...)
{
    char *m;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&m, fmt, ap) < 0)
        m = NULL;
    va_end(ap);
    cleanup_free char *path = jp_render(p);
    if (*path)
        err_set(c->err, 0, "%s: %s: %s", c->file, path, m ? m : "invalid");
    else
        err_set(c->err, 0, "%s: %s", c->file, m ? m : "invalid");
    free(m);
    return -1;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* fetch a member, 0 if absent/null */
static json_t *member(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return (v && !json_is_null(v)) ? v : NULL;
}

#define GET_TYPED(check, what)                                                                     \
    json_t *v = member(obj, key);                                                                  \
    if (!v)                                                                                        \
        return 0;                                                                                  \
    if (!(check))                                                                                  \
        return jfail(c, JP_K(p, key), "must be %s, not %s", what, type_name(v));

int jget_obj(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, json_t **out)
{
    GET_TYPED(json_is_object(v), "an object")
    *out = v;
    return 1;
}

int jget_arr(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, json_t **out)
{
    GET_TYPED(json_is_array(v), "an array")
    *out = v;
    return 1;
}

int jget_str(const struct jctx *c, const struct jp *p, json_t *obj, const char *key,
             const char **out)
{
    GET_TYPED(json_is_string(v), "a string")
    if (strlen(json_string_value(v)) != json_string_length(v))
        return jfail(c, JP_K(p, key), "must not contain NUL bytes");
    *out = json_string_value(v);
    return 1;
}

int jget_bool(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, bool *out)
{
    GET_TYPED(json_is_boolean(v), "a boolean")
    *out = json_is_true(v);
    return 1;
}

int jget_i64(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, int64_t *out)
{
    GET_TYPED(json_is_integer(v), "an integer")
    *out = json_integer_value(v);
    return 1;
}

int jget_u64(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, uint64_t *out)
{
    GET_TYPED(json_is_integer(v), "an integer")
    if (json_integer_value(v) < 0)
        return jfail(c, JP_K(p, key), "must not be negative (%lld)",
                     (long long)json_integer_value(v));
    *out = (uint64_t)json_integer_value(v);
    return 1;
}

int jget_u32(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, uint32_t *out)
{
    GET_TYPED(json_is_integer(v), "an integer")
    json_int_t i = json_integer_value(v);
    if (i < 0 || i > UINT32_MAX)
        return jfail(c, JP_K(p, key), "must be between 0 and 4294967295 (%lld)", (long long)i);
    *out = (uint32_t)i;
    return 1;
}

int jget_int(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, int *out)
{
    GET_TYPED(json_is_integer(v), "an integer")
    json_int_t i = json_integer_value(v);
    if (i < INT32_MIN || i > INT32_MAX)
        return jfail(c, JP_K(p, key), "out of range (%lld)", (long long)i);
    *out = (int)i;
    return 1;
}

int jget_strv(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, char ***out)
{
    GET_TYPED(json_is_array(v), "an array of strings")
    size_t n = json_array_size(v);
    char **r = xzalloc((n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e)) {
            free(r);
            return jfail(c, JP_I(JP_K(p, key), i), "must be a string, not %s", type_name(e));
        }
        r[i] = (char *)json_string_value(e);
    }
    *out = r;
    return 1;
}

int jval_str(const struct jctx *c, const struct jp *p, json_t *v, const char **out)
{
    if (!json_is_string(v))
        return jfail(c, p, "must be a string, not %s", type_name(v));
    *out = json_string_value(v);
    return 0;
}

int jval_obj(const struct jctx *c, const struct jp *p, json_t *v)
{
    if (!json_is_object(v))
        return jfail(c, p, "must be an object, not %s", type_name(v));
    return 0;
}

json_t *jload(const struct jctx *c, const char *text, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    if (!root) {
        err_set(c->err, 0, "%s: invalid JSON at line %d, column %d: %s", c->file, je.line,
                je.column, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        err_set(c->err, 0, "%s: must be a JSON object", c->file);
        json_decref(root);
        return NULL;
    }
    return root;
}

json_t *jload_fd(int fd, const char *what, merr_t *err)
{
    char *text = NULL;
    size_t len = 0;
    if (read_regular_fd(fd, JLOAD_MAX, &text, &len) < 0) {
        if (errno == EINVAL)
            err_set(err, 0, "%s: not a regular file", what);
        else if (errno == EFBIG)
            err_set(err, 0, "%s: larger than %d MiB", what, JLOAD_MAX >> 20);
        else
            err_sys(err, "%s: read", what);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(text, len, 0, &je);
    free(text);
    if (!j)
        err_set(err, 0, "%s: not JSON: line %d: %s", what, je.line, je.text);
    return j;
}
