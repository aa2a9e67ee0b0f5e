/* cp_tar.h: `moat cp` with "-": a container's files as a tar stream, and
 * a tar stream extracted into a container; and the entry point of every
 * cp (ctr_cp), which opens the container's root for cp.c or this file.
 *
 * Out: tarwrite.h (no symlink followed below the source, fifos and
 * devices archived as nodes and never read, ids as the container sees
 * them). In: unpack.h into the destination directory, every name resolved
 * inside it (RESOLVE_IN_ROOT, never onto another mount): "..", absolute
 * names and links planted by the container or by earlier entries cannot
 * lead out of it; devices are dropped; files are created as the
 * container's root and get its root's ids (or, archive, the archive's
 * ids in its range: others are refused). */
#ifndef MOAT_ENGINE_CP_TAR_H
#define MOAT_ENGINE_CP_TAR_H

#include "store.h"
#include <stdbool.h>
#include <stdint.h>

/* A tar of `src` (a path in the container whose root is rootfd; its last
 * component followed when `follow`, inside the root) on fd, its entries
 * under the source's name. */
int cp_tar_out(int rootfd, const char *src, bool follow, uint32_t base, int fd, merr_t *err);
/* Extract the tar in fd into the directory `dst` of the container. */
int cp_tar_in(int fd, int rootfd, const char *dst, uint32_t base, bool archive, merr_t *err);

struct cp_req {
    const char *ctr;       /* the container: id, prefix or name */
    const char *ctr_path;  /* the path in it */
    const char *host_path; /* "-": a tar stream on tar_fd */
    bool to_ctr;           /* host -> container */
    bool archive;          /* -a: keep the ids (mapped) */
    bool follow;           /* -L: follow a symlink source */
    int tar_fd;            /* stdin (to the container) or stdout */
};

/* docker cp, either way, running or stopped (ctr_root.h). */
int ctr_cp(struct store *s, const struct cp_req *r, merr_t *err);

/* lstat of `path` in the container (resolved inside its root, the last
 * component not followed); a symlink's target to *link (else NULL) */
struct stat;
int ctr_path_stat(struct store *s, const char *ctr, const char *path, struct stat *st, char **link,
                  merr_t *err);

#endif
