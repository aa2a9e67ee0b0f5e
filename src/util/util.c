#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void oom(void)
{
    static const char msg[] = "moat: out of memory\n";
    ssize_t r = write(2, msg, sizeof(msg) - 1);
    (void)r;
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xzalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    char *r = strdup(s);
    if (!r)
        oom();
    return r;
}

char *xstrndup(const char *s, size_t n)
{
    char *r = strndup(s, n);
    if (!r)
        oom();
    return r;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *r;
    va_start(ap, fmt);
    if (vasprintf(&r, fmt, ap) < 0)
        oom();
    va_end(ap);
    return r;
}

void close_fd(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
    *fd = -1;
}

size_t strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

bool strv_contains(char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int parse_i64(const char *s, int64_t *out)
{
    char *end;
    if (!s || !*s || *s == ' ' || *s == '+')
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->buf = xrealloc(b->buf, cap);
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = 0;
}

void sbuf_puts(struct sbuf *b, const char *s)
{
    sbuf_add(b, s, strlen(s));
}

void sbuf_add_cut(struct sbuf *b, const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max) {
        sbuf_add(b, s, n);
        return;
    }
    n = max;
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80) /* not inside a UTF-8 sequence */
        n--;
    sbuf_add(b, s, n);
    sbuf_add(b, "...", 3);
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    sbuf_add(b, s, (size_t)n);
    free(s);
}

void sbuf_json_str(struct sbuf *b, const char *s)
{
    sbuf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            sbuf_add(b, "\\\"", 2);
            break;
        case '\\':
            sbuf_add(b, "\\\\", 2);
            break;
        case '\n':
            sbuf_add(b, "\\n", 2);
            break;
        case '\t':
            sbuf_add(b, "\\t", 2);
            break;
        case '\r':
            sbuf_add(b, "\\r", 2);
            break;
        default:
            if (*p < 0x20)
                sbuf_printf(b, "\\u%04x", *p);
            else
                sbuf_add(b, (const char *)p, 1);
        }
    }
    sbuf_add(b, "\"", 1);
}

char *sbuf_steal(struct sbuf *b)
{
    char *r = b->buf ? b->buf : xstrdup("");
    b->buf = NULL;
    b->len = b->cap = 0;
    return r;
}

void utc_rfc3339(int64_t sec, long nsec, char *buf, size_t size)
{
    /* By hand: glibc's gmtime_r and strftime read /etc/localtime on
     * their first call, even for UTC. Days to a date as in Howard
     * Hinnant's civil_from_days (proleptic Gregorian calendar, 400-year
     * eras of 146097 days, years counted from March). */
    int64_t days = sec / 86400, rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(buf, size, "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02d:%02d:%02d.%09ldZ", y, m, d,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), nsec);
}

void utc_now_rfc3339(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    utc_rfc3339(ts.tv_sec, ts.tv_nsec, buf, size);
}

int parse_size(const char *s, int64_t *out)
{
    if (strcmp(s, "max") == 0 || strcmp(s, "-1") == 0) {
        *out = -1;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return -1;
    int shift = *end == 'k' || *end == 'K'   ? 10
                : *end == 'm' || *end == 'M' ? 20
                : *end == 'g' || *end == 'G' ? 30
                                             : 0;
    if (shift)
        end++;
    if (*end == 'b' || *end == 'B')
        end++;
    if (*end || v == 0 || v > (1ULL << (62 - shift)))
        return -1;
    *out = (int64_t)(v << shift);
    return 0;
}

void human_bytes(uint64_t b, bool binary, char *out, size_t n)
{
    static const char *const dec[] = {"B", "kB", "MB", "GB", "TB"};
    static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    const char *const *u = binary ? bin : dec;
    double step = binary ? 1024 : 1000, v = (double)b;
    size_t i = 0;
    while (v >= step && i + 1 < 5) {
        v /= step;
        i++;
    }
    if (i == 0)
        snprintf(out, n, "%lluB", (unsigned long long)b);
    else if (binary)
        snprintf(out, n, "%.2f%s", v, u[i]);
    else
        snprintf(out, n, "%.3g%s", v, u[i]);
}

void strv_push(char ***v, const char *s)
{
    size_t n = strv_len(*v);
    *v = xrealloc(*v, (n + 2) * sizeof(char *));
    (*v)[n] = xstrdup(s);
    (*v)[n + 1] = NULL;
}

void human_since(const char *rfc3339, bool ago, char *out, size_t n)
{
    struct tm tm = {0};
    if (!rfc3339 || !strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm)) {
        snprintf(out, n, "N/A");
        return;
    }
    long d = (long)(time(NULL) - timegm(&tm));
    static const struct {
        long secs;
        const char *unit;
    } units[] = {{86400 * 365, "year"}, {86400 * 30, "month"}, {86400 * 7, "week"}, {86400, "day"},
                 {3600, "hour"},        {60, "minute"},        {1, "second"}};
    /* weeks from 14 days, months from 60, years from 730, as Docker */
    static const long from[] = {86400 * 730, 86400 * 60, 86400 * 14, 86400, 3600, 60, 1};
    const char *sfx = ago ? " ago" : "";
    for (size_t i = 0; i < ARRAY_SIZE(units); i++)
        if (d >= from[i]) {
            long v = d / units[i].secs;
            snprintf(out, n, "%ld %s%s%s", v, units[i].unit, v == 1 ? "" : "s", sfx);
            return;
        }
    snprintf(out, n, "Less than a second%s", sfx);
}
