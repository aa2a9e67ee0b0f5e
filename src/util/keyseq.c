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

/* one byte c of the input: held (it goes on the keys), or out; true
 * when it completes them. After a partial match that c breaks, the first
 * held byte goes out and the others are read again (they may begin the
 * keys themselves: "a,a,b" in "aaab"). */
static bool step(struct keyseq *k, unsigned char c, unsigned char *out, size_t *len)
{
    for (;;) {
        if (c == k->keys[k->matched]) {
            if (++k->matched < k->n)
                return false;
            k->matched = 0;
            return true;
        }
        if (!k->matched) {
            out[(*len)++] = c;
            return false;
        }
        unsigned char held[KEYSEQ_MAX];
        size_t m = k->matched;
        memcpy(held, k->keys, m);
        out[(*len)++] = held[0];
        k->matched = 0;
        for (size_t i = 1; i < m; i++)
            if (step(k, held[i], out, len))
                return true;
    }
}

size_t keyseq_filter(struct keyseq *k, const unsigned char *in, size_t n, unsigned char *out,
                     bool *done)
{
    size_t len = 0;
    *done = false;
    for (size_t i = 0; i < n; i++) {
        if (!k->n) {
            out[len++] = in[i];
        } else if (step(k, in[i], out, &len)) {
            *done = true;
            return len;
        }
    }
    return len;
}

size_t keyseq_flush(struct keyseq *k, unsigned char *out)
{
    size_t n = k->matched;
    memcpy(out, k->keys, n);
    k->matched = 0;
    return n;
}
