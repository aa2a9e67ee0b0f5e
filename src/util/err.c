#include "err.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int err_vset(merr_t *e, int errnum, const char *fmt, va_list ap)
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
        e->msg = m;
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
