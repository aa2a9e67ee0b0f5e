/* duration.c: Go's duration text (see duration.h). */
#include "duration.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    uint64_t ns;
} units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000}, /* U+03BC Greek mu */
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", UINT64_C(60) * 1000000000},
    {"h", UINT64_C(3600) * 1000000000},
};

/* the unit at *p (the longest name that matches), its length in *len */
static uint64_t unit_at(const char *p, size_t *len)
{
    uint64_t best = 0;
    *len = 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        size_t l = strlen(units[i].name);
        if (l > *len && strncmp(p, units[i].name, l) == 0) {
            best = units[i].ns;
            *len = l;
        }
    }
    return best;
}

/* one "12.5ms" at *p into *v (added, checked against limit) */
static int component(const char **pp, uint64_t limit, uint64_t *v)
{
    const char *p = *pp;
    uint64_t whole = 0, frac = 0, scale = 1;
    bool digits = false, over = false;
    while (*p >= '0' && *p <= '9') {
        if (whole > (UINT64_MAX - 9) / 10)
            return -1;
        whole = whole * 10 + (uint64_t)(*p++ - '0');
        digits = true;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            /* digits past what 64 bits hold cannot change the result */
            if (!over && frac <= (UINT64_MAX - 9) / 10 && scale <= UINT64_MAX / 10) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                scale *= 10;
            } else {
                over = true;
            }
            p++;
            digits = true;
        }
    }
    if (!digits)
        return -1;
    size_t ul;
    uint64_t unit = unit_at(p, &ul);
    if (!unit)
        return -1;
    p += ul;
    if (whole > limit / unit)
        return -1;
    unsigned __int128 part = (unsigned __int128)whole * unit;
    part += (unsigned __int128)frac * unit / scale;
    if (part > limit || *v > limit - (uint64_t)part)
        return -1;
    *v += (uint64_t)part;
    *pp = p;
    return 0;
}

int duration_parse(const char *s, int64_t *ns)
{
    if (!s)
        return -1;
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (strcmp(p, "0") == 0) {
        *ns = 0;
        return 0;
    }
    if (!*p)
        return -1;
    /* -9223372036854775808ns fits, +9223372036854775808ns does not */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    while (*p)
        if (component(&p, limit, &v) < 0)
            return -1;
    *ns = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* "W" or "W.F" with F's trailing zeros gone: v in units of 10^prec */
static int put_frac(char *buf, size_t size, uint64_t v, int prec)
{
    uint64_t div = 1;
    for (int i = 0; i < prec; i++)
        div *= 10;
    uint64_t w = v / div, f = v % div;
    if (!f)
        return snprintf(buf, size, "%llu", (unsigned long long)w);
    while (f % 10 == 0) {
        f /= 10;
        prec--;
    }
    return snprintf(buf, size, "%llu.%0*llu", (unsigned long long)w, prec, (unsigned long long)f);
}

void duration_format(int64_t ns, char *buf, size_t size)
{
    if (!size)
        return;
    if (ns == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    int n = snprintf(buf, size, "%s", ns < 0 ? "-" : "");
    char *p = buf + n;
    size_t left = size - (size_t)n;
    if (u < 1000) {
        snprintf(p, left, "%lluns", (unsigned long long)u);
        return;
    }
    if (u < 1000000000) {
        bool micro = u < 1000000;
        int k = put_frac(p, left, u, micro ? 3 : 6);
        if (k > 0 && (size_t)k < left)
            snprintf(p + k, left - (size_t)k, "%s", micro ? "\xc2\xb5s" : "ms");
        return;
    }
    uint64_t h = u / (UINT64_C(3600) * 1000000000), rest = u % (UINT64_C(3600) * 1000000000);
    uint64_t m = rest / (UINT64_C(60) * 1000000000), sec = rest % (UINT64_C(60) * 1000000000);
    int k = 0;
    if (h)
        k = snprintf(p, left, "%lluh%llum", (unsigned long long)h, (unsigned long long)m);
    else if (m)
        k = snprintf(p, left, "%llum", (unsigned long long)m);
    if (k < 0 || (size_t)k >= left)
        return;
    int j = put_frac(p + k, left - (size_t)k, sec, 9);
    if (j > 0 && (size_t)(k + j) < left)
        snprintf(p + k + j, left - (size_t)(k + j), "s");
}
