/* tmpl.c: Go template subset for --format (see tmpl.h). The template is
 * run as it is read: a block whose output is not wanted (a false if, an
 * empty range) is read with output off, so nesting is checked the same. */
#include "tmpl.h"
#include "../util/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXW 24

struct tp {
    const char *s;
    size_t pos;
    struct sbuf out;
    merr_t *err;
    bool failed, trim_next;
    json_t *root;
    struct act *elseif; /* the words of the {{else if}} just met */
};

/* how a block ended; T_ELSEIF: at {{else if COND}}, COND in tp.elseif */
enum term { T_EOF, T_END, T_ELSE, T_ELSEIF, T_ERR };

/* one action's words: "index", ".A", "\"k\"", "|" */
struct act {
    char *w[MAXW];
    bool quoted[MAXW];
    int n;
};

static int fail(struct tp *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct tp *t, const char *fmt, ...)
{
    va_list ap;
    char *m = NULL;
    va_start(ap, fmt);
    if (vasprintf(&m, fmt, ap) < 0)
        m = NULL;
    va_end(ap);
    if (!t->failed)
        err_set(t->err, 0, "%s", m ? m : "template: error");
    free(m);
    t->failed = true;
    return -1;
}

static void act_free(struct act *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->w[i]);
    a->n = 0;
}

static int split_words(struct tp *t, const char *p, const char *end, struct act *a)
{
    a->n = 0;
    while (p < end) {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        if (a->n == MAXW)
            return fail(t, "%s: too many words in one action", "template");
        const char *st = p;
        bool q = *p == '"';
        if (q) {
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\' && p + 1 < end)
                    p++;
            if (p >= end)
                return fail(t, "%s: unterminated string", "template");
            p++;
        } else {
            while (p < end && !isspace((unsigned char)*p))
                p++;
        }
        a->quoted[a->n] = q;
        a->w[a->n++] = q ? xstrndup(st + 1, (size_t)(p - st - 2)) : xstrndup(st, (size_t)(p - st));
    }
    return 0;
}

/* the next action: its words in a; false at the end of the template.
 * Text before it goes out if emit. */
static bool next_action(struct tp *t, bool emit, struct act *a)
{
    const char *s = t->s + t->pos;
    if (t->trim_next)
        while (isspace((unsigned char)*s))
            s++;
    t->trim_next = false;
    const char *o = strstr(s, "{{");
    size_t textlen = o ? (size_t)(o - s) : strlen(s);
    if (emit)
        sbuf_add(&t->out, s, textlen);
    if (!o) {
        t->pos = (size_t)(s + textlen - t->s);
        return false;
    }
    const char *in = o + 2, *c = strstr(in, "}}");
    if (!c) {
        fail(t, "%s: unclosed action", "template");
        return false;
    }
    if (in[0] == '-' && isspace((unsigned char)in[1])) { /* {{- trims before */
        in++;
        while (emit && t->out.len > 0 && isspace((unsigned char)t->out.buf[t->out.len - 1]))
            t->out.buf[--t->out.len] = 0;
    }
    const char *e = c;
    if (e > in && e[-1] == '-' && isspace((unsigned char)e[-2])) {
        e--;
        t->trim_next = true;
    }
    t->pos = (size_t)(c + 2 - t->s);
    if (split_words(t, in, e, a) < 0)
        return false;
    if (a->n == 0) {
        fail(t, "%s: empty action", "template");
        return false;
    }
    return true;
}

/* a field path: ".A.B" from dot, "$.A" from the root; NULL: no value */
static json_t *field(json_t *from, const char *path)
{
    json_t *v = from;
    while (v && *path == '.') {
        path++;
        if (!*path)
            break;
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        cleanup_free char *k = xstrndup(path, n);
        v = json_is_object(v) ? json_object_get(v, k) : NULL;
        path += n;
    }
    return v ? json_incref(v) : NULL;
}

static json_t *arg_value(struct tp *t, const struct act *a, int i, json_t *dot)
{
    const char *w = a->w[i];
    if (a->quoted[i])
        return json_string(w);
    if (w[0] == '.')
        return field(dot, w);
    if (w[0] == '$')
        return field(t->root, w + 1);
    int64_t n;
    if (parse_i64(w, &n) == 0)
        return json_integer(n);
    if (!strcmp(w, "true") || !strcmp(w, "false"))
        return json_boolean(!strcmp(w, "true"));
    fail(t, "template: function \"%s\" not defined", w);
    return NULL;
}

