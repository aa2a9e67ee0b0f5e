/* tarfmt.h: tar headers for the archives moat writes (export, cp to "-",
 * commit): ustar, with a pax extended header before it when a field does
 * not fit (long names and link targets, large ids, sizes and times).
 * Pure: it only builds bytes (libarchive's writer would pull every format
 * it knows, and libxml2, into the static binary). */
#ifndef MOAT_ENGINE_TARFMT_H
#define MOAT_ENGINE_TARFMT_H

#include <stddef.h>
#include <stdint.h>

enum {
    TAR_REG = '0',
    TAR_HARDLINK = '1',
    TAR_SYMLINK = '2',
    TAR_CHR = '3',
    TAR_BLK = '4',
    TAR_DIR = '5',
    TAR_FIFO = '6',
};

struct tar_hdr {
    const char *name; /* a directory's gets a trailing '/' */
    const char *link; /* a symlink's target, a hard link's first name, else NULL */
    char type;        /* TAR_* */
    uint32_t mode;    /* permission bits (07777) */
    uint64_t uid, gid, size;
    int64_t mtime;
    uint32_t devmajor, devminor;
};

/* The header blocks of h (a multiple of 512 bytes) into *out (malloc'ed). */
void tar_header(const struct tar_hdr *h, unsigned char **out, size_t *len);
/* The two zero blocks that end an archive. */
#define TAR_END_LEN 1024

#endif
