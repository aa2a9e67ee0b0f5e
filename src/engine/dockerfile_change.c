/* dockerfile_change.c: see dockerfile_change.h. */
#include "dockerfile_change.h"
#include "../util/signame.h"
#include "../util/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* the value of NAME (len bytes) in env ("NAME=value" strings), or NULL */
static const char *env_get(json_t *env, const char *name, size_t len)
{
    size_t i;
    json_t *e;
    json_array_foreach(env, i, e)
    {
        const char *kv = json_string_value(e);
        if (kv && !strncmp(kv, name, len) && kv[len] == '=')
            return kv + len + 1;
    }
    return NULL;
}

/* $NAME, ${NAME}, ${NAME:-word}, ${NAME:+word} at s (after the '$') onto
 * w; how many bytes of s it took (0: a plain '$') */
static size_t expand(const char *s, json_t *env, struct sbuf *w)
{
    bool brace = *s == '{';
    const char *name = s + brace;
    size_t len = 0;
    while (isalnum((unsigned char)name[len]) || name[len] == '_')
        len++;
    if (!len || isdigit((unsigned char)name[0]))
        return 0;
    const char *val = env_get(env, name, len);
    if (!brace) {
        sbuf_puts(w, val ? val : "");
        return len;
    }
    const char *p = name + len, *word = NULL;
    char op = 0;
    if (p[0] == ':' && (p[1] == '-' || p[1] == '+')) {
        op = p[1];
        word = p + 2;
        p = strchr(word, '}');
    }
    if (!p || *p != '}')
        return 0;
    if (op == '-' && (!val || !*val))
        sbuf_add(w, word, (size_t)(p - word));
    else if (op == '+' && val && *val)
        sbuf_add(w, word, (size_t)(p - word));
    else if (!op)
        sbuf_puts(w, val ? val : "");
    return (size_t)(p - s) + 1;
}

/* the words of s, with the shell's quotes and backslashes, and variables
 * of env expanded (not in single quotes); NULL with err on an open quote,
 * too many words or too long an expansion */
static char **words(const char *s, json_t *env, merr_t *err)
{
    char **v = xzalloc(sizeof(char *));
    size_t n = 0, total = 0;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (n >= DFC_MAX_WORDS) {
            strv_free(v);
            err_set(err, 0, "more than %d words", DFC_MAX_WORDS);
            return NULL;
        }
        struct sbuf w = {0};
        sbuf_puts(&w, "");
        char q = 0;
        size_t took;
        for (; *s && (q || !isspace((unsigned char)*s)); s++) {
            if (q == '\'' && *s == '\'') {
                q = 0;
            } else if (q == '"' && *s == '"') {
                q = 0;
            } else if (!q && (*s == '\'' || *s == '"')) {
                q = *s;
            } else if (*s == '\\' && q != '\'' && s[1]) {
                sbuf_add(&w, ++s, 1);
            } else if (*s == '$' && q != '\'' && (took = expand(s + 1, env, &w)) > 0) {
                s += took;
            } else {
                sbuf_add(&w, s, 1);
            }
            if (total + w.len > DFC_MAX_EXPANDED)
                break;
        }
        total += w.len;
        if (q || total > DFC_MAX_EXPANDED) {
            free(w.buf);
            strv_free(v);
            if (q)
                err_set(err, 0, "unterminated quote");
            else
                err_set(err, 0, "expands to more than %d bytes", DFC_MAX_EXPANDED);
            return NULL;
        }
        v = xrealloc(v, (n + 2) * sizeof(char *));
        v[n++] = sbuf_steal(&w);
        v[n] = NULL;
    }
    return v;
}

