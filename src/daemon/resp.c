/* resp.c: answers and query parameters (see api.h). */
#include "api.h"
#include "../util/fs.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int api_head(struct api_ctx *x, int status, const char *ctype, int64_t length)
{
    json_t *h =
        json_pack("{s:i,s:s?,s:I}", "status", status, "ctype", ctype, "length", (json_int_t)length);
    cleanup_free char *line = json_dumps(h, JSON_COMPACT);
    json_decref(h);
    if (!line || write_all(x->chan, line, strlen(line)) < 0 || write_all(x->chan, "\n", 1) < 0)
        return -1;
    return 0;
}

int api_json(struct api_ctx *x, int status, json_t *body)
{
    cleanup_free char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(body);
    if (!text)
        return api_head(x, status, NULL, 0), 0;
    size_t n = strlen(text);
    if (api_head(x, status, "application/json", (int64_t)n + 1) == 0) {
        write_all(x->chan, text, n);
        write_all(x->chan, "\n", 1);
    }
    return 0;
}

int api_status(struct api_ctx *x, int status)
{
    api_head(x, status, NULL, 0);
    return 0;
}

int api_error(struct api_ctx *x, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    api_json(x, status, json_pack("{s:s}", "message", msg ? msg : "error"));
    free(msg);
    return 0;
}

int api_merr(struct api_ctx *x, merr_t *err)
{
    int st = 500;
    const char *m = err->msg ? err->msg : "error";
    if (err->errnum == ENOENT || strstr(m, "No such ") || strstr(m, "no such "))
        st = 404;
    else if (err->errnum == EEXIST || err->errnum == EBUSY || strstr(m, "already in use") ||
             strstr(m, "is not running") || strstr(m, "is running"))
        st = 409;
    else if (err->errnum == EINVAL)
        st = 400;
    else if (err->errnum == EPERM || err->errnum == EACCES)
        st = 403;
    api_error(x, st, "%s", m);
    err_clear(err);
    return 0;
}

const char *api_q(struct api_ctx *x, const char *key)
{
    return json_string_value(json_object_get(x->query, key));
}

int api_q_bool(struct api_ctx *x, const char *key, bool *v)
{
    const char *s = api_q(x, key);
    if (!s)
        return 0;
    static const char *const no[] = {"", "0", "false", "no", "none"}, *const yes[] = {"1", "true",
                                                                                      "yes"};
    for (size_t i = 0; i < ARRAY_SIZE(no); i++)
        if (!strcasecmp(s, no[i])) {
            *v = false;
            return 0;
        }
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
        if (!strcasecmp(s, yes[i])) {
            *v = true;
            return 0;
        }
    api_error(x, 400, "query parameter %s: \"%s\" is not a boolean", key, s);
    return -1;
}

int api_q_int(struct api_ctx *x, const char *key, int64_t *v)
{
    const char *s = api_q(x, key);
    if (!s)
        return 0;
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno || !*s || *end) {
        api_error(x, 400, "query parameter %s: \"%s\" is not an integer", key, s);
        return -1;
    }
    *v = n;
    return 0;
}

static int filter_value(char ***out, const char *k, const char *v)
{
    cleanup_free char *kv = xasprintf("%s=%s", k, v);
    strv_push(out, kv);
    return 0;
}

int api_q_filters(struct api_ctx *x, char ***out)
{
    *out = NULL;
    const char *s = api_q(x, "filters");
    if (!s || !*s)
        return 0;
    json_t *f = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
    const char *k;
    json_t *v;
    bool bad = !json_is_object(f);
    json_object_foreach(f, k, v)
    {
        size_t i;
        json_t *e;
        const char *ek;
        if (json_is_array(v)) {
            json_array_foreach(v, i, e)
            {
                if (!json_is_string(e))
                    bad = true;
                else
                    filter_value(out, k, json_string_value(e));
            }
        } else if (json_is_object(v)) {
            json_object_foreach(v, ek, e)
            {
                if (!json_is_true(e))
                    bad = true;
                else
                    filter_value(out, k, ek);
            }
        } else {
            bad = true;
        }
    }
    json_decref(f);
    if (!bad)
        return 0;
    strv_free(*out);
    *out = NULL;
    api_error(x, 400, "query parameter filters: not Docker's filters JSON: %s", s);
    return -1;
}

/* the upgraded connection from moat-api, or -1 */
int api_upgraded_fd(struct api_ctx *x)
{
    int fd = -1;
    size_t n = 0;
    char buf[4096];
    merr_t err = MERR_INIT;
    ssize_t r = unix_recv_fds(x->chan, &fd, 1, &n, buf, sizeof(buf), &err);
    err_clear(&err);
    if (r <= 0 || n != 1 || buf[0] != 'u') {
        if (n)
            close(fd);
        return -1;
    }
    /* bytes the client sent before the 101 (Docker's clients send none) */
    return fd;
}

bool api_older(const char *v, const char *than)
{
    unsigned long a1 = strtoul(v, NULL, 10), b1 = strtoul(than, NULL, 10);
    const char *ad = strchr(v, '.'), *bd = strchr(than, '.');
    unsigned long a2 = ad ? strtoul(ad + 1, NULL, 10) : 0, b2 = bd ? strtoul(bd + 1, NULL, 10) : 0;
    return a1 < b1 || (a1 == b1 && a2 < b2);
}

int api_conflict(struct api_ctx *x, const char *name, merr_t *err)
{
    const char *by = err->msg ? strstr(err->msg, " by container") : NULL;
    if (!by)
        return api_merr(x, err);
    if (x->who.admin) {
        api_error(x, 409, "%s", err->msg);
    } else if (strstr(err->msg, "name")) {
        /* the engine names the container that has it: another caller's */
        api_error(x, 409, "Conflict. The container name \"/%s\" is already in use",
                  name[0] == '/' ? name + 1 : name);
    } else {
        api_error(x, 409, "%.*s", (int)(by - err->msg), err->msg);
    }
    err_clear(err);
    return 0;
}
