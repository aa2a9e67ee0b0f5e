/* unpack.h: extraction of image layers (tar, plain, gzip or zstd) that a
 * hostile archive cannot turn against the host.
 *
 * Every path is resolved inside the target directory (openat2 with
 * RESOLVE_IN_ROOT), never through a magic link or onto another
 * filesystem; ".." and absolute names are refused; hard links must point
 * at a file of the same layer; sizes and entry counts are limited before
 * any data is written. Device nodes are dropped and set-id bits kept or
 * stripped by policy. The caller extracts into a fresh directory and
 * removes it when this fails, so a rejected layer leaves nothing. */
#ifndef MOAT_UNPACK_H
#define MOAT_UNPACK_H

#include "../util/err.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct unpack_opts {
    uint64_t max_bytes;   /* sum of the entries' sizes */
    uint64_t max_entries; /* number of entries */
    bool whiteouts;       /* turn .wh. entries into overlayfs whiteouts */
    bool strip_setid;     /* clear setuid/setgid bits */
    bool keep_devices;    /* create device nodes instead of dropping them */
    /* ids (cp into a container): the archive's ids plus id_base, refused
     * at id_count and past it (0: any id, unshifted); owner_base: every
     * entry owned by id_base:id_base instead */
    uint32_t id_base, id_count;
    bool owner_base;
    /* cp into a container: an existing object is touched (written in,
     * replaced, removed, its owner or mode set) only if the container's
     * root could: it belongs to the container's ids (id_base, id_count)
     * and lies on the destination's own filesystem, never in a bind mount
     * or volume below it; removal does not cross into another mount */
    bool guard;
    dev_t guard_dev; /* set by unpack_tar: the destination's filesystem */
};

struct unpack_stats {
    uint64_t entries, bytes, devices_dropped;
};

/* The defaults: 16 GiB, 1,000,000 entries, whiteouts, devices dropped.
 * MOAT_LAYER_MAX_BYTES and MOAT_LAYER_MAX_ENTRIES lower or raise them. */
void unpack_defaults(struct unpack_opts *o);

/* sha256 of the decompressed stream of the archive in fd ("sha256:hex",
 * 72 bytes with the NUL); reads at most `limit` decompressed bytes. The fd
 * is read from its current offset. */
int unpack_stream_digest(int fd, uint64_t limit, char out[72], merr_t *err);

/* A member name made relative and checked ("./a//b/" -> "a/b", "." ->
 * ""); NULL with the reason in *why for "..", absolute names and names
 * past PATH_MAX or NAME_MAX. */
char *unpack_clean_path(const char *in, const char **why);

/* Extract the archive in fd into the directory dirfd. */
int unpack_tar(int fd, int dirfd, const struct unpack_opts *o, struct unpack_stats *st,
               merr_t *err);

#endif