/* a JSON array of strings (exec form), or NULL if s is not one */
static json_t *exec_form(const char *s)
{
    if (*s != '[')
        return NULL;
    json_t *a = json_loads(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_array(a)) {
        json_decref(a);
        return NULL;
    }
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        if (!json_is_string(x)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *command(const char *rest)
{
    json_t *a = exec_form(rest);
    if (a)
        return a;
    return json_pack("[s,s,s]", "/bin/sh", "-c", rest);
}

/* KEY=VALUE words, or the old "KEY VALUE..." form, into obj (LABEL) or
 * the Env list (env) */
static int pairs(json_t *cfg, const char *rest, bool env, merr_t *err)
{
    char **w = words(rest, json_object_get(cfg, "Env"), err);
    if (!w)
        return -1;
    int ret = 0;
    json_t *add = json_object();
    if (!w[0]) {
        ret = err_set(err, 0, "needs at least one argument");
    } else if (!strchr(w[0], '=')) { /* KEY VALUE */
        const char *v = rest;
        while (isspace((unsigned char)*v))
            v++;
        while (*v && !isspace((unsigned char)*v))
            v++;
        while (isspace((unsigned char)*v))
            v++;
        if (!*v)
            ret = err_set(err, 0, "\"%s\" needs a value (KEY=VALUE or KEY VALUE)", w[0]);
        else
            json_object_set_new(add, w[0], json_string(v));
    } else {
        for (size_t i = 0; w[i] && ret == 0; i++) {
            char *eq = strchr(w[i], '=');
            if (!eq || eq == w[i]) {
                ret = err_set(err, 0, "\"%s\": not KEY=VALUE", w[i]);
                break;
            }
            *eq = 0;
            json_object_set_new(add, w[i], json_string(eq + 1));
        }
    }
    strv_free(w);
    const char *k;
    json_t *v;
    if (ret == 0 && !env) {
        json_t *labels = json_object_get(cfg, "Labels");
        if (!json_is_object(labels))
            json_object_set_new(cfg, "Labels", labels = json_object());
        json_object_update(labels, add);
    } else if (ret == 0) {
        json_t *list = json_object_get(cfg, "Env");
        if (!json_is_array(list))
            json_object_set_new(cfg, "Env", list = json_array());
        json_object_foreach(add, k, v)
        {
            cleanup_free char *kv = xasprintf("%s=%s", k, json_string_value(v));
            size_t klen = strlen(k), i;
            json_t *e;
            bool done = false;
            json_array_foreach(list, i, e)
            {
                const char *s = json_string_value(e);
                if (s && !strncmp(s, k, klen) && (s[klen] == '=' || !s[klen])) {
                    json_array_set_new(list, i, json_string(kv));
                    done = true;
                    break;
                }
            }
            if (!done)
                json_array_append_new(list, json_string(kv));
        }
    }
    json_decref(add);
    return ret;
}

static int port(const char *s, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long p = strtoul(s, &end, 10);
    if (errno || end == s || *end || p < 1 || p > 65535 || !isdigit((unsigned char)*s))
        return -1;
    *out = p;
    return 0;
}

/* EXPOSE PORT[-PORT][/PROTO]... */
static int expose(json_t *cfg, const char *rest, merr_t *err)
{
    char **w = words(rest, json_object_get(cfg, "Env"), err);
    if (!w)
        return -1;
    json_t *add = json_object();
    size_t count = 0;
    int ret = w[0] ? 0 : err_set(err, 0, "needs at least one port");
    for (size_t i = 0; w[i] && ret == 0; i++) {
        char *proto = strchr(w[i], '/');
        if (proto)
            *proto++ = 0;
        if (proto && strcasecmp(proto, "tcp") && strcasecmp(proto, "udp") &&
            strcasecmp(proto, "sctp")) {
            ret = err_set(err, 0, "\"%s\": not tcp, udp or sctp", proto);
            break;
        }
        char *dash = strchr(w[i], '-');
        if (dash)
            *dash++ = 0;
        unsigned long lo, hi;
        if (port(w[i], &lo) < 0 || (dash ? port(dash, &hi) : (hi = lo, 0)) < 0 || hi < lo) {
            ret =
                err_set(err, 0, "invalid port \"%s%s%s\"", w[i], dash ? "-" : "", dash ? dash : "");
            break;
        }
        for (unsigned long p = lo; p <= hi && ret == 0; p++) {
            if (++count > DFC_MAX_PORTS) {
                ret = err_set(err, 0, "more than %d ports", DFC_MAX_PORTS);
                break;
            }
            char key[32];
            snprintf(key, sizeof(key), "%lu/", p);
            cleanup_free char *k = xasprintf("%s%s", key, proto ? proto : "tcp");
            for (char *c = k; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            json_object_set_new(add, k, json_object());
        }
    }
    strv_free(w);
    if (ret == 0) {
        json_t *ports = json_object_get(cfg, "ExposedPorts");
        if (!json_is_object(ports))
            json_object_set_new(cfg, "ExposedPorts", ports = json_object());
        json_object_update(ports, add);
    }
    json_decref(add);
    return ret;
}

static int volume(json_t *cfg, const char *rest, merr_t *err)
{
    json_t *list = exec_form(rest);
    if (!list) {
        char **w = words(rest, json_object_get(cfg, "Env"), err);
        if (!w)
            return -1;
        list = json_array();
        for (size_t i = 0; w[i]; i++)
            json_array_append_new(list, json_string(w[i]));
        strv_free(w);
    }
    int ret = json_array_size(list) ? 0 : err_set(err, 0, "needs at least one path");
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        if (ret == 0 && !*json_string_value(x))
            ret = err_set(err, 0, "an empty path");
    }
    if (ret == 0) {
        json_t *vols = json_object_get(cfg, "Volumes");
        if (!json_is_object(vols))
            json_object_set_new(cfg, "Volumes", vols = json_object());
        json_array_foreach(list, i, x)
        {
            json_object_set_new(vols, json_string_value(x), json_object());
        }
    }
    json_decref(list);
    return ret;
}

/* "/a/b" + "../c" -> "/a/c": absolute and without ".", ".." or "//" */
static char *clean_path(const char *base, const char *rel)
{
    cleanup_free char *all = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", base, rel);
    struct sbuf out = {0};
    sbuf_puts(&out, "");
    char *save = NULL;
    for (char *p = strtok_r(all, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (!strcmp(p, "."))
            continue;
        if (!strcmp(p, "..")) {
            char *slash = strrchr(out.buf, '/');
            out.len = slash ? (size_t)(slash - out.buf) : 0;
            out.buf[out.len] = 0;
            continue;
        }
        sbuf_printf(&out, "/%s", p);
    }
    if (!out.len)
        sbuf_puts(&out, "/");
    return sbuf_steal(&out);
}

/* one instruction onto cfg; *cmd_set: a CMD came before */
static int apply_one(json_t *cfg, const char *change, bool *cmd_set, merr_t *err)
{
    while (isspace((unsigned char)*change))
        change++;
    size_t kl = 0;
    while (change[kl] && !isspace((unsigned char)change[kl]))
        kl++;
    cleanup_free char *kw = xstrndup(change, kl);
    for (char *c = kw; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    cleanup_free char *rest = xstrdup(change + kl);
    char *r = rest;
    while (isspace((unsigned char)*r))
        r++;
    size_t rl = strlen(r);
    while (rl && isspace((unsigned char)r[rl - 1]))
        r[--rl] = 0;
    if (!*kw)
        return err_set(err, 0, "an empty instruction");
    if (!strcmp(kw, "CMD") || !strcmp(kw, "ENTRYPOINT")) {
        bool ep = kw[0] == 'E';
        json_object_set_new(cfg, ep ? "Entrypoint" : "Cmd", command(r));
        if (ep && !*cmd_set)
            json_object_set_new(cfg, "Cmd", json_null());
        if (!ep)
            *cmd_set = true;
        return 0;
    }
    if (!strcmp(kw, "ENV") || !strcmp(kw, "LABEL"))
        return pairs(cfg, r, kw[0] == 'E', err);
    if (!strcmp(kw, "EXPOSE"))
        return expose(cfg, r, err);
    if (!strcmp(kw, "VOLUME"))
        return volume(cfg, r, err);
    if (!strcmp(kw, "USER") || !strcmp(kw, "WORKDIR") || !strcmp(kw, "STOPSIGNAL")) {
        char **w = words(r, json_object_get(cfg, "Env"), err);
        if (!w)
            return -1;
        if (!w[0] || w[1] || !*w[0]) {
            strv_free(w);
            return err_set(err, 0, "%s takes exactly one argument", kw);
        }
        /* the one word, quotes and variables done */
        free(rest);
        rest = r = w[0];
        free(w);
        if (kw[0] == 'U') {
            json_object_set_new(cfg, "User", json_string(r));
        } else if (kw[0] == 'S') {
            if (signal_parse(r) <= 0)
                return err_set(err, 0, "invalid signal \"%s\"", r);
            json_object_set_new(cfg, "StopSignal", json_string(r));
        } else {
            const char *cur = json_string_value(json_object_get(cfg, "WorkingDir"));
            cleanup_free char *wd = clean_path(cur && *cur ? cur : "/", r);
            json_object_set_new(cfg, "WorkingDir", json_string(wd));
        }
        return 0;
    }
    if (!strcmp(kw, "ONBUILD") || !strcmp(kw, "HEALTHCHECK"))
        return err_set(err, 0, "%s is not supported by moat", kw);
    return err_set(err, 0, "%s is not a valid change command", kw);
}

int dfc_apply(json_t *cfg, char *const *changes, size_t n, merr_t *err)
{
    /* on a copy: all of them or none */
    json_t *work = json_deep_copy(cfg);
    bool cmd_set = false;
    for (size_t i = 0; i < n; i++) {
        if (strlen(changes[i]) > DFC_MAX_LEN || strchr(changes[i], '\n')) {
            json_decref(work);
            return err_set(err, 0, "--change: an instruction is one line of at most %d bytes",
                           DFC_MAX_LEN);
        }
        json_t *utf8 = json_string(changes[i]);
        if (!utf8) {
            json_decref(work);
            return err_set(err, 0, "--change: an instruction is not UTF-8 text");
        }
        json_decref(utf8);
        if (apply_one(work, changes[i], &cmd_set, err) < 0) {
            json_decref(work);
            return err_wrap(err, "--change \"%.200s\"", changes[i]);
        }
    }
    json_object_clear(cfg);
    json_object_update(cfg, work);
    json_decref(work);
    return 0;
}
