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
 * to the host path `dst`; follow: a symlink `src` is followed (inside the
 * root); archive: the copies get the ids the container sees (base: its
 * UsernsBase), else they belong to the caller. */
int cp_out(int rootfd, const char *src, const char *dst, uint32_t base, bool follow, bool archive,
           merr_t *err);
/* Copy the host path `src` to `dst` in the container; new files belong to
 * the container's root (host id base), or with archive to the source's
 * ids in the container's range (refused outside it). follow: a symlink
 * `src` is followed. */
int cp_in(const char *src, int rootfd, const char *dst, uint32_t base, bool follow, bool archive,
          merr_t *err);

/* `path` in the container resolved to a directory fd and the name of the
 * entry in it (a symlink as the last component is followed, inside the
 * root, when `follow`); the root itself is (root, "."). */
int cp_resolve(int rootfd, const char *path, bool follow, int *dirfd, char **base, merr_t *err);
/* Create files as the container's root (the container's own mounts, a
 * tmpfs owned by its user namespace or an idmapped volume, cannot hold a
 * file of the host's root): fsuid/fsgid, with the filesystem capabilities
 * that a non-zero fsuid clears raised again from the permitted set, so
 * permissions stay root's. cp_become(0, 0) goes back. */
void cp_become(uint32_t uid, uint32_t gid);

#endif
