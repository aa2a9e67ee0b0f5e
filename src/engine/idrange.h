/* idrange.h: the user-namespace id ranges of the engine's containers and
 * volumes, one of 65536 ids each, taken from the top of the subordinate
 * ids of the user "moat" down (the runtime's run.moat.userns=auto takes
 * them from the bottom up).
 *
 * A range is held by a container record or a volume (their UsernsBase),
 * in any moat store on the host: the allocator looks at every store in the
 * host's list (stores.h), under a host-wide lock, so that no two
 * containers or volumes share host ids even when they live in different
 * stores. */
#ifndef MOAT_IDRANGE_H
#define MOAT_IDRANGE_H

#include "store.h"
#include <stdint.h>

/* A free range for a new container or volume of store s; call under the
 * store lock: the host-wide lock taken here is kept until store_unlock,
 * when the new holder's record is written. */
int idrange_alloc(struct store *s, uint64_t *base, merr_t *err);

#endif
