/* tarwrite.h: a tar stream of files that a container owns (export, cp to
 * "-", commit), written while the container may change them.
 *
 * Entries are read through their directory's fd: a regular file is opened
 * with O_NOFOLLOW and O_NONBLOCK and archived only if it is still the file
 * that was stat'ed (a fifo or a device swapped in is never read); devices
 * and fifos are archived as nodes, sockets are skipped; a file that
 * shrinks meanwhile is padded with zeros, one that grows is cut at the
 * size in its header. Host ids are written as the container sees them
 * (ctr_id_in). A file with several links is archived once, then as hard
 * links to its first name. Memory stays bounded: that table holds at most
 * TARW_MAX_LINKS files (more are archived as copies) and data is copied
 * in 64 KiB pieces. */
#ifndef MOAT_ENGINE_TARWRITE_H
#define MOAT_ENGINE_TARWRITE_H

#define TARW_MAX_LINKS 100000

#include "../util/err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct tarw {
    int fd;
    uint32_t base; /* the container's userns base: subtracted from ids */
    bool layer;    /* an overlay upper dir: whiteouts as OCI .wh. entries */
    /* paths (from the top of tarw_tree) left out when they are empty
     * regular files: the mount points moat made for its own binds */
    const char *const *skip_empty;
    char *buf;     /* 64 KiB */
    json_t *links; /* "dev:ino" -> the first name of a file with links */
};

/* A tar (tarfmt.h) on fd. */
int tarw_open(struct tarw *w, int fd, uint32_t base, bool layer, merr_t *err);
/* Entry `name` of directory dirfd, st its lstat, as `path` in the archive. */
int tarw_add(struct tarw *w, int dirfd, const char *name, const char *path, const struct stat *st,
             merr_t *err);
/* Everything below the directory topfd (treewalk.h: one filesystem, no
 * symlink followed), its names under `prefix` ("" for none). */
int tarw_tree(struct tarw *w, int topfd, const char *prefix, merr_t *err);
/* Write the end of the archive and free it (also after a failure: then
 * the end is not written). */
int tarw_close(struct tarw *w, bool ok, merr_t *err);

#endif
