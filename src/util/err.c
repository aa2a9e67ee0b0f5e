#include "err.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A message that quotes input (a path, a value from a config) can be
 * megabytes: a run of more than ERR_RUN_MAX bytes without a space keeps
 * its first ERR_RUN_MAX and last ERR_RUN_TAIL bytes, and a message still
 * longer than ERR_MSG_MAX loses its middle (the reason is at the end). */
#define ERR_RUN_MAX 256
#define ERR_RUN_TAIL 8
#define ERR_MSG_MAX 4096

static size_t utf8_back(const char *s, size_t n)
{
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static char *cut_msg(char *m)
{
    size_t len = strlen(m), run = 0;
    bool cut = false;
    for (size_t i = 0; i < len && !cut; i++) {
        run = m[i] == ' ' ? 0 : run + 1;
        cut = run > ERR_RUN_MAX;
    }
    if (!cut && len <= ERR_MSG_MAX)
        return m;
    struct sbuf b = {0};
    for (size_t i = 0; i < len;) {
        size_t n = strcspn(m + i, " ");
        if (n > ERR_RUN_MAX) { /* its end too: the quote, colon or bracket after it */
            size_t tail = n - ERR_RUN_TAIL;
            while (tail < n && ((unsigned char)m[i + tail] & 0xc0) == 0x80)
                tail++;
            sbuf_add(&b, m + i, utf8_back(m + i, ERR_RUN_MAX));
            sbuf_add(&b, "...", 3);
            sbuf_add(&b, m + i + tail, n - tail);
        } else {
            sbuf_add(&b, m + i, n);
        }
        i += n;
        if (i < len)
            sbuf_add(&b, m + i++, 1);
    }
    free(m);
    m = sbuf_steal(&b);
    len = strlen(m);
    if (len > ERR_MSG_MAX) {
        size_t head = utf8_back(m, ERR_MSG_MAX / 2);
        size_t tail = len - ERR_MSG_MAX / 4;
        while (tail < len && ((unsigned char)m[tail] & 0xc0) == 0x80)
            tail++;
        char *r = xasprintf("%.*s ... %s", (int)head, m, m + tail);
        free(m);
        m = r;
    }
    return m;
}

__attribute__((format(printf, 3, 0))) static int err_vset(merr_t *e, int errnum, const char *fmt,
                                                          va_list ap)
{
    char *m;
    if (vasprintf(&m, fmt, ap) < 0)
        m = NULL;
    if (!e) {
        free(m);
        return -1;
    }
    free(e->msg);
    e->errnum = errnum;
    if (m && errnum) {
        e->msg = xasprintf("%s: %s", m, strerror(errnum));
        free(m);
    } else {
        e->msg = m ? m : xstrdup("out of memory");
    }
    e->msg = cut_msg(e->msg);
    return -1;
}

int err_set(merr_t *e, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

int err_sys(merr_t *e, const char *fmt, ...)
{
    int errnum = errno;
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

int err_wrap(merr_t *e, const char *fmt, ...)
{
    char *ctx;
    va_list ap;
    if (!e)
        return -1;
    va_start(ap, fmt);
    if (vasprintf(&ctx, fmt, ap) < 0)
        ctx = NULL;
    va_end(ap);
    if (ctx) {
        char *m = xasprintf("%s: %s", ctx, e->msg ? e->msg : "unknown error");
        free(ctx);
        free(e->msg);
        e->msg = cut_msg(m);
    }
    return -1;
}

void err_clear(merr_t *e)
{
    if (!e)
        return;
    free(e->msg);
    e->msg = NULL;
    e->errnum = 0;
}
