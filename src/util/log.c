#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int logfd = -1;
static bool log_json;
static bool log_dbg;
static struct timespec t0;

int log_open(const char *path, bool json, bool debug)
{
    log_json = json;
    log_dbg = debug;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (path && *path) {
        logfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (logfd < 0)
            return -1;
    }
    return 0;
}

void log_close(void)
{
    close_fd(&logfd);
}

bool log_debug_enabled(void)
{
    return log_dbg;
}

int log_fd(void)
{
    return logfd;
}

static const char *level_name(enum log_level l)
{
    switch (l) {
    case LOG_ERROR:
        return "error";
    case LOG_WARN:
        return "warning";
    case LOG_INFO:
        return "info";
    default:
        return "debug";
    }
}

static void write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    int saved = errno;
    char *msg;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (!msg) {
        errno = saved;
        return;
    }
    /* stderr: errors and warnings always, the rest with --debug */
    if (lvl <= LOG_WARN || log_dbg) {
        struct sbuf b = {0};
        if (lvl == LOG_DEBUG) {
            /* debug lines carry the time since the command started */
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double ms =
                (double)(now.tv_sec - t0.tv_sec) * 1e3 + (double)(now.tv_nsec - t0.tv_nsec) / 1e6;
            sbuf_printf(&b, "moat[%d] +%.3fms: ", (int)getpid(), ms);
        } else {
            sbuf_puts(&b, lvl == LOG_ERROR ? "moat: " : "moat: warning: ");
        }
        sbuf_puts(&b, msg);
        sbuf_puts(&b, "\n");
        write_all(2, b.buf, b.len);
        free(b.buf);
    }
    if (logfd >= 0 && (lvl <= LOG_INFO || log_dbg)) {
        char tbuf[64];
        utc_now_rfc3339(tbuf, sizeof(tbuf));
        struct sbuf b = {0};
        if (log_json) {
            sbuf_puts(&b, "{\"level\":\"");
            sbuf_puts(&b, level_name(lvl));
            sbuf_puts(&b, "\",\"msg\":");
            sbuf_json_str(&b, msg);
            sbuf_printf(&b, ",\"time\":\"%s\"}\n", tbuf);
        } else {
            sbuf_printf(&b, "time=\"%s\" level=%s msg=", tbuf, level_name(lvl));
            sbuf_json_str(&b, msg);
            sbuf_puts(&b, "\n");
        }
        write_all(logfd, b.buf, b.len);
        free(b.buf);
    }
    free(msg);
    errno = saved;
}
