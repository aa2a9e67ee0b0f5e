/* tarfmt.c: see tarfmt.h. */
#include "tarfmt.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define USTAR_OCT8 07777777ULL      /* the largest id, mode, device */
#define USTAR_OCT12 077777777777ULL /* the largest size, time */

static size_t digits(size_t n)
{
    size_t d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* one pax record: "LEN key=value\n", LEN counting itself */
static void pax_add(struct sbuf *b, const char *key, const char *value)
{
    size_t base = strlen(key) + strlen(value) + 3; /* ' ', '=', '\n' */
    size_t n = base + digits(base);
    if (digits(n) > digits(base))
        n++;
    sbuf_printf(b, "%zu %s=%s\n", n, key, value);
}

static void octal(unsigned char *field, size_t width, uint64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof(tmp), "%0*llo", (int)(width - 1), (unsigned long long)v);
    memcpy(field, tmp, width - 1);
    field[width - 1] = 0;
}

static void block(unsigned char *h, const char *name, const char *link, char type, uint32_t mode,
                  uint64_t uid, uint64_t gid, uint64_t size, int64_t mtime, uint32_t major,
                  uint32_t minor)
{
    memset(h, 0, 512);
    memcpy(h, name, strnlen(name, 100));
    octal(h + 100, 8, mode & 07777);
    octal(h + 108, 8, uid <= USTAR_OCT8 ? uid : 0);
    octal(h + 116, 8, gid <= USTAR_OCT8 ? gid : 0);
    octal(h + 124, 12, size <= USTAR_OCT12 ? size : 0);
    octal(h + 136, 12, mtime >= 0 && (uint64_t)mtime <= USTAR_OCT12 ? (uint64_t)mtime : 0);
    h[156] = (unsigned char)type;
    if (link)
        memcpy(h + 157, link, strnlen(link, 100));
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    octal(h + 329, 8, major <= USTAR_OCT8 ? major : 0);
    octal(h + 337, 8, minor <= USTAR_OCT8 ? minor : 0);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    char ck[8];
    snprintf(ck, sizeof(ck), "%06o", sum & 0777777);
    memcpy(h + 148, ck, 7); /* six digits, NUL, and the space stays */
}

void tar_header(const struct tar_hdr *h, unsigned char **out, size_t *len)
{
    bool dir = h->type == TAR_DIR;
    size_t nl = strlen(h->name);
    cleanup_free char *name =
        dir && (nl == 0 || h->name[nl - 1] != '/') ? xasprintf("%s/", h->name) : xstrdup(h->name);
    struct sbuf pax = {0};
    char num[32];
    if (strlen(name) > 100)
        pax_add(&pax, "path", name);
    if (h->link && strlen(h->link) > 100)
        pax_add(&pax, "linkpath", h->link);
    if (h->uid > USTAR_OCT8) {
        snprintf(num, sizeof(num), "%llu", (unsigned long long)h->uid);
        pax_add(&pax, "uid", num);
    }
    if (h->gid > USTAR_OCT8) {
        snprintf(num, sizeof(num), "%llu", (unsigned long long)h->gid);
        pax_add(&pax, "gid", num);
    }
    if (h->size > USTAR_OCT12) {
        snprintf(num, sizeof(num), "%llu", (unsigned long long)h->size);
        pax_add(&pax, "size", num);
    }
    if (h->mtime < 0 || (uint64_t)h->mtime > USTAR_OCT12) {
        snprintf(num, sizeof(num), "%lld", (long long)h->mtime);
        pax_add(&pax, "mtime", num);
    }
    size_t plen = pax.len, pblocks = plen ? 1 + (plen + 511) / 512 : 0;
    *len = (pblocks + 1) * 512;
    unsigned char *b = xzalloc(*len);
    if (plen) {
        block(b, "././@PaxHeader", NULL, 'x', 0644, 0, 0, plen, h->mtime, 0, 0);
        memcpy(b + 512, pax.buf, plen);
    }
    block(b + pblocks * 512, name, h->link, h->type, h->mode, h->uid, h->gid, h->size, h->mtime,
          h->devmajor, h->devminor);
    free(pax.buf);
    *out = b;
}
