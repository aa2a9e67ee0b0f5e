/* idmap.h: user namespace id mappings (uid_map/gid_map), written directly
 * or, for an unprivileged caller, through newuidmap/newgidmap. */
#ifndef MOAT_IDMAP_H
#define MOAT_IDMAP_H

#include "../oci/spec.h"
#include "../util/err.h"
#include <stdbool.h>
#include <sys/types.h>

/* "0 100000 65536\n..." (caller frees). */
char *idmap_format(const struct spec_idmap *m, size_t n);
/* Map a container id to the host id; returns -1 if unmapped. */
int64_t idmap_to_host(const struct spec_idmap *m, size_t n, uint32_t id);
/* True if the mapping is a single range mapping exactly the caller's id. */
bool idmap_is_self(const struct spec_idmap *m, size_t n, uint32_t self);

/* Write uid_map and gid_map of pid's user namespace. */
int idmap_write(pid_t pid, const struct spec_idmap *uids, size_t nu, const struct spec_idmap *gids,
                size_t ng, merr_t *err);
/* A user namespace fd with these mappings (for idmapped mounts). */
int idmap_userns_fd(const struct spec_idmap *uids, size_t nu, const struct spec_idmap *gids,
                    size_t ng, merr_t *err);

#endif
