/* cp.h: `moat cp` between a container's root and the host.
 *
 * Nothing runs inside the container and nothing of it is loaded (no NSS,
 * no shell: CVE-2019-14271): moat walks the container's files itself.
 * Paths in the container are resolved with openat2(RESOLVE_IN_ROOT) and
 * every step below them is opened relative to its directory with
 * O_NOFOLLOW, so a symlink the container plants (or swaps in while the
 * copy runs) never leads outside its root. Symlinks are copied as links,
 * device nodes are skipped, and files copied out lose setuid and setgid
 * bits. Files copied in belong to the container's root. */
#ifndef MOAT_CP_H
#define MOAT_CP_H

#include "../util/err.h"
#include <stdbool.h>
#include <stdint.h>

/* Copy `src` (a path in the container whose root is the directory rootfd)
 * to the host path `dst`. */
int cp_out(int rootfd, const char *src, const char *dst, merr_t *err);
/* Copy the host path `src` to `dst` in the container; new files get
 * owner `uid`:`gid` (host ids). */
int cp_in(const char *src, int rootfd, const char *dst, uint32_t uid, uint32_t gid, merr_t *err);

#endif