static void print_value(struct sbuf *b, json_t *v);

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_list(struct sbuf *b, json_t *v)
{
    if (json_is_array(v)) {
        sbuf_puts(b, "[");
        for (size_t i = 0; i < json_array_size(v); i++) {
            sbuf_puts(b, i ? " " : "");
            print_value(b, json_array_get(v, i));
        }
        sbuf_puts(b, "]");
        return;
    }
    /* as Go prints a map: keys sorted */
    sbuf_puts(b, "map[");
    const char **keys = xzalloc((json_object_size(v) + 1) * sizeof(char *));
    size_t n = 0;
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        keys[n++] = k;
    }
    qsort(keys, n, sizeof(char *), key_cmp);
    for (size_t i = 0; i < n; i++) {
        sbuf_printf(b, "%s%s:", i ? " " : "", keys[i]);
        print_value(b, json_object_get(v, keys[i]));
    }
    free(keys);
    sbuf_puts(b, "]");
}

/* as Go's fmt prints it */
static void print_value(struct sbuf *b, json_t *v)
{
    if (!v)
        sbuf_puts(b, "<no value>");
    else if (json_is_null(v))
        sbuf_puts(b, "<nil>");
    else if (json_is_string(v))
        sbuf_add(b, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        sbuf_printf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        sbuf_printf(b, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        sbuf_puts(b, json_is_true(v) ? "true" : "false");
    else
        print_list(b, v);
}

static bool truthy(json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    if (json_is_object(v))
        return json_object_size(v) > 0;
    return true;
}

static json_t *text_of(json_t *v, int how) /* 0 as is, 1 upper, 2 lower */
{
    struct sbuf b = {0};
    print_value(&b, v);
    char *s = sbuf_steal(&b);
    for (char *p = s; how && *p; p++)
        *p = (char)(how == 1 ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
    json_t *r = json_string(s ? s : "");
    free(s);
    return r;
}

static json_t *fn_index(json_t **v, int n)
{
    /* a map Docker has but this record leaves out (Labels): an empty one */
    if ((!v[0] || json_is_null(v[0])) && n == 2 && json_is_string(v[1]))
        return json_string("");
    json_t *cur = v[0] ? json_incref(v[0]) : NULL;
    for (int i = 1; i < n && cur; i++) {
        json_t *next = NULL;
        if (json_is_object(cur) && json_is_string(v[i])) {
            /* a key that is not there: Go's zero value, an empty string */
            next = json_object_get(cur, json_string_value(v[i]));
            if (!next) {
                json_decref(cur);
                return json_string("");
            }
        } else if (json_is_array(cur) && json_is_integer(v[i]))
            next = json_array_get(cur, (size_t)json_integer_value(v[i]));
        json_decref(cur);
        cur = next ? json_incref(next) : NULL;
    }
    return cur;
}

static json_t *fn_join(json_t *list, json_t *sep)
{
    struct sbuf b = {0};
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (i)
            sbuf_puts(&b, json_string_value(sep) ?: "");
        print_value(&b, json_array_get(list, i));
    }
    char *s = sbuf_steal(&b);
    json_t *r = json_string(s ? s : "");
    free(s);
    return r;
}

/* -1, 0, 1 as Go's lt/eq compare: numbers by value, strings by bytes;
 * 2 when they cannot be compared */
static int compare(json_t *a, json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        return x < y ? -1 : x > y;
    }
    if (json_is_string(a) && json_is_string(b)) {
        int c = strcmp(json_string_value(a), json_string_value(b));
        return c < 0 ? -1 : c > 0;
    }
    if (json_is_boolean(a) && json_is_boolean(b))
        return json_is_true(a) == json_is_true(b) ? 0 : 2;
    return 2;
}

/* eq ne lt le gt ge, not, and, or; NULL if fn is none of them */
static json_t *logic(struct tp *t, const char *fn, json_t **v, int n)
{
    static const char *const cmp[] = {"eq", "ne", "lt", "le", "gt", "ge"};
    for (int k = 0; k < 6; k++) {
        if (strcmp(fn, cmp[k]) != 0)
            continue;
        if (n < 2 || (k > 0 && n != 2))
            return fail(t, "template: %s: wrong number of arguments", fn), NULL;
        int c = compare(v[0], v[1]);
        for (int i = 2; k == 0 && c != 0 && i < n; i++) /* eq a b c: a equals any */
            c = compare(v[0], v[i]);
        if (c == 2 && k > 1)
            return fail(t, "template: %s: incompatible values", fn), NULL;
        bool r = k == 0   ? c == 0
                 : k == 1 ? c != 0
                 : k == 2 ? c < 0
                 : k == 3 ? c <= 0
                 : k == 4 ? c > 0
                          : c >= 0;
        return json_boolean(r);
    }
    if (!strcmp(fn, "not") && n == 1)
        return json_boolean(!truthy(v[0]));
    if ((!strcmp(fn, "and") || !strcmp(fn, "or")) && n >= 1) {
        int i = 0;
        for (; i < n - 1; i++)
            if (truthy(v[i]) == (fn[0] == 'o'))
                break;
        return v[i] ? json_incref(v[i]) : json_null();
    }
    return NULL;
}

static json_t *call(struct tp *t, const char *fn, json_t **v, int n)
{
    json_t *lg = logic(t, fn, v, n);
    if (lg || t->failed)
        return lg;
    if (!strcmp(fn, "json") && n == 1) {
        char *s = v[0] ? json_dumps(v[0], JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("null");
        json_t *r = json_string(s);
        free(s);
        return r;
    }
    if ((!strcmp(fn, "upper") || !strcmp(fn, "lower")) && n == 1)
        return text_of(v[0], fn[0] == 'u' ? 1 : 2);
    if (!strcmp(fn, "len") && n == 1)
        return json_integer((json_int_t)(json_is_array(v[0])    ? json_array_size(v[0])
                                         : json_is_object(v[0]) ? json_object_size(v[0])
                                                                : json_string_length(v[0])));
    if (!strcmp(fn, "index") && n >= 2)
        return fn_index(v, n);
    if (!strcmp(fn, "join") && n == 2)
        return fn_join(v[0], v[1]);
    if ((!strcmp(fn, "print") || !strcmp(fn, "println")) && n <= 1) {
        json_t *r = n ? text_of(v[0], 0) : json_string("");
        if (fn[5] == 'l') {
            cleanup_free char *l = xasprintf("%s\n", json_string_value(r));
            json_decref(r);
            r = json_string(l);
        }
        return r;
    }
    fail(t, "template: function \"%s\" not defined, or wrong number of arguments", fn);
    return NULL;
}

static bool is_fn(const struct act *a, int i)
{
    const char *w = a->w[i];
    return !a->quoted[i] && w[0] != '.' && w[0] != '$' && !isdigit((unsigned char)w[0]) &&
           w[0] != '-' && strcmp(w, "true") && strcmp(w, "false");
}

/* words [from, to) of a pipeline; piped: the value of the last command */
static json_t *command(struct tp *t, const struct act *a, int from, int to, json_t *dot,
                       json_t *piped, bool has_piped)
{
    if (from >= to) {
        fail(t, "%s: missing value", "template");
        return NULL;
    }
    if (!is_fn(a, from)) {
        if (to - from != 1 || has_piped)
            return fail(t, "template: \"%s\" is not a function", a->w[from]), NULL;
        return arg_value(t, a, from, dot);
    }
    json_t *v[MAXW + 1] = {0};
    int n = 0;
    for (int i = from + 1; i < to && !t->failed; i++)
        v[n++] = arg_value(t, a, i, dot);
    if (has_piped)
        v[n++] = piped ? json_incref(piped) : NULL;
    json_t *r = t->failed ? NULL : call(t, a->w[from], v, n);
    for (int i = 0; i < n; i++)
        json_decref(v[i]);
    return r;
}

static json_t *pipeline(struct tp *t, const struct act *a, int from, json_t *dot)
{
    json_t *cur = NULL;
    bool has = false;
    int start = from;
    for (int i = from; i <= a->n && !t->failed; i++) {
        if (i < a->n && strcmp(a->w[i], "|") != 0)
            continue;
        json_t *next = command(t, a, start, i, dot, cur, has);
        json_decref(cur);
        cur = next;
        has = true;
        start = i + 1;
    }
    return cur;
}

static enum term block(struct tp *t, json_t *dot, bool emit);

/* an {{else if}} where no {{if}} is open: an error */
static enum term stray_elseif(struct tp *t)
{
    if (t->elseif) {
        act_free(t->elseif);
        free(t->elseif);
        t->elseif = NULL;
    }
    fail(t, "template: unexpected {{else if}}");
    return T_ERR;
}

/* after {{if}} / {{with}}: the branch taken runs, the other is read */
static enum term do_if(struct tp *t, json_t *v, json_t *dot, bool emit, bool with)
{
    bool yes = truthy(v), taken = yes;
    enum term e = block(t, with && yes ? v : dot, emit && yes);
    while (e == T_ELSEIF) { /* its condition counts only if nothing was taken */
        struct act *a = t->elseif;
        t->elseif = NULL;
        json_t *c = emit && !taken ? pipeline(t, a, 2, dot) : NULL;
        act_free(a);
        free(a);
        bool now = !taken && truthy(c);
        json_decref(c);
        taken = taken || now;
        e = t->failed ? T_ERR : block(t, dot, emit && now);
    }
    if (e == T_ELSE)
        e = block(t, dot, emit && !taken);
    if (e == T_ELSEIF) /* after {{else}} */
        return stray_elseif(t);
    if (e != T_END)
        return e == T_ERR ? T_ERR : (fail(t, "%s: unexpected EOF", "template"), T_ERR);
    return T_END;
}

/* the value of the i-th key of object o, keys sorted */
static json_t *nth_sorted(json_t *o, size_t i)
{
    size_t n = json_object_size(o), k = 0;
    const char **keys = xzalloc((n + 1) * sizeof(char *));
    const char *key;
    json_t *x;
    json_object_foreach(o, key, x)
    {
        keys[k++] = key;
    }
    qsort(keys, k, sizeof(char *), key_cmp);
    json_t *v = i < k ? json_object_get(o, keys[i]) : NULL;
    free(keys);
    return v;
}

static enum term do_range(struct tp *t, json_t *v, bool emit)
{
    size_t body = t->pos, n = json_is_array(v) ? json_array_size(v) : json_object_size(v);
    bool trim = t->trim_next;
    enum term e = T_END;
    for (size_t i = 0; i < n && emit; i++) {
        t->pos = body;
        t->trim_next = trim;
        json_t *el = json_is_array(v) ? json_array_get(v, i) : NULL;
        if (!el) /* an object: its values in sorted key order, as Go's range */
            el = nth_sorted(v, i);
        e = block(t, el, true);
        if (e == T_ELSEIF)
            return stray_elseif(t);
        if (e == T_ELSE)
            e = block(t, el, false);
        if (e != T_END)
            break;
    }
    if (n == 0 || !emit) {
        e = block(t, NULL, false);
        if (e == T_ELSEIF)
            return stray_elseif(t);
        if (e == T_ELSE)
            e = block(t, NULL, emit && n == 0);
    }
    if (e != T_END && e != T_ERR)
        fail(t, "%s: unexpected EOF", "template");
    return e == T_END ? T_END : T_ERR;
}

/* run until {{end}}, {{else}} or the end of the template */
static enum term block(struct tp *t, json_t *dot, bool emit)
{
    struct act a = {0};
    while (!t->failed && next_action(t, emit, &a)) {
        const char *k = a.w[0];
        enum term e = T_END;
        if (!strcmp(k, "else") && a.n > 2 && !strcmp(a.w[1], "if")) {
            if (t->elseif) /* one not taken up (an error is on its way) */
                stray_elseif(t);
            t->elseif = xmalloc(sizeof(a));
            *t->elseif = a; /* taken over: do_if evaluates it only if it must */
            return T_ELSEIF;
        }
        if (!strcmp(k, "else") && a.n > 1) {
            fail(t, "template: {{else %s}} is not supported", a.w[1]);
            act_free(&a);
            return T_ERR;
        }
        if (!strcmp(k, "end") || !strcmp(k, "else")) {
            e = k[0] == 'e' && k[1] == 'n' ? T_END : T_ELSE;
            act_free(&a);
            return e;
        }
        bool ctl = !strcmp(k, "if") || !strcmp(k, "with") || !strcmp(k, "range");
        /* a branch not taken is read, never evaluated (as Go does) */
        json_t *v = emit ? pipeline(t, &a, ctl ? 1 : 0, dot) : NULL;
        if (ctl && !t->failed && !strcmp(k, "range"))
            e = do_range(t, v, emit);
        else if (ctl && !t->failed)
            e = do_if(t, v, dot, emit, k[0] == 'w');
        else if (emit && !t->failed)
            print_value(&t->out, v);
        json_decref(v);
        act_free(&a);
        if (e == T_ERR)
            return T_ERR;
    }
    act_free(&a);
    return t->failed ? T_ERR : T_EOF;
}

char *tmpl_render(const char *tmpl, json_t *dot, merr_t *err)
{
    struct tp t = {.s = tmpl, .err = err, .root = dot};
    enum term e = block(&t, dot, true);
    if (e == T_ELSEIF || t.elseif)
        stray_elseif(&t);
    else if (e == T_END || e == T_ELSE)
        fail(&t, "template: unexpected {{%s}}", e == T_END ? "end" : "else");
    if (t.failed) {
        free(t.out.buf);
        return NULL;
    }
    char *r = sbuf_steal(&t.out);
    return r ? r : xstrdup("");
}
