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
        sbuf_add_cut(b, p->key, JCUT_MAX); /* an object key can be megabytes */
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

/* One conversion of fmt (f points after the '%') with its argument, every
 * string cut to JCUT_MAX bytes. Handles what the parsers use: %c %d %i %u
 * %o %x %s %% with l, ll or z, without flags or width. Returns the end of
 * the conversion, or NULL for anything else (the caller stops there: the
 * arguments cannot be read on). */
static const char *fmt_one(struct sbuf *b, const char *f, va_list *ap)
{
    int l = 0;
    bool z = false;
    for (; *f == 'l' && l < 2; f++)
        l++;
    if (!l && *f == 'z') {
        z = true;
        f++;
    }
    bool sig = *f == 'd' || *f == 'i';
    switch (*f) {
    case '%':
        if (l || z)
            return NULL;
        sbuf_add(b, "%", 1);
        break;
    case 's':
    case 'c':
        if (l || z)
            return NULL;
        if (*f == 'c') {
            char ch = (char)va_arg(*ap, int);
            sbuf_add(b, &ch, 1);
        } else {
            const char *s = va_arg(*ap, const char *);
            sbuf_add_cut(b, s ? s : "(null)", JCUT_MAX);
        }
        break;
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x': {
        unsigned long long v;
        if (sig)
            v = (unsigned long long)(z        ? va_arg(*ap, ssize_t)
                                     : l == 2 ? va_arg(*ap, long long)
                                     : l == 1 ? va_arg(*ap, long)
                                              : va_arg(*ap, int));
        else
            v = z        ? va_arg(*ap, size_t)
                : l == 2 ? va_arg(*ap, unsigned long long)
                : l == 1 ? va_arg(*ap, unsigned long)
                         : va_arg(*ap, unsigned);
        if (sig)
            sbuf_printf(b, "%lld", (long long)v);
        else if (*f == 'o')
            sbuf_printf(b, "%llo", v);
        else if (*f == 'x')
            sbuf_printf(b, "%llx", v);
        else
            sbuf_printf(b, "%llu", v);
        break;
    }
    default:
        return NULL;
    }
    return f + 1;
}

/* vasprintf with every %s argument cut to JCUT_MAX bytes */
static char *fmt_cut(const char *fmt, va_list ap)
{
    struct sbuf b = {0};
    va_list aq;
    va_copy(aq, ap);
    const char *f = fmt;
    while (*f) {
        const char *pct = strchr(f, '%');
        if (!pct) {
            sbuf_puts(&b, f);
            break;
        }
        sbuf_add(&b, f, (size_t)(pct - f));
        f = fmt_one(&b, pct + 1, &aq);
        if (!f) {
            sbuf_puts(&b, pct);
            break;
        }
    }
    va_end(aq);
    return sbuf_steal(&b);
}

int jfail(const struct jctx *c, const struct jp *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cleanup_free char *m = fmt_cut(fmt, ap);
    va_end(ap);
    cleanup_free char *path = jp_render(p);
    if (*path)
        err_set(c->err, 0, "%s: %s: %s", c->file, path, m);
    else
        err_set(c->err, 0, "%s: %s", c->file, m);
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

/* The JSON path of the value that ends at byte pos (text[0..pos) is a
 * valid start of a document: jansson read it before it stopped there).
 * When that token is an object key (key_error), the object's path. */
struct scan_frame {
    bool obj, want_key;
    long idx;
    const char *key;
    size_t klen;
};

static char *path_at(const char *text, size_t pos, bool key_error)
{
    struct scan_frame *st = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < pos; i++) {
        char ch = text[i];
        struct scan_frame *top = n ? &st[n - 1] : NULL;
        if (ch == '{' || ch == '[') {
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                st = xrealloc(st, cap * sizeof(*st));
            }
            st[n++] = (struct scan_frame){.obj = ch == '{', .want_key = ch == '{'};
        } else if ((ch == '}' || ch == ']') && n) {
            n--;
        } else if (ch == ',' && top) {
            top->idx++;
            top->want_key = top->obj;
        } else if (ch == '"') {
            size_t start = ++i;
            while (i < pos && text[i] != '"')
                i += text[i] == '\\' ? 2 : 1;
            if (top && top->want_key) {
                top->key = text + start;
                top->klen = (i < pos ? i : pos) - start;
                top->want_key = false;
            }
        }
    }
    struct sbuf b = {0};
    for (size_t k = 0; k < n; k++) {
        if (k == n - 1 && key_error)
            break; /* the key itself is not part of the path */
        if (!st[k].obj) {
            sbuf_printf(&b, "[%ld]", st[k].idx);
        } else if (st[k].key) {
            cleanup_free char *key = xstrndup(st[k].key, st[k].klen);
            if (b.len)
                sbuf_add(&b, ".", 1);
            sbuf_add_cut(&b, key, JCUT_MAX);
        }
    }
    free(st);
    return sbuf_steal(&b);
}

/* jansson's error as "file: path: reason" where it is about one value */
static void load_error(const struct jctx *c, const char *text, size_t len, json_error_t *je)
{
    const char *why = NULL;
    switch (json_error_code(je)) {
    case json_error_null_character:
        why = "contains a NUL byte (\\u0000)";
        break;
    case json_error_null_byte_in_key:
        why = "an object key contains a NUL byte (\\u0000)";
        break;
    case json_error_numeric_overflow:
        why = strncmp(je->text, "too big", 7) == 0
                  ? "integer out of range (it does not fit in 64 bits)"
                  : "number out of range";
        break;
    default:
        err_set(c->err, 0, "%s: invalid JSON at line %d, column %d: %s", c->file, je->line,
                je->column, je->text);
        return;
    }
    size_t pos = je->position >= 0 && (size_t)je->position <= len ? (size_t)je->position : len;
    cleanup_free char *path =
        path_at(text, pos, json_error_code(je) == json_error_null_byte_in_key);
    if (*path)
        err_set(c->err, 0, "%s: %s: %s", c->file, path, why);
    else
        err_set(c->err, 0, "%s: %s", c->file, why);
}

json_t *jload(const struct jctx *c, const char *text, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    if (!root) {
        load_error(c, text, len, &je);
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
