/* timearg.c: Docker's --since/--until time arguments (see timearg.h). */
#include "timearg.h"
#include "duration.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

int64_t timearg_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * DUR_S + t.tv_nsec;
}

/* exactly n digits at *p, as a number */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* ".123456789" (1 to 9 digits; more are cut, as Go rounds down) */
static int fraction(const char **p, int64_t *ns)
{
    const char *q = *p + 1;
    int64_t v = 0, scale = DUR_S;
    int n = 0;
    while (*q >= '0' && *q <= '9') {
        if (n < 9) {
            scale /= 10;
            v += (*q - '0') * scale;
        }
        n++;
        q++;
    }
    if (!n)
        return -1;
    *ns = v;
    *p = q;
    return 0;
}

/* "", "Z", "+07:00", "-0700": the offset east of UTC in seconds; local
 * is set when there is none */
static int zone(const char *p, bool *local, int64_t *off)
{
    *local = false;
    *off = 0;
    if (!*p) {
        *local = true;
        return 0;
    }
    if ((*p == 'Z' || *p == 'z') && !p[1])
        return 0;
    if (*p != '+' && *p != '-')
        return -1;
    int sign = *p == '-' ? -1 : 1, h, m;
    p++;
    if (digits(&p, 2, &h) < 0)
        return -1;
    if (*p == ':')
        p++;
    if (digits(&p, 2, &m) < 0 || *p || h > 23 || m > 59)
        return -1;
    *off = sign * (h * 3600 + m * 60);
    return 0;
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int mdays(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

static int date_time(const char *p, int64_t *ns)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    int64_t frac = 0;
    if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
        digits(&p, 2, &d) < 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo))
        return -1;
    if (*p == 'T' || *p == 't') {
        p++;
        if (digits(&p, 2, &h) < 0)
            return -1;
        if (*p == ':' && p[1] >= '0' && p[1] <= '9') {
            p++;
            if (digits(&p, 2, &mi) < 0)
                return -1;
            if (*p == ':') {
                p++;
                if (digits(&p, 2, &sec) < 0)
                    return -1;
                if (*p == '.' && fraction(&p, &frac) < 0)
                    return -1;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return -1;
    }
    bool local;
    int64_t off;
    if (zone(p, &local, &off) < 0)
        return -1;
    int64_t t;
    if (local) {
        struct tm tm = {.tm_year = y - 1900,
                        .tm_mon = mo - 1,
                        .tm_mday = d,
                        .tm_hour = h,
                        .tm_min = mi,
                        .tm_sec = sec,
                        .tm_isdst = -1};
        time_t lt = mktime(&tm);
        if (lt == (time_t)-1 && tm.tm_year != 69)
            return -1;
        t = (int64_t)lt;
    } else {
        t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    }
    if (t > INT64_MAX / DUR_S - 1 || t < INT64_MIN / DUR_S + 1)
        return -1;
    *ns = t * DUR_S + frac;
    return 0;
}

/* "1700000000" or "1700000000.123": seconds since the epoch */
static int unix_time(const char *p, int64_t *ns)
{
    int64_t sec = 0, frac = 0;
    const char *start = p;
    while (*p >= '0' && *p <= '9') {
        if (sec > (INT64_MAX / DUR_S - 10) / 10)
            return -1;
        sec = sec * 10 + (*p++ - '0');
    }
    if (p == start)
        return -1;
    if (*p == '.' && fraction(&p, &frac) < 0)
        return -1;
    if (*p)
        return -1;
    *ns = sec * DUR_S + frac;
    return 0;
}

int timearg_parse(const char *s, int64_t now_ns, int64_t *ns)
{
    int64_t d;
    if (!s || !*s)
        return -1;
    if (strcmp(s, "0") != 0 && duration_parse(s, &d) == 0) {
        /* now - d, saturated */
        if ((d > 0 && now_ns < INT64_MIN + d) || (d < 0 && now_ns > INT64_MAX + d))
            return -1;
        *ns = now_ns - d;
        return 0;
    }
    if (strchr(s, '-') && s[0] != '-')
        return date_time(s, ns);
    return unix_time(s, ns);
}
