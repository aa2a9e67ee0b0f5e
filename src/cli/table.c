/* table.c: listings as Docker prints them (see table.h). */
#include "table.h"
#include "tmpl.h"
#include "../util/log.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* characters, not bytes: a UTF-8 continuation byte takes no column */
static size_t width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Go's tabwriter as Docker sets it up: cells end at tabs, each column as
 * wide as its widest cell plus 3, at least 10; the last is not padded */
static void align(const char *text)
{
    char **lines = NULL;
    cleanup_free char *copy = xstrdup(text);
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        strv_push(&lines, l);
    size_t cols[64] = {0};
    for (size_t i = 0; lines && lines[i]; i++) {
        const char *c = lines[i];
        for (size_t k = 0; k < 64; k++) {
            const char *t = strchr(c, '\t');
            if (!t)
                break;
            size_t w = width(c, (size_t)(t - c)) + 3;
            cols[k] = w > cols[k] ? w : cols[k];
            c = t + 1;
        }
    }
    for (size_t i = 0; lines && lines[i]; i++) {
        const char *c = lines[i];
        for (size_t k = 0;; k++) {
            const char *t = k < 64 ? strchr(c, '\t') : NULL;
            if (!t) {
                printf("%s\n", c);
                break;
            }
            size_t w = width(c, (size_t)(t - c)), col = cols[k] < 10 ? 10 : cols[k];
            printf("%.*s%*s", (int)(t - c), c, (int)(col - w), "");
            c = t + 1;
        }
    }
    strv_free(lines);
}

/* "\t" written as two characters in a shell's quotes is a tab, as in
 * Docker's --format */
static char *unescape(const char *f)
{
    struct sbuf b = {0};
    for (const char *p = f; *p; p++) {
        if (p[0] == '\\' && p[1] == 't') {
            sbuf_add(&b, "\t", 1);
            p++;
        } else if (p[0] == '\\' && p[1] == 'n') {
            sbuf_add(&b, "\n", 1);
            p++;
        } else {
            sbuf_add(&b, p, 1);
        }
    }
    char *r = sbuf_steal(&b);
    return r ? r : xstrdup("");
}

static int render(struct sbuf *out, const char *t, json_t *dot)
{
    merr_t err = MERR_INIT;
    char *line = tmpl_render(t, dot, &err);
    if (!line) {
        log_error("%s", err.msg);
        err_clear(&err);
        return -1;
    }
    sbuf_printf(out, "%s\n", line);
    free(line);
    return 0;
}

int table_print(json_t *rows, const char *format, json_t *headers, const char *fallback)
{
    const char *f = format && *format ? format : fallback;
    size_t i;
    json_t *r;
    if (strcmp(f, "json") == 0) {
        json_array_foreach(rows, i, r)
        {
            char *j = json_dumps(r, JSON_COMPACT);
            printf("%s\n", j);
            free(j);
        }
        return 0;
    }
    bool table = strncmp(f, "table", 5) == 0 && (f[5] == 0 || f[5] == ' ');
    cleanup_free char *t = unescape(table ? f + 5 + (f[5] == ' ') : f);
    struct sbuf out = {0};
    int ret = 0;
    if (table && *t)
        ret = render(&out, t, headers);
    json_array_foreach(rows, i, r)
    {
        if (ret == 0)
            ret = render(&out, t, r);
    }
    if (ret == 0 && out.buf) {
        if (table)
            align(out.buf);
        else
            fputs(out.buf, stdout);
    }
    free(out.buf);
    return ret == 0 ? 0 : 125;
}
