/* keyseq.c: detach keys (see keyseq.h). */
#include "keyseq.h"
#include "util.h"

#include <string.h>

/* one key's byte, or -1 */
static int key_byte(const char *k)
{
    if (strlen(k) == 1)
        return (unsigned char)k[0];
    if (strncmp(k, "ctrl-", 5) != 0 || strlen(k) != 6)
        return strcmp(k, "ctrl-\\\\") == 0 ? 28 : -1;
    char x = k[5];
    if (x >= 'a' && x <= 'z')
        return x - 'a' + 1;
    if (strchr("@[\\]^_", x))
        return x == '@' ? 0 : x - '[' + 27;
    return -1;
}

int keyseq_parse(const char *spec, struct keyseq *k, merr_t *err)
{
    if (!spec)
        spec = "ctrl-p,ctrl-q";
    *k = (struct keyseq){0};
    cleanup_free char *b = xstrdup(spec);
    char *save = NULL;
    for (char *t = strtok_r(b, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int v = key_byte(t);
        if (v < 0 || k->n == KEYSEQ_MAX) {
            *k = (struct keyseq){0};
            return err_set(err, 0,
                           "--detach-keys \"%s\": invalid detach keys (a letter, or ctrl- and a-z, "
                           "@, [, \\, ], ^ or _; separated by commas)",
                           spec);
        }
        k->keys[k->n++] = (unsigned char)v;
    }
    return 0;
}

size_t keyseq_filter(struct keyseq *k, const unsigned char *in, size_t n, unsigned char *out,
                     bool *done)
{
    size_t len = 0;
    *done = false;
    for (size_t i = 0; i < n; i++) {
        if (k->n && in[i] == k->keys[k->matched]) {
            if (++k->matched == k->n) {
                k->matched = 0;
                *done = true;
                return len;
            }
            continue;
        }
        if (k->matched) { /* not the keys after all: what waited goes on */
            memcpy(out + len, k->keys, k->matched);
            len += k->matched;
            k->matched = 0;
            i--; /* this byte may begin them again */
            continue;
        }
        out[len++] = in[i];
    }
    return len;
}
