/* treewalk.h: a walk of a tree that a container owns, and may change while
 * it is walked. Directories are entered by fd (openat with O_NOFOLLOW from
 * their parent's fd, and only if they are still what was stat'ed), so a
 * symlink is never followed, not even one swapped in meanwhile; nothing
 * is opened but directories (never a fifo or a device); other filesystems
 * are not entered; the depth and the entries of one directory are capped.
 * Entries come in pre-order, sorted by name within each directory. */
#ifndef MOAT_ENGINE_TREEWALK_H
#define MOAT_ENGINE_TREEWALK_H

#include "../util/err.h"
#include <stdint.h>
#include <sys/stat.h>

#define TW_MAX_DEPTH 256
#define TW_MAX_ENTRIES (1 << 20) /* of one directory */

struct tw_entry {
    int dirfd;             /* the directory that holds it (valid during the call) */
    const char *name;      /* its name there */
    const char *path;      /* from the top: "a/b/c" */
    const struct stat *st; /* lstat of it */
};

enum { TW_ENTER = 0, TW_SKIP = 1 };

/* fn for each entry below topfd: TW_ENTER (a directory is entered),
 * TW_SKIP (it is not), or -1 to stop with err set. */
int tree_walk(int topfd, int (*fn)(const struct tw_entry *e, void *ctx, merr_t *err), void *ctx,
              merr_t *err);
/* The bytes of the regular files and symlinks below topfd (a file with
 * hard links counted each time: no table of inodes a container could
 * make grow); what cannot be read is not counted. */
uint64_t tree_size(int topfd);

#endif
